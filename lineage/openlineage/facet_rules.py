"""
Hand-written structural rules for the standard OpenLineage facets (required fields and JSON types).

The rules mirror the required fields and types of the facet schemas under ``spec/facets/`` of OpenLineage
(spec 2-0-2, facet versions as of 2026-08). They deliberately leave out string *formats* (``date-time``, ``uri``,
``uuid``) except for run ids, which must be UUIDs everywhere. Rules are keyed on ``(location, key)`` because the
same key (``ownership``, ``documentation``, ``tags``, ``lineage``) exists on several entities.

Leniencies, on purpose: an optional field sent as ``null`` counts as absent; ``additionalProperties: false`` on
``executionParameters.parameters[]`` is not enforced (Marquez stores such facets); ``minimum`` on
``jobType.emissionPattern.windowDuration`` is not enforced.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = (
    "CUSTODIAN_FACET_RULES",
    "EXPERIMENTAL_FACETS",
    "FACET_RULES",
    "INPUT_ROLES",
    "MODEL_DERIVATION_KINDS",
    "RUN_ID_NAMESPACE",
    "FacetLocation",
    "Finding",
    "check_facet",
    "coerce_run_id",
    "json_type",
    "join_path",
    "run_id_from_text",
)

FacetLocation = Literal["run", "job", "dataset", "input", "output"]

# Name-based UUIDs for non-UUID run ids (``map_non_uuid_run_ids``): uuid5 in the RFC 4122 URL namespace, the
# namespace Marquez also uses for Airflow-derived parent run ids (``Utils.NAMESPACE_URL_UUID``).
RUN_ID_NAMESPACE = uuid.NAMESPACE_URL

INPUT_ROLES = frozenset(
    {"training_data", "eval_data", "base_model", "teacher_model", "adapter", "merge_source", "data"},
)
MODEL_DERIVATION_KINDS = frozenset(
    {"fine_tuning", "distillation", "quantisation", "pruning", "merge", "adapter", "transfer_learning"},
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule failure: JSON path, message and a machine-readable code (``required``, ``type``, ``format``…)."""

    path: str
    message: str
    code: str


def run_id_from_text(text: str) -> uuid.UUID:
    """The name-based UUID (uuid5 in ``RUN_ID_NAMESPACE``) that stands in for a non-UUID run id ``text``."""
    return uuid.uuid5(RUN_ID_NAMESPACE, text)


def coerce_run_id(value: Any, *, map_non_uuid: bool) -> uuid.UUID | None:
    """
    ``value`` as a UUID, or ``None`` when it is not a string or not a UUID (and mapping is off).

    Accepts the canonical 8-4-4-4-12 form in any case, with or without braces/``urn:uuid:``, as
    ``uuid.UUID`` does; with ``map_non_uuid`` a non-empty non-UUID string maps to ``run_id_from_text``.
    """
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        if map_non_uuid and value.strip():
            return run_id_from_text(value)
        return None


def json_type(value: Any) -> str:
    """The JSON type name of a decoded JSON value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def join_path(path: str, key: str | int) -> str:
    """Append an object key (``a.b``) or an array index (``a[0]``) to a violation path."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


#
# Rule combinators
#


@dataclass(slots=True)
class _Context:
    map_non_uuid_run_ids: bool
    findings: list[Finding] = field(default_factory=list)

    def add(self, path: str, message: str, code: str) -> None:
        self.findings.append(Finding(path=path, message=message, code=code))


class _Rule:
    def check(self, value: Any, path: str, ctx: _Context) -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Scalar(_Rule):
    kind: Literal["string", "integer", "number", "boolean"]
    non_empty: bool = False

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        ok = {
            "string": isinstance(value, str),
            "integer": (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer()),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
        }[self.kind]
        if not ok:
            ctx.add(path, f"must be {_article(self.kind)} {self.kind} (got {json_type(value)})", "type")
        elif self.non_empty and not value.strip():
            ctx.add(path, "must not be empty", "empty")


