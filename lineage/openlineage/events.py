"""
Parsed OpenLineage events and pure accessors over their facets.

``parse_event`` turns a *validated* event (``validate_event(...).ok``) into frozen dataclasses; the accessors
read the standard facets (and Custodian's custom ``custodian_*`` facets) into small values the projection can
store. Nothing here touches the database or settings. Facet dicts are the payload's own objects, kept
verbatim: treat them as read-only.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lineage.openlineage.facet_rules import INPUT_ROLES, MODEL_DERIVATION_KINDS, coerce_run_id
from lineage.openlineage.validation import EventKind, event_kind, parse_event_time

__all__ = (
    "CLIENT_TAG_SOURCE",
    "ColumnLineageEntry",
    "DataSource",
    "DatasetRef",
    "Documentation",
    "JobRef",
    "JobType",
    "LifecycleChange",
    "Owner",
    "ParentRef",
    "ParsedEvent",
    "SchemaField",
    "Statistics",
    "Symlink",
    "Tag",
    "column_lineage",
    "data_source",
    "dataset_subtype",
    "dataset_type",
    "documentation",
    "event_content_hash",
    "input_role",
    "is_client_tags_facet",
    "is_model",
    "job_type",
    "lifecycle_change",
    "model_derivation",
    "owners",
    "parent",
    "parse_event",
    "schema_fields",
    "scrub_uri",
    "statistics",
    "symlinks",
    "tags",
    "version_label",
)

CLIENT_TAG_SOURCE = "OPENLINEAGE_CLIENT"
"""``source`` of the tags the openlineage-python client adds by itself (``openlineage_client_version``)."""

Facets = Mapping[str, Any]


#
# Parsed event
#


@dataclass(frozen=True, slots=True)
class JobRef:
    """A job as named in an event: identity ``(namespace, name)`` and its facets."""

    namespace: str
    name: str
    facets: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """
    A dataset as named in an event: identity ``(namespace, name)``, dataset facets and, for inputs and outputs,
    the ``inputFacets``/``outputFacets`` (``io_facets``; empty for a DatasetEvent's dataset).
    """

    namespace: str
    name: str
    facets: dict[str, Any]
    io_facets: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """
    One OpenLineage event, parsed.

    ``event_type`` is the RunEvent ``eventType`` (``None`` when absent and for Dataset/Job events, which carry no
    run state). ``event_time`` is aware and in UTC. ``run_id`` is set for RunEvents only (a mapped uuid5 when the
    event's id was not a UUID and mapping was on). ``raw`` is the event exactly as received.
    """

    kind: EventKind
    event_type: str | None
    event_time: datetime
    producer: str | None
    schema_url: str | None
    run_id: uuid.UUID | None
    run_facets: dict[str, Any]
    job: JobRef | None
    inputs: list[DatasetRef]
    outputs: list[DatasetRef]
    dataset: DatasetRef | None
    raw: dict[str, Any]


def parse_event(payload: Mapping[str, Any], *, map_non_uuid_run_ids: bool = False) -> ParsedEvent:
    """
    Parse an event that passed ``validate_event`` (with the same ``map_non_uuid_run_ids``).

    Facet containers are normalised: non-object facet values (already warned about) are dropped, base-facet
    fields placed directly under ``facets`` are removed and a bare ``tags`` list (the docs' malformed shape) is
    wrapped into a regular tags facet ``{"tags": [...], "_producer": …, "_schemaURL": …}``. Everything else is
    kept verbatim. Raises ``ValueError`` if the event is not valid.
    """
    if not isinstance(payload, dict):
        raise ValueError("event must be a JSON object")
    kind = event_kind(payload)
    if kind is None:
        raise ValueError("cannot determine the event kind")
    event_time = payload.get("eventTime")
    if not isinstance(event_time, str):
        raise ValueError("eventTime is required")

    run_id: uuid.UUID | None = None
    run_facets: dict[str, Any] = {}
    event_type: str | None = None
    job: JobRef | None = None
    inputs: list[DatasetRef] = []
    outputs: list[DatasetRef] = []
    dataset: DatasetRef | None = None
    if kind == "RunEvent":
        run = _require(payload, "run")
        run_id = coerce_run_id(run.get("runId"), map_non_uuid=map_non_uuid_run_ids)
        if run_id is None:
            raise ValueError(f"run.runId is not a UUID: {run.get('runId')!r}")
        run_facets = _normalise_facets(run.get("facets"))
        event_type = payload.get("eventType") if isinstance(payload.get("eventType"), str) else None
    if kind in ("RunEvent", "JobEvent"):
        job_payload = _require(payload, "job")
        job = JobRef(
            namespace=_name(job_payload, "namespace", "job"),
            name=_name(job_payload, "name", "job"),
            facets=_normalise_facets(job_payload.get("facets")),
        )
        inputs = [_dataset_ref(item, "inputFacets") for item in payload.get("inputs") or []]
        outputs = [_dataset_ref(item, "outputFacets") for item in payload.get("outputs") or []]
    if kind == "DatasetEvent":
        dataset = _dataset_ref(_require(payload, "dataset"), None)

    producer = payload.get("producer")
    schema_url = payload.get("schemaURL")
    return ParsedEvent(
        kind=kind,
        event_type=event_type,
        event_time=parse_event_time(event_time),
        producer=producer if isinstance(producer, str) else None,
        schema_url=schema_url if isinstance(schema_url, str) else None,
        run_id=run_id,
        run_facets=run_facets,
        job=job,
        inputs=inputs,
        outputs=outputs,
        dataset=dataset,
        raw=dict(payload),
    )


def _require(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} is required")
    return value


def _name(container: Mapping[str, Any], key: str, owner: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{owner}.{key} must be a non-empty string")
    return value


def _dataset_ref(payload: Any, io_key: str | None) -> DatasetRef:
    if not isinstance(payload, dict):
        raise ValueError("a dataset must be an object")
    return DatasetRef(
        namespace=_name(payload, "namespace", "dataset"),
        name=_name(payload, "name", "dataset"),
        facets=_normalise_facets(payload.get("facets")),
        io_facets=_normalise_facets(payload.get(io_key)) if io_key else {},
    )


def _normalise_facets(facets: Any) -> dict[str, Any]:
    if not isinstance(facets, dict):
        return {}
    normalised = {key: value for key, value in facets.items() if isinstance(value, dict) and not key.startswith("_")}
    bare_tags = facets.get("tags")
    if isinstance(bare_tags, list):
        wrapped: dict[str, Any] = {"tags": bare_tags}
        for base_field in ("_producer", "_schemaURL"):
            if isinstance(facets.get(base_field), str):
                wrapped[base_field] = facets[base_field]
        normalised["tags"] = wrapped
    return normalised


def event_content_hash(payload: Any) -> str:
    """
    SHA-256 (hex) of the event's canonical JSON: sorted keys, compact separators, ``ensure_ascii=False``, UTF-8.

    Two deliveries of the same event hash alike whatever their key order or whitespace (the idempotency key of
    the raw event table). Raises ``ValueError`` for NaN/Infinity, which ``decode_body`` never produces.
    """
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#
# Small helpers over facets
#


def _facet(facets: Facets | None, key: str) -> dict[str, Any] | None:
    if not facets:
        return None
    value = facets.get(key)
    if not isinstance(value, dict) or value.get("_deleted") is True:
        return None
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


#
# Dataset identity, type and version
#


def dataset_type(ref: DatasetRef) -> str | None:
    """``datasetType.datasetType`` upper-cased (``"TABLE"``, ``"VIEW"``, ``"MODEL"``…), or ``None``."""
    facet = _facet(ref.facets, "datasetType")
    value = _str(facet.get("datasetType")) if facet else None
    if not value or not value.strip():
        return None
    return value.strip().upper()


def dataset_subtype(ref: DatasetRef) -> str | None:
    """``datasetType.subType`` as sent (``"MODEL_VERSION"``, ``"MATERIALIZED"``…), or ``None``."""
    facet = _facet(ref.facets, "datasetType")
    return _str(facet.get("subType")) if facet else None


def is_model(ref: DatasetRef) -> bool:
    """True when the dataset is a model version by Custodian's convention (``datasetType`` ``MODEL``)."""
    return dataset_type(ref) == "MODEL"


def version_label(ref: DatasetRef) -> str | None:
    """The ``version`` facet's ``datasetVersion`` (a number is turned into its text), or ``None``."""
    facet = _facet(ref.facets, "version")
    if facet is None:
        return None
    value = facet.get("datasetVersion")
    if isinstance(value, str):
        return value or None
    number = _int(value)
    return str(number) if number is not None else None


@dataclass(frozen=True, slots=True)
class SchemaField:
    """
    One column of a ``schema`` facet, nested fields flattened with dotted names (``address.zip``).

    ``ordinal`` is the facet's ``ordinal_position`` when given, else the 1-based position among its siblings;
    ``depth`` is 0 for top-level fields.
    """

    name: str
    type: str | None
    description: str | None
    ordinal: int
    depth: int


def schema_fields(ref: DatasetRef) -> list[SchemaField]:
    """The ``schema`` facet's fields, depth-first, nested fields after their parent. Nameless fields are skipped."""
    facet = _facet(ref.facets, "schema")
    if facet is None:
        return []
    result: list[SchemaField] = []
    # Explicit stack: nesting depth is attacker-controlled, recursion is not an option.
    stack: list[tuple[str, int, list[Any]]] = [("", 0, list(reversed(list(_dicts(facet.get("fields"))))))]
    positions: list[int] = [0]
    while stack:
        prefix, depth, pending = stack[-1]
        if not pending:
            stack.pop()
            positions.pop()
            continue
        item = pending.pop()
        positions[-1] += 1
        name = _str(item.get("name"))
        if not name:
            continue
        full_name = f"{prefix}.{name}" if prefix else name
        ordinal = _int(item.get("ordinal_position"))
        result.append(
            SchemaField(
                name=full_name,
                type=_str(item.get("type")),
                description=_str(item.get("description")),
                ordinal=ordinal if ordinal is not None else positions[-1],
                depth=depth,
            ),
        )
        children = list(_dicts(item.get("fields")))
        if children:
            stack.append((full_name, depth + 1, list(reversed(children))))
            positions.append(0)
    return result


@dataclass(frozen=True, slots=True)
class ColumnLineageEntry:
    """
    One input column feeding an output column (or, with ``output_field=None``, the whole output dataset: the
    facet's dataset-wide ``dataset[]`` dependencies such as FILTER, JOIN, GROUP_BY, SORT, WINDOW).

    One entry per (input field, transformation); an input without transformations gives one entry whose
    transformation comes from the deprecated field-level ``transformationType``/``Description`` (or ``None``).
    ``masking`` is True when the transformation masks the value (a PII propagation breaker).
    """

    output_field: str | None
    input_namespace: str
    input_name: str
    input_field: str
    transformation_type: str | None
    transformation_subtype: str | None
    transformation_description: str | None
    masking: bool


def column_lineage(ref: DatasetRef) -> list[ColumnLineageEntry]:
    """
    The ``columnLineage`` facet of an output as flat entries, output fields in facet order, then dataset-wide
    dependencies. Entries are kept even if the output field is absent from the ``schema`` facet (Marquez drops
    them). Inputs missing namespace, name or field are skipped.
    """
    facet = _facet(ref.facets, "columnLineage")
    if facet is None:
        return []
    entries: list[ColumnLineageEntry] = []
    fields = facet.get("fields")
    if isinstance(fields, dict):
        for output_field, spec in fields.items():
            if not isinstance(spec, dict):
                continue
            default_type = _str(spec.get("transformationType"))
            default_description = _str(spec.get("transformationDescription"))
            for input_field in _dicts(spec.get("inputFields")):
                entries.extend(_lineage_entries(output_field, input_field, default_type, default_description))
    for input_field in _dicts(facet.get("dataset")):
        entries.extend(_lineage_entries(None, input_field, None, None))
    return entries


def _lineage_entries(
    output_field: str | None,
    input_field: dict[str, Any],
    default_type: str | None,
    default_description: str | None,
) -> list[ColumnLineageEntry]:
    namespace, name, field = (_str(input_field.get(key)) for key in ("namespace", "name", "field"))
    if not (namespace and name and field):
        return []
    transformations = list(_dicts(input_field.get("transformations")))
    if not transformations:
        transformations = [{"type": default_type, "description": default_description}]
    return [
        ColumnLineageEntry(
            output_field=output_field,
            input_namespace=namespace,
            input_name=name,
            input_field=field,
            transformation_type=_str(transformation.get("type")),
            transformation_subtype=_str(transformation.get("subtype")),
            transformation_description=_str(transformation.get("description")),
            masking=transformation.get("masking") is True,
        )
        for transformation in transformations
    ]


@dataclass(frozen=True, slots=True)
class Symlink:
    """An alternative identifier of a dataset (a Hive table for a path, an artifact URI for a model)."""

    namespace: str
    name: str
    type: str | None


def symlinks(ref: DatasetRef) -> list[Symlink]:
    """The ``symlinks`` facet's identifiers; entries without namespace or name are skipped."""
    facet = _facet(ref.facets, "symlinks")
    if facet is None:
        return []
    result = []
    for identifier in _dicts(facet.get("identifiers")):
        namespace, name = _str(identifier.get("namespace")), _str(identifier.get("name"))
        if namespace and name:
            result.append(Symlink(namespace=namespace, name=name, type=_str(identifier.get("type"))))
    return result


@dataclass(frozen=True, slots=True)
class DataSource:
    """The ``dataSource`` facet: source name and URI with credentials removed."""

    name: str | None
    uri: str | None


# Greedy up to the last "@" of the authority: unencoded "@" in passwords happen. ";" ends a JDBC authority.
_USERINFO_RE = re.compile(r"(?P<prefix>//)(?P<userinfo>[^/?#;\s]*)@")
_SECRET_PARAM_RE = re.compile(
    r"(?P<key>(?:^|[?&;])(?:[\w.-]*(?:password|passwd|pwd|secret|token|credential|signature|apikey|api_key|"
    r"access_key|accesskey|private_key|sas|sig|auth)[\w.-]*))=(?P<value>[^&;#]*)",
    re.IGNORECASE,
)


def scrub_uri(uri: str) -> str:
    """
    ``uri`` without credentials: the ``user:password@`` userinfo is removed and the values of credential-like
    query or ``;`` parameters (``password``, ``token``, ``sig``, ``X-Amz-Signature``…) become ``***``. Works on
    non-standard URIs too (``jdbc:sqlserver://h;password=x``, ``bigquery``, ``file``).
    """
    scrubbed = _USERINFO_RE.sub(lambda match: match.group("prefix"), uri)
    return _SECRET_PARAM_RE.sub(lambda match: f"{match.group('key')}=***", scrubbed)


def data_source(ref: DatasetRef) -> DataSource | None:
    """The ``dataSource`` facet (name, scrubbed URI), or ``None`` when absent."""
    facet = _facet(ref.facets, "dataSource")
    if facet is None:
        return None
    uri = _str(facet.get("uri"))
    return DataSource(name=_str(facet.get("name")), uri=scrub_uri(uri) if uri else None)


@dataclass(frozen=True, slots=True)
class LifecycleChange:
    """The ``lifecycleStateChange`` facet: the change (``DROP``, ``RENAME``…) and, for renames, the old identity."""

    state: str
    previous_namespace: str | None
    previous_name: str | None


def lifecycle_change(ref: DatasetRef) -> LifecycleChange | None:
    """The ``lifecycleStateChange`` facet upper-cased, or ``None`` when absent or without a state."""
    facet = _facet(ref.facets, "lifecycleStateChange")
    state = _str(facet.get("lifecycleStateChange")) if facet else None
    if not facet or not state:
        return None
    previous = facet.get("previousIdentifier")
    previous = previous if isinstance(previous, dict) else {}
    return LifecycleChange(
        state=state.upper(),
        previous_namespace=_str(previous.get("namespace")),
        previous_name=_str(previous.get("name")),
    )


@dataclass(frozen=True, slots=True)
class Statistics:
    """Row count, byte size and file count from ``inputStatistics``/``outputStatistics`` (or data-quality metrics)."""

    row_count: int | None
    size: int | None
    file_count: int | None


def statistics(ref: DatasetRef) -> Statistics | None:
    """
    Record counts of an input or output: ``outputStatistics`` or ``inputStatistics`` from ``io_facets``; for
    inputs without them, the ``dataQualityMetrics`` input facet's ``rowCount``/``bytes``/``fileCount`` (as Marquez
    reads them). ``None`` when none of these facets is present.
    """
    for key in ("outputStatistics", "inputStatistics"):
        facet = _facet(ref.io_facets, key)
        if facet is not None:
            return Statistics(
                row_count=_int(facet.get("rowCount")),
                size=_int(facet.get("size")),
                file_count=_int(facet.get("fileCount")),
            )
    facet = _facet(ref.io_facets, "dataQualityMetrics")
    if facet is not None:
        return Statistics(
            row_count=_int(facet.get("rowCount")),
            size=_int(facet.get("bytes")),
            file_count=_int(facet.get("fileCount")),
        )
    return None


#
# Facets shared by jobs and datasets
#


@dataclass(frozen=True, slots=True)
class Owner:
    """An owner from an ``ownership`` facet: ``name`` such as ``user:jdoe`` or ``team:data``, ``type`` such as
    ``MAINTAINER``."""

    name: str
    type: str | None


def owners(facets: Facets) -> list[Owner]:
    """Owners from the ``ownership`` facet of a job or dataset (``facets`` of either); nameless ones skipped."""
    facet = _facet(facets, "ownership")
    if facet is None:
        return []
    return [
        Owner(name=name, type=_str(owner.get("type")))
        for owner in _dicts(facet.get("owners"))
        if (name := _str(owner.get("name")))
    ]


@dataclass(frozen=True, slots=True)
class Documentation:
    """A ``documentation`` facet: description and its content type (``text/markdown``…)."""

    description: str
    content_type: str | None


def documentation(facets: Facets) -> Documentation | None:
    """The ``documentation`` facet of a job or dataset, or ``None`` when absent or without a description."""
    facet = _facet(facets, "documentation")
    description = _str(facet.get("description")) if facet else None
    if facet is None or description is None:
        return None
    return Documentation(description=description, content_type=_str(facet.get("contentType")))


@dataclass(frozen=True, slots=True)
class Tag:
    """
    A tag from a ``tags`` facet. ``field`` names a column (dataset tags only).

    ``is_pii`` flags tags that name personal data: a key ``PII``, ``PII:<ENTITY>`` or ``pii_<entity>``, or a
    value ``PII`` or ``PII:<ENTITY>`` (``{"key": "classification", "value": "PII"}``, ``{"key": "pii", "value":
    "true"}``, ``{"key": "PII:EMAIL"}``), unless the value denies it (``false``, ``no``, ``0``, ``none``).
    ``pii_entity`` is the named entity (``"EMAIL"``) when there is one, also from ``{"key": "pii", "value":
    "email"}``.
    """

    key: str
    value: str
    source: str | None
    field: str | None
    is_pii: bool
    pii_entity: str | None


_PII_KEY_RE = re.compile(r"\s*pii(?:\s*[:_./-]\s*(?P<entity>.+?))?\s*", re.IGNORECASE)
_PII_VALUE_RE = re.compile(r"\s*pii(?:\s*[:/]\s*(?P<entity>.+?))?\s*", re.IGNORECASE)
_NEGATIVE = frozenset({"false", "no", "0", "none", "n", "off"})
_AFFIRMATIVE = frozenset({"true", "yes", "1", "y", "on", ""})


def _pii(key: str, value: str) -> tuple[bool, str | None]:
    key_match = _PII_KEY_RE.fullmatch(key)
    if key_match:
        if value.strip().lower() in _NEGATIVE:
            return False, None
        entity = key_match.group("entity")
        if entity is None and value.strip().lower() not in _AFFIRMATIVE:
            value_match = _PII_VALUE_RE.fullmatch(value)
            entity = value_match.group("entity") if value_match else value.strip()
        return True, entity.upper() if entity else None
    value_match = _PII_VALUE_RE.fullmatch(value)
    if value_match:
        entity = value_match.group("entity")
        return True, entity.upper() if entity else None
    return False, None


def tags(facets: Facets, *, include_client: bool = False) -> list[Tag]:
    """
    Tags from the ``tags`` facet of a run, job or dataset (``facets`` of the entity), including the malformed
    shape (a bare list under ``facets["tags"]``) and dataset column tags (``field``).

    Tags the openlineage-python client adds by itself (``source`` ``OPENLINEAGE_CLIENT``, e.g.
    ``openlineage_client_version``) are left out unless ``include_client``. Tags without key or value are
    skipped; a non-string value is turned into text.
    """
    raw = facets.get("tags") if facets else None
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, dict) and raw.get("_deleted") is not True:
        items = raw.get("tags") if isinstance(raw.get("tags"), list) else []
    else:
        return []
    result = []
    for item in _dicts(items):
        key, value = _str(item.get("key")), item.get("value")
        if not key or value is None or isinstance(value, dict | list):
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        source = _str(item.get("source"))
        if source == CLIENT_TAG_SOURCE and not include_client:
            continue
        is_pii, entity = _pii(key, text)
        result.append(
            Tag(key=key, value=text, source=source, field=_str(item.get("field")), is_pii=is_pii, pii_entity=entity),
        )
    return result


def is_client_tags_facet(facet: Any) -> bool:
    """
    True when a ``tags`` facet holds only the tags the openlineage-python client adds to every RunEvent
    (``source`` ``OPENLINEAGE_CLIENT``, key ``openlineage_client_version``): not user tags.
    """
    items = facet.get("tags") if isinstance(facet, dict) else facet
    if not isinstance(items, list) or not items:
        return False
    return all(isinstance(item, dict) and item.get("source") == CLIENT_TAG_SOURCE for item in items)


#
# Runs and jobs
#


@dataclass(frozen=True, slots=True)
class ParentRef:
    """The ``parent`` run facet: the parent run and job, and the root (top-level orchestrator) run when sent."""

    run_id: uuid.UUID
    job_namespace: str
    job_name: str
    root_run_id: uuid.UUID | None
    root_job_namespace: str | None
    root_job_name: str | None


def parent(run_facets: Facets, *, map_non_uuid_run_ids: bool = False) -> ParentRef | None:
    """
    The parent of a run from its ``parent`` facet, or ``None`` when absent or unusable (no UUID run id, no job
    namespace/name). A root whose run id is not a UUID is left out.
    """
    facet = _facet(run_facets, "parent")
    if facet is None:
        return None
    run, job = facet.get("run"), facet.get("job")
    if not isinstance(run, dict) or not isinstance(job, dict):
        return None
    run_id = coerce_run_id(run.get("runId"), map_non_uuid=map_non_uuid_run_ids)
    namespace, name = _str(job.get("namespace")), _str(job.get("name"))
    if run_id is None or not namespace or not name:
        return None
    root = facet.get("root") if isinstance(facet.get("root"), dict) else {}
    root_run = root.get("run") if isinstance(root.get("run"), dict) else {}
    root_job = root.get("job") if isinstance(root.get("job"), dict) else {}
    return ParentRef(
        run_id=run_id,
        job_namespace=namespace,
        job_name=name,
        root_run_id=coerce_run_id(root_run.get("runId"), map_non_uuid=map_non_uuid_run_ids),
        root_job_namespace=_str(root_job.get("namespace")),
        root_job_name=_str(root_job.get("name")),
    )


@dataclass(frozen=True, slots=True)
class JobType:
    """
    The ``jobType`` facet: ``processing_type`` (BATCH, STREAMING, SERVICE), ``integration`` (SPARK, AIRFLOW,
    MLFLOW…), ``job_type`` (QUERY, DAG, TASK, TRAINING…) and the emission pattern's ``event_content_mode``
    (ACCUMULATIVE or COMPLETE_SNAPSHOT, ``None`` when not sent).
    """

    processing_type: str | None
    integration: str | None
    job_type: str | None
    event_content_mode: str | None


def job_type(job: JobRef) -> JobType | None:
    """The job's ``jobType`` facet, or ``None`` when absent."""
    facet = _facet(job.facets, "jobType")
    if facet is None:
        return None
    emission = facet.get("emissionPattern") if isinstance(facet.get("emissionPattern"), dict) else {}
    return JobType(
        processing_type=_str(facet.get("processingType")),
        integration=_str(facet.get("integration")),
        job_type=_str(facet.get("jobType")),
        event_content_mode=_str(emission.get("eventContentMode")),
    )


#
# Custodian custom facets (ML convention)
#


def input_role(ref: DatasetRef) -> str | None:
    """
    The role of an input from Custodian's ``custodian_inputRole`` input facet (``{"role": "training_data"}``;
    also read from the dataset facets): one of ``INPUT_ROLES``, else ``None`` (absent or unknown role).
    """
    for facets in (ref.io_facets, ref.facets):
        facet = _facet(facets, "custodian_inputRole")
        if facet is not None:
            role = _str(facet.get("role"))
            return role if role in INPUT_ROLES else None
    return None


def model_derivation(facets: Facets) -> str | None:
    """
    How a model was derived, from Custodian's ``custodian_modelDerivation`` facet (``{"kind": "fine_tuning"}``)
    in the given facets (run, job or output dataset): one of ``MODEL_DERIVATION_KINDS``, else ``None``.
    """
    facet = _facet(facets, "custodian_modelDerivation")
    kind = _str(facet.get("kind")) if facet else None
    return kind if kind in MODEL_DERIVATION_KINDS else None
