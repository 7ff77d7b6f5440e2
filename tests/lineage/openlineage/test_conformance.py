"""
Every file of the shared OpenLineage conformance material, with the outcome its README expects, plus a
cross-check of the core verdict against the official JSON Schemas (via ``jsonschema``, tests only).
"""

import copy
import json
import uuid
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from lineage.openlineage.events import (
    DatasetRef,
    JobRef,
    column_lineage,
    data_source,
    dataset_subtype,
    dataset_type,
    documentation,
    job_type,
    lifecycle_change,
    owners,
    parent,
    parse_event,
    schema_fields,
    statistics,
    symlinks,
    tags,
    version_label,
)
from lineage.openlineage.facet_rules import check_facet
from lineage.openlineage.validation import Violation, validate_event
from tests.lineage.openlineage.conformance import (
    EVENTS,
    SPEC,
    demo_events,
    event_files,
    facet_sample_files,
    load,
    needs_conformance,
    relative,
)

pytestmark = needs_conformance

COMPAT = event_files("compat-consumer")
TOLERANCE = event_files("marquez-tolerance")
APPLES = event_files("marquez-apples")
CLIENT = event_files("client-examples")
PROXY = event_files("proxy-negative")
SAMPLES = facet_sample_files()
FULL_EXAMPLE = EVENTS / "facet-samples" / "example_full_event.json"
DEMO = EVENTS / "marquez-demo.template.json"
SIMPLE_RUN_EVENT = "compat-consumer/simple_run_event/events/simple_run_event.json"


def ids(paths):
    return [relative(path) for path in paths]


def events_of(path: Path):
    payload = demo_events() if path == DEMO else load(path)
    return payload if isinstance(payload, list) else [payload]


def test_every_conformance_file_is_covered():
    # given
    every_file = {relative(path) for path in EVENTS.rglob("*.json")}
    # when
    covered = set(ids(COMPAT + TOLERANCE + APPLES + CLIENT + PROXY + SAMPLES + [FULL_EXAMPLE, DEMO]))
    # then
    assert every_file == covered
    assert (len(COMPAT), len(TOLERANCE), len(APPLES), len(CLIENT), len(PROXY), len(SAMPLES)) == (74, 15, 8, 3, 8, 46)


#
# compat-consumer: 73 valid, simple_run_event has runId "run_id"
#


@pytest.mark.parametrize("path", COMPAT, ids=ids(COMPAT))
def test_compat_consumer_event(path):
    # given
    payload = load(path)
    # when
    result = validate_event(payload)
    # then
    if relative(path) == SIMPLE_RUN_EVENT:
        assert result.violations == [Violation("run.runId", "is not a UUID: 'run_id'", "format")]
    else:
        assert result.violations == []
        assert result.kind == "RunEvent"
        assert parse_event(payload).run_id == uuid.UUID(payload["run"]["runId"])


def test_compat_consumer_totals():
    # when
    verdicts = [validate_event(load(path)).ok for path in COMPAT]
    # then
    assert (verdicts.count(True), verdicts.count(False)) == (73, 1)


def test_simple_run_event_is_accepted_when_mapping_non_uuid_run_ids():
    # given
    payload = load(EVENTS / SIMPLE_RUN_EVENT)
    # when
    result = validate_event(payload, map_non_uuid_run_ids=True)
    event = parse_event(payload, map_non_uuid_run_ids=True)
    # then
    mapped = uuid.uuid5(uuid.NAMESPACE_URL, "run_id")
    assert result.ok is True
    assert result.warnings == [Violation("run.runId", f"is not a UUID: 'run_id'; mapped to {mapped}", "format")]
    assert event.run_id == mapped
    assert [(ref.namespace, ref.name) for ref in event.inputs] == [("bigquery", "test.table.input")]
    assert [(ref.namespace, ref.name) for ref in event.outputs] == [("bigquery", "test.table.output")]


def test_simple_run_event_cannot_be_parsed_without_mapping():
    with pytest.raises(ValueError, match="run.runId is not a UUID: 'run_id'"):
        parse_event(load(EVENTS / SIMPLE_RUN_EVENT))


#
# Marquez tolerance, apples, demo; client examples
#

TOLERANCE_KINDS = {"event_dataset_event.json": "DatasetEvent", "event_job_event.json": "JobEvent"}


@pytest.mark.parametrize("path", TOLERANCE, ids=ids(TOLERANCE))
def test_marquez_tolerance_event_is_accepted(path):
    # given
    payload = load(path)
    # when
    result = validate_event(payload)
    event = parse_event(payload)
    # then
    assert result.violations == []
    assert result.kind == event.kind == TOLERANCE_KINDS.get(path.name, "RunEvent")
    assert event.event_time.tzinfo is not None