@dataclass(frozen=True, slots=True)
class _RunId(_Rule):
    def check(self, value: Any, path: str, ctx: _Context) -> None:
        if not isinstance(value, str):
            ctx.add(path, f"must be a string (got {json_type(value)})", "type")
        elif coerce_run_id(value, map_non_uuid=ctx.map_non_uuid_run_ids) is None:
            ctx.add(path, f"is not a UUID: {value!r}", "format")


@dataclass(frozen=True, slots=True)
class _Enum(_Rule):
    values: tuple[str, ...]

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        if not isinstance(value, str):
            ctx.add(path, f"must be a string (got {json_type(value)})", "type")
        elif value not in self.values:
            ctx.add(path, f"must be one of {', '.join(self.values)} (got {value!r})", "enum")


@dataclass(frozen=True, slots=True)
class _Obj(_Rule):
    properties: Mapping[str, _Rule] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    values: _Rule | None = None  # rule for keys not listed in ``properties`` (JSON Schema additionalProperties)

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        if not isinstance(value, dict):
            ctx.add(path, f"must be an object (got {json_type(value)})", "type")
            return
        for key in self.required:
            if value.get(key) is None:
                ctx.add(join_path(path, key), "is required", "required")
        for key, item in value.items():
            if item is None:
                continue
            rule = self.properties.get(key, self.values)
            if rule is not None:
                rule.check(item, join_path(path, key), ctx)


@dataclass(frozen=True, slots=True)
class _Arr(_Rule):
    items: _Rule

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        if not isinstance(value, list):
            ctx.add(path, f"must be an array (got {json_type(value)})", "type")
            return
        for index, item in enumerate(value):
            self.items.check(item, join_path(path, index), ctx)


@dataclass(frozen=True, slots=True)
class _Tagged(_Rule):
    """Pick the rule by the value of a discriminator key (JSON Schema ``oneOf`` over ``type`` consts)."""

    key: str
    cases: Mapping[str, _Rule]

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        if not isinstance(value, dict):
            ctx.add(path, f"must be an object (got {json_type(value)})", "type")
            return
        tag = value.get(self.key)
        rule = self.cases.get(tag) if isinstance(tag, str) else None
        if rule is None:
            ctx.add(join_path(path, self.key), f"must be one of {', '.join(self.cases)} (got {tag!r})", "enum")
            return
        rule.check(value, path, ctx)


@dataclass(frozen=True, slots=True)
class _Lazy(_Rule):
    """A forward reference, for recursive structures (nested schema fields)."""

    target: Callable[[], _Rule]

    def check(self, value: Any, path: str, ctx: _Context) -> None:
        self.target().check(value, path, ctx)


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


STR = _Scalar("string")
NON_EMPTY = _Scalar("string", non_empty=True)
INT = _Scalar("integer")
NUM = _Scalar("number")
BOOL = _Scalar("boolean")
OBJ = _Obj(values=None)
RUN_ID = _RunId()


def _strings(*names: str, required: tuple[str, ...] = (), **extra: _Rule) -> _Obj:
    """An object whose listed properties are strings, plus ``extra`` typed properties."""
    return _Obj(properties={**dict.fromkeys(names, STR), **extra}, required=required)


#
# Shared pieces
#