def test_marquez_tolerance_edge_cases_parse_as_expected():
    # given
    no_timezone = load(EVENTS / "marquez-tolerance" / "event_required_no_timezone.json")
    nanoseconds = load(EVENTS / "marquez-tolerance" / "event_required_nanoseconds.json")
    unicode = load(EVENTS / "marquez-tolerance" / "event_unicode.json")
    large = EVENTS / "marquez-tolerance" / "event_large.json"
    # when
    events = [parse_event(no_timezone), parse_event(nanoseconds), parse_event(unicode), parse_event(load(large))]
    # then
    assert events[0].event_time.isoformat() == "2020-12-28T19:51:01.641499+00:00"
    assert events[0].event_type is None
    assert events[1].event_time.isoformat() == "2020-12-28T19:51:01.641499+00:00"
    assert events[2].raw == unicode
    assert large.stat().st_size == 220_009


@pytest.mark.parametrize("path", APPLES, ids=ids(APPLES))
def test_marquez_apples_event_is_accepted(path):
    # given
    payload = load(path)
    # when
    result = validate_event(payload)
    # then
    assert result.violations == []
    assert result.warnings == [Violation("schemaURL", "is missing", "missing")]
    assert parse_event(payload).schema_url is None


def test_marquez_demo_events_are_accepted_after_placeholder_replacement():
    # given
    payloads = demo_events()
    # when
    results = [validate_event(payload) for payload in payloads]
    # then
    assert len(payloads) == 26
    assert [result.violations for result in results] == [[]] * 26
    assert Counter(parse_event(payload).event_type for payload in payloads) == {"START": 13, "COMPLETE": 13}


CLIENT_KINDS = {
    "serde_example_dataset_event.json": "DatasetEvent",
    "serde_example_job_event.json": "JobEvent",
    "serde_example_run_event.json": "RunEvent",
}


@pytest.mark.parametrize("path", CLIENT, ids=ids(CLIENT))
def test_client_example_is_accepted(path):
    # given
    payload = load(path)
    # when
    result = validate_event(payload)
    # then
    assert result.violations == []
    assert result.kind == CLIENT_KINDS[path.name]
    assert result.warnings == [Violation("eventTime", "has no UTC offset; read as UTC", "shape")]


#
# fluentd proxy negative cases
#

PROXY_EXPECTED = {
    "event_simple.json": ([], []),
    "event_full.json": (
        [],
        [Violation("inputs[0].inputFacets.dataQualityMetrics.columnMetrics", "is required", "required")],
    ),
    "event_invalid_dataset_facet.json": (
        [],
        [Violation("outputs[0].facets.ownership.owners[0].name", "is required", "required")],
    ),
    "event_invalid_input_dataset_facet.json": (
        [],
        [Violation("inputs[0].inputFacets.dataQualityMetrics.columnMetrics", "is required", "required")],
    ),
    "event_invalid_output_dataset_facet.json": (
        [],
        [Violation("outputs[0].outputFacets.outputStatistics.rowCount", "must be an integer (got string)", "type")],
    ),
    "event_invalid_job_facet.json": ([Violation("job.facets.ownership.owners[0].name", "is required", "required")], []),
    "event_invalid_run_facet.json": ([Violation("run.facets.parent.run.runId", "is required", "required")], []),
    "event_no_run_id.json": ([Violation("run.runId", "is required", "required")], []),
}


@pytest.mark.parametrize("path", PROXY, ids=ids(PROXY))
def test_proxy_event_outcome(path):
    # given
    violations, warnings = PROXY_EXPECTED[path.name]
    # when
    result = validate_event(load(path))
    # then
    assert result.ok is (not violations)
    assert result.violations == violations
    assert result.warnings == warnings


def test_full_example_event_with_a_stray_dataset_is_a_run_event():
    # when
    result = validate_event(load(FULL_EXAMPLE))
    event = parse_event(load(FULL_EXAMPLE))
    # then
    assert (result.kind, result.violations, result.warnings) == ("RunEvent", [], [])
    assert event.dataset is None
    assert event.job == JobRef(
        namespace="food_delivery",
        name="dbt",
        facets={"sql": {"query": "SELECT 1", "_producer": "http://123", "_schemaURL": "http://123"}},
    )


#
# Facet samples: official facet schema (jsonschema) and our own rules and accessors
#


@cache
def _registry():
    referencing = pytest.importorskip("referencing")
    resources = [load(SPEC / "OpenLineage.json"), *(load(path) for path in sorted((SPEC / "facets").glob("*.json")))]
    return referencing.Registry().with_resources(
        (resource["$id"], referencing.Resource.from_contents(resource)) for resource in resources
    )