_TAG = _strings("key", "value", "source", required=("key", "value"))
_DATASET_TAG = _strings("key", "value", "source", "field", required=("key", "value"))
_OWNERS = _Obj(properties={"owners": _Arr(_strings("name", "type", required=("name",)))})
_DOCUMENTATION = _strings("description", "contentType", required=("description",))
_PARENT_RUN = _Obj(properties={"runId": RUN_ID, "facets": OBJ}, required=("runId",))
_PARENT_JOB = _Obj(
    properties={"namespace": NON_EMPTY, "name": NON_EMPTY, "facets": OBJ}, required=("namespace", "name")
)
_TRANSFORMATION = _Obj(
    properties={"type": STR, "subtype": STR, "description": STR, "masking": BOOL},
    required=("type",),
)
_INPUT_FIELD = _Obj(
    properties={"namespace": STR, "name": STR, "field": STR, "transformations": _Arr(_TRANSFORMATION)},
    required=("namespace", "name", "field"),
)
_LINEAGE_INPUT = _Tagged(
    "type",
    {
        "DATASET": _Obj(
            properties={
                "namespace": STR,
                "name": STR,
                "type": STR,
                "field": STR,
                "transformations": _Arr(_TRANSFORMATION),
            },
            required=("namespace", "name", "type"),
        ),
        "JOB": _Obj(
            properties={
                "namespace": STR,
                "name": STR,
                "type": STR,
                "runId": RUN_ID,
                "transformations": _Arr(_TRANSFORMATION),
            },
            required=("type",),
        ),
    },
)
_LINEAGE_FIELDS = _Obj(values=_Obj(properties={"inputs": _Arr(_LINEAGE_INPUT)}, required=("inputs",)))
_STATISTICS = _Obj(properties={"rowCount": INT, "size": INT, "fileCount": INT})
_COLUMN_METRICS = _Obj(
    values=_Obj(
        properties={
            "nullCount": INT,
            "distinctCount": INT,
            "sum": NUM,
            "count": NUM,
            "min": NUM,
            "max": NUM,
            "quantiles": _Obj(values=NUM),
        },
    ),
)
_DATA_QUALITY_METRICS = _Obj(
    properties={"rowCount": INT, "bytes": INT, "fileCount": INT, "lastUpdated": STR, "columnMetrics": _COLUMN_METRICS},
    required=("columnMetrics",),
)
_DATA_QUALITY_ASSERTIONS = _Obj(
    properties={
        "assertions": _Arr(
            _Obj(
                properties={
                    **dict.fromkeys(
                        ("assertion", "column", "severity", "name", "description", "expected", "actual", "content"),
                        STR,
                    ),
                    "contentType": STR,
                    "success": BOOL,
                    "params": OBJ,
                },
                required=("assertion", "success"),
            ),
        ),
    },
    required=("assertions",),
)
_JOB_DEPENDENCY = _Obj(
    properties={
        "job": _strings("namespace", "name", required=("namespace", "name")),
        "run": _Obj(properties={"runId": RUN_ID}, required=("runId",)),
        "dependency_type": STR,
        "sequence_trigger_rule": STR,
        "status_trigger_rule": STR,
    },
    required=("job",),
)


def _schema_field() -> _Rule:
    return _SCHEMA_FIELD


_SCHEMA_FIELD = _Obj(
    properties={
        "name": STR,
        "type": STR,
        "description": STR,
        "ordinal_position": INT,
        "fields": _Arr(_Lazy(_schema_field)),
    },
    required=("name",),
)

#
# Standard facets by (location, key)
#

_RUN_FACETS: dict[str, _Rule] = {
    "parent": _Obj(
        properties={
            "run": _PARENT_RUN,
            "job": _PARENT_JOB,
            "root": _Obj(properties={"run": _PARENT_RUN, "job": _PARENT_JOB}, required=("run", "job")),
        },
        required=("run", "job"),
    ),
    "nominalTime": _strings("nominalStartTime", "nominalEndTime", required=("nominalStartTime",)),
    "errorMessage": _strings(
        "message", "programmingLanguage", "stackTrace", required=("message", "programmingLanguage")
    ),
    "processing_engine": _strings("version", "name", "openlineageAdapterVersion", required=("version",)),
    "externalQuery": _strings("externalQueryId", "source", required=("externalQueryId", "source")),
    "extractionError": _Obj(
        properties={
            "totalTasks": INT,
            "failedTasks": INT,
            "errors": _Arr(_strings("errorMessage", "stackTrace", "task", taskNumber=INT, required=("errorMessage",))),
        },
        required=("totalTasks", "failedTasks", "errors"),
    ),
    "environmentVariables": _Obj(
        properties={"environmentVariables": _Arr(_strings("name", "value", required=("name", "value")))},
        required=("environmentVariables",),
    ),
    "executionParameters": _Obj(
        properties={"parameters": _Arr(_strings("key", "name", "description", "value", required=("key",)))},
    ),
    "tags": _Obj(properties={"tags": _Arr(_TAG)}),
    "jobDependencies": _Obj(
        properties={"upstream": _Arr(_JOB_DEPENDENCY), "downstream": _Arr(_JOB_DEPENDENCY), "trigger_rule": STR},
    ),
    "test": _Obj(
        properties={
            "tests": _Arr(
                _Obj(
                    properties={
                        **dict.fromkeys(
                            ("name", "status", "severity", "type", "description", "expected", "actual", "content"),
                            STR,
                        ),
                        "contentType": STR,
                        "params": OBJ,
                    },
                    required=("name", "status"),
                ),
            ),
        },
        required=("tests",),
    ),
}

_JOB_FACETS: dict[str, _Rule] = {
    "jobType": _Obj(
        properties={
            "processingType": STR,
            "integration": STR,
            "jobType": STR,
            "emissionPattern": _Obj(
                properties={"eventTrigger": STR, "eventContentMode": STR, "windowDuration": INT},
                required=("eventTrigger", "eventContentMode"),
            ),
        },
        required=("processingType", "integration"),
    ),
    "sql": _strings("query", "dialect", required=("query",)),
    "sourceCode": _strings("language", "sourceCode", required=("language", "sourceCode")),
    "sourceCodeLocation": _strings(
        "type",
        "url",
        "repoUrl",
        "path",
        "version",
        "tag",
        "branch",
        "pullRequestNumber",
        required=("type", "url"),
    ),
    "documentation": _DOCUMENTATION,
    "ownership": _OWNERS,
    "tags": _Obj(properties={"tags": _Arr(_TAG)}),
    "lineage": _Obj(
        properties={
            "entries": _Arr(
                _Tagged(
                    "type",
                    {
                        "DATASET": _Obj(
                            properties={
                                "namespace": STR,
                                "name": STR,
                                "type": STR,
                                "inputs": _Arr(_LINEAGE_INPUT),
                                "fields": _LINEAGE_FIELDS,
                            },
                            required=("namespace", "name", "type"),
                        ),
                        "JOB": _Obj(
                            properties={
                                "namespace": STR,
                                "name": STR,
                                "type": STR,
                                "runId": RUN_ID,
                                "inputs": _Arr(_LINEAGE_INPUT),
                            },
                            required=("type",),
                        ),
                    },
                ),
            ),
        },
        required=("entries",),
    ),
}