def _schema_errors(schema, instance):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema, registry=_registry())
    return [error.message for error in validator.iter_errors(instance)]


def _sample_location(path: Path, facet: dict) -> str:
    name = path.parent.name
    if name == "LineageFacet":
        return "job" if facet["_schemaURL"].endswith("LineageJobFacet") else "dataset"
    if name == "BaseSubsetDatasetFacet":
        return "input"
    for suffix, location in (
        ("InputDatasetFacet", "input"),
        ("OutputDatasetFacet", "output"),
        ("DatasetFacet", "dataset"),
        ("RunFacet", "run"),
        ("JobFacet", "job"),
    ):
        if name.endswith(suffix):
            return location
    raise AssertionError(f"no location for {name}")


@pytest.mark.parametrize("path", SAMPLES, ids=ids(SAMPLES))
def test_facet_sample_matches_its_schema_and_our_rules(path):
    # given
    sample = load(path)
    schema = load(SPEC / "facets" / f"{path.parent.name}.json")
    [(key, facet)] = sample.items()
    # when
    schema_errors = _schema_errors(schema, sample)
    findings = check_facet(location=_sample_location(path, facet), key=key, facet=facet)
    # then
    assert schema_errors == []
    assert findings == []
    assert key in schema["properties"]


def _sample(name: str, file: str = "1.json") -> dict:
    return load(EVENTS / "facet-samples" / name / file)


def _dataset(facets=None, io_facets=None) -> DatasetRef:
    return DatasetRef(namespace="ns", name="ds", facets=facets or {}, io_facets=io_facets or {})


def test_schema_sample_accessor():
    # when
    fields = schema_fields(_dataset(_sample("SchemaDatasetFacet")))
    # then
    assert [(field.name, field.type, field.ordinal, field.depth) for field in fields] == [
        ("user_id", "int64", 1, 0),
        ("counterparty_id", "int64", 2, 0),
        ("currency", "object", 3, 0),
        ("amount", "int64", 4, 0),
        ("phones", "array", 5, 0),
        ("phones._element", "string", 1, 1),
        ("addresses", "struct", 6, 0),
        ("addresses.type", "string", 1, 1),
        ("addresses.country", "string", 2, 1),
        ("addresses.zip", "string", 3, 1),
        ("addresses.state", "string", 4, 1),
        ("addresses.street", "string", 5, 1),
        ("custom_properties", "map", 7, 0),
        ("custom_properties.key", "string", 1, 1),
        ("custom_properties.value", "union", 2, 1),
        ("custom_properties.value._0", "string", 1, 2),
        ("custom_properties.value._1", "int64", 2, 2),
    ]
    assert fields[4].description == "List of phone numbers"


def test_column_lineage_sample_accessor():
    # when
    entries = column_lineage(_dataset(_sample("ColumnLineageDatasetFacet", "2.json")))
    # then
    assert [
        (entry.output_field, entry.input_field, entry.transformation_type, entry.transformation_subtype)
        for entry in entries
    ] == [
        ("id", "id", "DIRECT", "IDENTITY"),
        ("firstName", "first_name", "DIRECT", "IDENTITY"),
        ("lastName", "last_name", "DIRECT", "IDENTITY"),
        ("ageNextYear", "age", "DIRECT", "TRANSFORMATION"),
        (None, "last_name", "INDIRECT", "SORT"),
        (None, "first_name", "INDIRECT", "SORT"),
        (None, "age", "INDIRECT", "FILTER"),
    ]
    assert {(entry.input_namespace, entry.input_name, entry.masking) for entry in entries} == {
        ("s3://test-bucket", "/iceberg_warehouse/some-database/people", False),
    }


def test_dataset_facet_sample_accessors():
    # given
    ref = _dataset(
        {
            **_sample("DatasetTypeDatasetFacet"),
            **_sample("DatasetVersionDatasetFacet"),
            **_sample("DatasourceDatasetFacet"),
            **_sample("LifecycleStateChangeDatasetFacet"),
            **_sample("SymlinksDatasetFacet"),
            **_sample("OwnershipDatasetFacet"),
            **_sample("DocumentationDatasetFacet"),
            **_sample("TagsDatasetFacet"),
        },
        _sample("OutputStatisticsOutputDatasetFacet"),
    )
    # when / then
    assert (dataset_type(ref), dataset_subtype(ref), version_label(ref)) == ("VIEW", "MATERIALIZED", "2")
    assert data_source(ref).uri == "https://some.location.com/datsource/one"
    assert data_source(ref).name == "datasource_one"
    assert lifecycle_change(ref).state == "RENAME"
    assert (lifecycle_change(ref).previous_namespace, lifecycle_change(ref).previous_name) == (
        "file",
        "/tmp/alter_test/alter_table_test",
    )
    assert [(link.namespace, link.name, link.type) for link in symlinks(ref)] == [
        ("/tmp/alter_test", "default.alter_table_test_new", "TABLE"),
    ]
    assert [(owner.name, owner.type) for owner in owners(ref.facets)] == [("owner", None)]
    assert documentation(ref.facets).description == _sample("DocumentationDatasetFacet")["documentation"]["description"]
    assert [(tag.key, tag.value, tag.field, tag.is_pii) for tag in tags(ref.facets)] == [
        ("test_tag", "test_value", "email", False),
        ("test_tag2", "test_value2", None, False),
    ]
    assert (statistics(ref).row_count, statistics(ref).size, statistics(ref).file_count) == (2000, 2097152, 5)


def test_job_facet_sample_accessors():
    # given
    job = JobRef(
        namespace="ns",
        name="job",
        facets={**_sample("OwnershipJobFacet"), **_sample("DocumentationJobFacet"), **_sample("TagsJobFacet")},
    )
    # when / then
    assert [owner.name for owner in owners(job.facets)] == ["owner"]
    assert documentation(job.facets).content_type == "text/markdown"
    assert [(tag.key, tag.source) for tag in tags(job.facets)] == [("test_tag", "test_source"), ("test_tag2", None)]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("1.json", ("BATCH", "SPARK", "QUERY", None)),
        ("2.json", ("STREAMING", "KAFKA_STREAMS", "STREAM_PROCESSOR", "COMPLETE_SNAPSHOT")),
        ("3.json", ("BATCH", "SPARK", "ETL", "ACCUMULATIVE")),
    ],
)
def test_job_type_sample_accessor(file, expected):
    # given
    job = JobRef(namespace="ns", name="job", facets=_sample("JobTypeJobFacet", file))
    # when
    found = job_type(job)
    # then
    assert (found.processing_type, found.integration, found.job_type, found.event_content_mode) == expected


def test_parent_sample_accessors():
    # when
    plain = parent(_sample("ParentRunFacet", "1.json"))
    rooted = parent(_sample("ParentRunFacet", "2.json"))
    # then
    assert (plain.run_id, plain.job_namespace, plain.job_name, plain.root_run_id) == (
        uuid.UUID("f99310b4-3c3c-1a1a-2b2b-c1b95c24ff11"),
        "dbt",
        "dbt-job-name",
        None,
    )
    assert (rooted.root_run_id, rooted.root_job_namespace, rooted.root_job_name) == (
        uuid.UUID("a0000000-3c3c-1a1a-2b2b-c1b95c24ff11"),
        "airflow",
        "my_dag",
    )


def test_run_tags_sample_accessor():
    # when
    found = tags(_sample("TagsRunFacet"))
    # then
    assert [(tag.key, tag.value, tag.source) for tag in found] == [
        ("test_tag", "test_value", "test_source"),
        ("test_tag2", "test_value2", None),
    ]


#
# Cross-check with the official core schema
#

CONFORMANCE_EVENTS = [
    (f"{relative(path)}#{index}", payload)
    for path in [*COMPAT, *TOLERANCE, *APPLES, *CLIENT, *PROXY, FULL_EXAMPLE, DEMO]
    if EVENTS.is_dir()
    for index, payload in enumerate(events_of(path))
]

_PLACEHOLDER_URI = "https://example.com/placeholder"
_FACET_CONTAINERS = ("facets", "inputFacets", "outputFacets")


def apply_documented_leniencies(payload):
    """
    The event as the official schema would need it for the leniencies Custodian documents: a missing
    ``schemaURL``/``producer`` and standard facets without ``_producer``/``_schemaURL`` are accepted.
    """
    payload = copy.deepcopy(payload)
    if isinstance(payload, dict):
        payload.setdefault("schemaURL", _PLACEHOLDER_URI)
        payload.setdefault("producer", _PLACEHOLDER_URI)
        entities = [payload.get("run"), payload.get("job"), payload.get("dataset")]
        entities += [*(payload.get("inputs") or []), *(payload.get("outputs") or [])]
        for entity in entities:
            for container in _FACET_CONTAINERS:
                facets = entity.get(container) if isinstance(entity, dict) else None
                for facet in (facets or {}).values() if isinstance(facets, dict) else ():
                    if isinstance(facet, dict):
                        facet.setdefault("_producer", _PLACEHOLDER_URI)
                        facet.setdefault("_schemaURL", _PLACEHOLDER_URI)
    return payload