_DATASET_FACETS: dict[str, _Rule] = {
    "schema": _Obj(properties={"fields": _Arr(_SCHEMA_FIELD)}),
    "dataSource": _strings("name", "uri"),
    "columnLineage": _Obj(
        properties={
            "fields": _Obj(
                values=_Obj(
                    properties={
                        "inputFields": _Arr(_INPUT_FIELD),
                        "transformationDescription": STR,
                        "transformationType": STR,
                    },
                    required=("inputFields",),
                ),
            ),
            "dataset": _Arr(_INPUT_FIELD),
        },
        required=("fields",),
    ),
    "documentation": _DOCUMENTATION,
    "version": _strings("datasetVersion", required=("datasetVersion",)),
    "lifecycleStateChange": _Obj(
        properties={
            "lifecycleStateChange": _Enum(("ALTER", "CREATE", "DROP", "OVERWRITE", "RENAME", "TRUNCATE")),
            "previousIdentifier": _strings("name", "namespace", required=("name", "namespace")),
        },
        required=("lifecycleStateChange",),
    ),
    "symlinks": _Obj(
        properties={"identifiers": _Arr(_strings("namespace", "name", "type", required=("namespace", "name", "type")))},
    ),
    "datasetType": _strings("datasetType", "subType", required=("datasetType",)),
    "tags": _Obj(properties={"tags": _Arr(_DATASET_TAG)}),
    "ownership": _OWNERS,
    "storage": _strings("storageLayer", "fileFormat", required=("storageLayer",)),
    "hierarchy": _Obj(
        properties={"hierarchy": _Arr(_strings("type", "name", required=("type", "name")))},
        required=("hierarchy",),
    ),
    "catalog": _strings(
        "framework",
        "type",
        "name",
        "metadataUri",
        "warehouseUri",
        "source",
        required=("framework", "type", "name"),
        catalogProperties=_Obj(values=STR),
    ),
    "lineage": _Obj(properties={"inputs": _Arr(_LINEAGE_INPUT), "fields": _LINEAGE_FIELDS}),
    "dataQualityMetrics": _DATA_QUALITY_METRICS,
    "dataQualityAssertions": _DATA_QUALITY_ASSERTIONS,
}

_INPUT_FACETS: dict[str, _Rule] = {
    "dataQualityMetrics": _DATA_QUALITY_METRICS,
    "dataQualityAssertions": _DATA_QUALITY_ASSERTIONS,
    "inputStatistics": _STATISTICS,
    "subset": _Obj(properties={"inputCondition": OBJ}, required=("inputCondition",)),
}

_OUTPUT_FACETS: dict[str, _Rule] = {
    "outputStatistics": _STATISTICS,
    "subset": _Obj(properties={"outputCondition": OBJ}, required=("outputCondition",)),
}

FACET_RULES: Mapping[tuple[FacetLocation, str], _Rule] = {
    **{("run", key): rule for key, rule in _RUN_FACETS.items()},
    **{("job", key): rule for key, rule in _JOB_FACETS.items()},
    **{("dataset", key): rule for key, rule in _DATASET_FACETS.items()},
    **{("input", key): rule for key, rule in _INPUT_FACETS.items()},
    **{("output", key): rule for key, rule in _OUTPUT_FACETS.items()},
}
"""Standard facets with a structural rule, keyed on (location, facet key)."""

EXPERIMENTAL_FACETS: frozenset[tuple[FacetLocation, str]] = frozenset({("job", "lineage")})
"""Run/job facets whose failures are only warnings: the ``lineage`` facet is experimental (OpenLineage #4804)."""

CUSTODIAN_FACET_RULES: Mapping[str, _Rule] = {
    "custodian_inputRole": _Obj(properties={"role": _Enum(tuple(sorted(INPUT_ROLES)))}, required=("role",)),
    "custodian_modelDerivation": _Obj(
        properties={"kind": _Enum(tuple(sorted(MODEL_DERIVATION_KINDS)))},
        required=("kind",),
    ),
}
"""Custodian's own custom facets, checked (as warnings) wherever they appear."""


def check_facet(
    *,
    location: FacetLocation,
    key: str,
    facet: Any,
    path: str = "",
    map_non_uuid_run_ids: bool = False,
) -> list[Finding]:
    """
    Check one facet value against the structural rule for ``(location, key)``.

    Returns the findings (empty when the facet passes or has no rule: unknown and custom facets are never
    checked). ``path`` prefixes every finding's path, e.g. ``run.facets.parent``. Does not look at the base
    facet fields ``_producer``/``_schemaURL``/``_deleted``; ``validate_event`` handles those.
    """
    rule = FACET_RULES.get((location, key)) or CUSTODIAN_FACET_RULES.get(key)
    if rule is None:
        return []
    ctx = _Context(map_non_uuid_run_ids=map_non_uuid_run_ids)
    rule.check(facet, path or key, ctx)
    return ctx.findings