def core_violations(result):
    """Violations of the core event model: no string-format checks (uuid, date-time), no facet-level rules."""
    return [
        violation
        for violation in result.violations
        if violation.code != "format" and not any(f".{name}." in f".{violation.path}" for name in _FACET_CONTAINERS)
    ]


def official_verdict(payload) -> bool:
    return _schema_errors(load(SPEC / "OpenLineage.json"), apply_documented_leniencies(payload)) == []


@pytest.mark.parametrize(("_id", "payload"), CONFORMANCE_EVENTS, ids=[item[0] for item in CONFORMANCE_EVENTS])
def test_core_verdict_agrees_with_the_official_schema(_id, payload):
    # when
    ours = not core_violations(validate_event(payload))
    # then
    assert ours is official_verdict(payload)


def test_official_schema_rejects_what_the_leniencies_forgive():
    # given: the apples events have no schemaURL
    payload = load(EVENTS / "marquez-apples" / "1_pick_apples.json")
    # when
    errors = _schema_errors(load(SPEC / "OpenLineage.json"), payload)
    # then
    assert errors != []
    assert official_verdict(payload) is True


BASE = {
    "eventType": "START",
    "eventTime": "2026-11-28T10:00:00Z",
    "producer": "https://example.com/p",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "01a2219f-5b65-7db3-a851-0e325139a157"},
    "job": {"namespace": "ns", "name": "job"},
    "inputs": [{"namespace": "ns", "name": "in"}],
}


def _mutated(mutate):
    payload = copy.deepcopy(BASE)
    mutate(payload)
    return payload


@pytest.mark.parametrize(
    ("_case", "mutate"),
    [
        ("unchanged", lambda e: None),
        ("no runId", lambda e: e["run"].pop("runId")),
        ("runId not a string", lambda e: e["run"].update(runId=1)),
        ("no job", lambda e: e.pop("job")),
        ("no job name", lambda e: e["job"].pop("name")),
        ("job namespace not a string", lambda e: e["job"].update(namespace=1)),
        ("input without namespace", lambda e: e["inputs"][0].pop("namespace")),
        ("inputs not an array", lambda e: e.update(inputs={"namespace": "ns"})),
        ("eventType not in enum", lambda e: e.update(eventType="DONE")),
        ("no eventType", lambda e: e.pop("eventType")),
        ("no eventTime", lambda e: e.pop("eventTime")),
        ("eventTime a number", lambda e: e.update(eventTime=1)),
        ("run facets an array", lambda e: e["run"].update(facets=[])),
        ("job event", lambda e: (e.pop("run"), e.update(schemaURL=BASE["schemaURL"].replace("Run", "Job")))),
        (
            "dataset event",
            lambda e: (
                e.pop("run"),
                e.pop("job"),
                e.update(
                    dataset={"namespace": "ns", "name": "t"}, schemaURL=BASE["schemaURL"].replace("Run", "Dataset")
                ),
            ),
        ),
        ("no kind at all", lambda e: (e.pop("run"), e.pop("job"))),
    ],
)
def test_core_verdict_agrees_with_the_official_schema_on_mutations(_case, mutate):
    # given
    payload = _mutated(mutate)
    # when
    ours = not core_violations(validate_event(payload))
    # then
    assert ours is official_verdict(payload)


@pytest.mark.parametrize(
    ("_case", "mutate", "ours", "official"),
    [
        ("empty job name: names must be non-empty", lambda e: e["job"].update(name=""), False, True),
        ("null eventType: null counts as absent", lambda e: e.update(eventType=None), True, False),
        ("RunEvent schemaURL without run: the declared kind is authoritative", lambda e: e.pop("run"), False, True),
        (
            "JobEvent schemaURL with a run: the declared kind is authoritative",
            lambda e: e.update(schemaURL=BASE["schemaURL"].replace("Run", "Job")),
            False,
            True,
        ),
    ],
)
def test_documented_core_disagreements(_case, mutate, ours, official):
    # given
    payload = _mutated(mutate)
    # when / then
    assert (not core_violations(validate_event(payload)), official_verdict(payload)) == (ours, official)


def test_conformance_events_round_trip_through_json():
    # given: what the raw table stores is the decoded payload; re-encoding must not lose anything
    payloads = [payload for _, payload in CONFORMANCE_EVENTS]
    # when
    round_tripped = [json.loads(json.dumps(payload, ensure_ascii=False)) for payload in payloads]
    # then
    assert round_tripped == payloads
    assert len(payloads) == 74 + 15 + 8 + 3 + 8 + 1 + 26
