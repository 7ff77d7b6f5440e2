import copy
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lineage.openlineage.facet_rules import check_facet, run_id_from_text
from lineage.openlineage.validation import Violation, event_kind, parse_event_time, validate_event

RUN_ID = "01a2219f-5b65-7db3-a851-0e325139a157"
PRODUCER = "https://example.com/producer/v1"


def run_event(**overrides):
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-28T10:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID, "facets": {}},
        "job": {"namespace": "ml-training", "name": "churn_model.train", "facets": {}},
        "inputs": [{"namespace": "s3://features", "name": "churn/features_v3", "facets": {}, "inputFacets": {}}],
        "outputs": [{"namespace": "mlflow://mlflow", "name": "models/churn/versions/7", "facets": {}}],
    }
    event.update(overrides)
    return event


def facet(**fields):
    return {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/x.json", **fields}


#
# Kind discrimination
#


@pytest.mark.parametrize(
    ("schema_url", "kind"),
    [
        ("https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent", "RunEvent"),
        ("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent", "RunEvent"),
        ("https://openlineage.io/spec/2-0-0/OpenLineage.json#/$defs/DatasetEvent", "DatasetEvent"),
        ("https://openlineage.io/spec/1-0-1/OpenLineage.json#/definitions/DatasetEvent", "DatasetEvent"),
        ("https://openlineage.io/spec/2-0-0/OpenLineage.json#/$defs/JobEvent", "JobEvent"),
        ("https://openlineage.io/spec/1-0-1/OpenLineage.json#/definitions/JobEvent", "JobEvent"),
    ],
)
def test_kind_comes_from_the_schema_url_fragment(schema_url, kind):
    # given: a structure that would say otherwise, to prove the schemaURL wins
    payload = {"schemaURL": schema_url, "dataset": {}}
    # when / then
    assert event_kind(payload) == kind


@pytest.mark.parametrize(
    ("_case", "payload", "kind"),
    [
        ("run", {"run": {}, "job": {}}, "RunEvent"),
        ("run without job", {"run": {}}, "RunEvent"),
        ("dataset", {"dataset": {}}, "DatasetEvent"),
        ("job", {"job": {}, "inputs": []}, "JobEvent"),
        ("dataset and job", {"dataset": {}, "job": {}}, "JobEvent"),
        ("nothing", {"eventTime": "2026-11-28T10:00:00Z"}, None),
        (
            "unknown fragment",
            {"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/BaseEvent", "job": {}},
            "JobEvent",
        ),
        ("no fragment", {"schemaURL": "https://openlineage.io/spec/1-0-1/OpenLineage.json", "run": {}}, "RunEvent"),
        ("schemaURL not a string", {"schemaURL": 7, "dataset": {}}, "DatasetEvent"),
    ],
)
def test_kind_falls_back_to_the_structure(_case, payload, kind):
    assert event_kind(payload) == kind


@pytest.mark.parametrize("payload", [None, [], "RunEvent", 3])
def test_kind_of_a_non_object_is_none(payload):
    assert event_kind(payload) is None


#
# Core: accepted
#


def test_a_complete_run_event_is_valid_without_warnings():
    # when
    result = validate_event(run_event())
    # then
    assert result.ok is True
    assert result.kind == "RunEvent"
    assert result.violations == []
    assert result.warnings == []


def test_lenient_edges_are_warnings_only():
    # given: no schemaURL, no producer, no eventType, no offset, nanoseconds, non-URI producer strings elsewhere
    payload = run_event(eventTime="2020-12-28T19:51:01.641499123")
    del payload["schemaURL"], payload["producer"], payload["eventType"]
    payload["outputs"][0]["facets"]["dataSource"] = facet(name="bq", uri="bigquery")
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation("eventTime", "has no UTC offset; read as UTC", "shape"),
        Violation("producer", "is missing", "missing"),
        Violation("schemaURL", "is missing", "missing"),
        Violation("eventType", "is missing; the event changes no run state", "missing"),
    ]


def test_unicode_and_large_events_are_valid():
    # given: 5 000 unicode-named outputs with 20 columns each
    payload = run_event()
    fields = [{"name": f"колонка_{index}", "type": "string", "description": "説明 ✓"} for index in range(20)]
    payload["outputs"] = [
        {"namespace": "s3://données", "name": f"表/{index}", "facets": {"schema": facet(fields=fields)}}
        for index in range(5_000)
    ]
    # when
    result = validate_event(payload)
    # then
    assert (result.ok, result.violations, result.warnings) == (True, [], [])


def test_null_optional_fields_count_as_absent():
    # given
    payload = run_event(eventType=None, inputs=None)
    payload["run"]["facets"] = None
    payload["job"]["facets"]["sql"] = facet(query="SELECT 1", dialect=None)
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [Violation("eventType", "is missing; the event changes no run state", "missing")]


def test_job_event_and_dataset_event_are_valid():
    # given
    job_event = {
        "eventTime": "2026-11-28T10:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
        "job": {"namespace": "ns", "name": "job"},
        "inputs": [{"namespace": "ns", "name": "in"}],
    }
    dataset_event = {
        "eventTime": "2026-11-28T10:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": "ns", "name": "table"},
    }
    # when
    results = [validate_event(job_event), validate_event(dataset_event)]
    # then
    assert [(result.kind, result.ok, result.warnings) for result in results] == [
        ("JobEvent", True, []),
        ("DatasetEvent", True, []),
    ]


#
# Core: violations
#


@pytest.mark.parametrize(
    ("_case", "mutate", "expected"),
    [
        ("no run", lambda e: e.pop("run"), [Violation("run", "is required", "required")]),
        (
            "run not an object",
            lambda e: e.update(run="x"),
            [Violation("run", "must be an object (got string)", "type")],
        ),
        ("no runId", lambda e: e["run"].pop("runId"), [Violation("run.runId", "is required", "required")]),
        (
            "runId not a UUID",
            lambda e: e["run"].update(runId="run_id"),
            [Violation("run.runId", "is not a UUID: 'run_id'", "format")],
        ),
        (
            "runId a number",
            lambda e: e["run"].update(runId=42),
            [Violation("run.runId", "must be a string (got integer)", "type")],
        ),
        ("no job", lambda e: e.pop("job"), [Violation("job", "is required", "required")]),
        ("no job name", lambda e: e["job"].pop("name"), [Violation("job.name", "is required", "required")]),
        (
            "empty job namespace",
            lambda e: e["job"].update(namespace=" "),
            [Violation("job.namespace", "must not be empty", "empty")],
        ),
        (
            "null job name",
            lambda e: e["job"].update(name=None),
            [Violation("job.name", "is required", "required")],
        ),
        (
            "dataset without name",
            lambda e: e["inputs"][0].pop("name"),
            [Violation("inputs[0].name", "is required", "required")],
        ),
        (
            "dataset namespace not a string",
            lambda e: e["outputs"][0].update(namespace=["s3"]),
            [Violation("outputs[0].namespace", "must be a string (got array)", "type")],
        ),
        (
            "inputs not an array",
            lambda e: e.update(inputs={}),
            [Violation("inputs", "must be an array (got object)", "type")],
        ),
        (
            "eventType not in the enum",
            lambda e: e.update(eventType="DONE"),
            [
                Violation(
                    "eventType",
                    "must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER (got 'DONE')",
                    "enum",
                ),
            ],
        ),
        ("no eventTime", lambda e: e.pop("eventTime"), [Violation("eventTime", "is required", "required")]),
        (
            "eventTime unparseable",
            lambda e: e.update(eventTime="yesterday"),
            [Violation("eventTime", "is not an ISO 8601 date-time: 'yesterday'", "format")],
        ),
        (
            "eventTime epoch millis",
            lambda e: e.update(eventTime=1729097588979),
            [Violation("eventTime", "must be a string (got integer)", "type")],
        ),
        (
            "producer not a string",
            lambda e: e.update(producer={"url": PRODUCER}),
            [Violation("producer", "must be a string (got object)", "type")],
        ),
        (
            "run facets not an object",
            lambda e: e["run"].update(facets=[]),
            [Violation("run.facets", "must be an object (got array)", "type")],
        ),
        (
            "inputFacets not an object",
            lambda e: e["inputs"][0].update(inputFacets="x"),
            [Violation("inputs[0].inputFacets", "must be an object (got string)", "type")],
        ),
    ],
)
def test_core_violations(_case, mutate, expected):
    # given
    payload = run_event()
    mutate(payload)
    # when
    result = validate_event(payload)
    # then
    assert result.ok is False
    assert result.violations == expected


def test_non_uuid_run_id_is_mapped_when_asked():
    # given
    payload = run_event()
    payload["run"]["runId"] = "run_id"
    # when
    result = validate_event(payload, map_non_uuid_run_ids=True)
    # then
    mapped = uuid.uuid5(uuid.NAMESPACE_URL, "run_id")
    assert run_id_from_text("run_id") == mapped
    assert result.ok is True
    assert result.warnings == [Violation("run.runId", f"is not a UUID: 'run_id'; mapped to {mapped}", "format")]


@pytest.mark.parametrize("run_id", ["", "   "])
def test_blank_run_id_is_rejected_even_when_mapping(run_id):
    # given
    payload = run_event()
    payload["run"]["runId"] = run_id
    # when
    result = validate_event(payload, map_non_uuid_run_ids=True)
    # then
    assert result.violations == [Violation("run.runId", f"is not a UUID: {run_id!r}", "format")]


@pytest.mark.parametrize("payload", [[], "x", None, 1.5])
def test_a_non_object_event_is_rejected(payload):
    # when
    result = validate_event(payload)
    # then
    assert result.kind is None
    assert [violation.code for violation in result.violations] == ["type"]


def test_an_event_without_run_job_or_dataset_has_no_kind():
    # when
    result = validate_event({"eventTime": "2026-11-28T10:00:00Z", "producer": PRODUCER})
    # then
    assert result.kind is None
    assert result.violations == [
        Violation(
            "",
            "cannot determine the event kind: schemaURL names no RunEvent, DatasetEvent or JobEvent "
            "and the event has no run, job or dataset",
            "kind",
        ),
    ]


def test_declared_kind_is_authoritative():
    # given: a JobEvent that carries a run, and a DatasetEvent that lacks its dataset
    job_event = run_event(schemaURL="https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent")
    dataset_event = run_event(schemaURL="https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent")
    # when
    results = [validate_event(job_event), validate_event(dataset_event)]
    # then
    assert [result.violations for result in results] == [
        [Violation("run", "is not allowed on a JobEvent", "forbidden")],
        [
            Violation("", "a DatasetEvent must not carry both run and job", "forbidden"),
            Violation("dataset", "is required", "required"),
        ],
    ]


def test_unknown_schema_url_fragment_is_a_warning():
    # when
    result = validate_event(run_event(schemaURL="https://example.com/custom-schema.json"))
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation("schemaURL", "names no event kind; treated as a RunEvent by its structure", "shape"),
    ]


def test_reason_and_to_dict():
    # given
    payload = run_event()
    payload["run"]["runId"] = "run_id"
    del payload["job"]["name"], payload["job"]["namespace"]
    payload["eventType"] = "DONE"
    # when
    result = validate_event(payload)
    # then
    assert result.reason(limit=2) == (
        "eventType must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER (got 'DONE'); "
        "run.runId is not a UUID: 'run_id'; and 2 more"
    )
    assert result.to_dict()["violations"][1] == {
        "path": "run.runId",
        "message": "is not a UUID: 'run_id'",
        "code": "format",
    }


def test_deeply_nested_standard_facet_is_rejected_not_crashed():
    # given: a schema facet nested deeper than the interpreter's recursion limit
    nested = {"name": "f"}
    for _ in range(5_000):
        nested = {"name": "f", "fields": [nested]}
    payload = run_event()
    payload["outputs"][0]["facets"]["schema"] = facet(fields=[nested])
    # when
    result = validate_event(payload)
    # then
    assert result.violations == [Violation("", "event is nested too deeply", "type")]


#
# Facets
#

SAMPLE_FACETS = {
    "parent": facet(run={"runId": RUN_ID}, job={"namespace": "airflow", "name": "dag.task"}),
    "nominalTime": facet(nominalStartTime="2020-01-01"),
    "errorMessage": facet(message="boom", programmingLanguage="python"),
    "processing_engine": facet(version="3.5.0", name="spark"),
    "externalQuery": facet(externalQueryId="q1", source="bigquery"),
    "extractionError": facet(totalTasks=1, failedTasks=1, errors=[{"errorMessage": "x", "taskNumber": 0}]),
    "environmentVariables": facet(environmentVariables=[{"name": "ENV", "value": "prod"}]),
    "executionParameters": facet(parameters=[{"key": "learning_rate", "value": "0.01"}]),
    "tags": facet(tags=[{"key": "team", "value": "ml", "source": "USER"}]),
    "jobType": facet(processingType="BATCH", integration="MLFLOW", jobType="TRAINING"),
    "sql": facet(query="SELECT 1"),
    "sourceCode": facet(language="python", sourceCode="print(1)"),
    "sourceCodeLocation": facet(type="git", url="https://github.com/x/y"),
    "documentation": facet(description="trains churn"),
    "ownership": facet(owners=[{"name": "team:ml"}]),
}


@pytest.mark.parametrize(
    ("location", "key", "mutate", "path", "message", "code"),
    [
        ("run", "parent", lambda f: f["run"].pop("runId"), "run.facets.parent.run.runId", "is required", "required"),
        (
            "run",
            "parent",
            lambda f: f["run"].update(runId="nope"),
            "run.facets.parent.run.runId",
            "is not a UUID: 'nope'",
            "format",
        ),
        ("run", "parent", lambda f: f.pop("job"), "run.facets.parent.job", "is required", "required"),
        (
            "run",
            "parent",
            lambda f: f.update(root={"run": {"runId": RUN_ID}}),
            "run.facets.parent.root.job",
            "is required",
            "required",
        ),
        (
            "run",
            "nominalTime",
            lambda f: f.pop("nominalStartTime"),
            "run.facets.nominalTime.nominalStartTime",
            "is required",
            "required",
        ),
        (
            "run",
            "errorMessage",
            lambda f: f.pop("programmingLanguage"),
            "run.facets.errorMessage.programmingLanguage",
            "is required",
            "required",
        ),
        (
            "run",
            "processing_engine",
            lambda f: f.update(version=3),
            "run.facets.processing_engine.version",
            "must be a string (got integer)",
            "type",
        ),
        (
            "run",
            "externalQuery",
            lambda f: f.pop("source"),
            "run.facets.externalQuery.source",
            "is required",
            "required",
        ),
        (
            "run",
            "extractionError",
            lambda f: f.update(totalTasks="1"),
            "run.facets.extractionError.totalTasks",
            "must be an integer (got string)",
            "type",
        ),
        (
            "run",
            "extractionError",
            lambda f: f["errors"][0].pop("errorMessage"),
            "run.facets.extractionError.errors[0].errorMessage",
            "is required",
            "required",
        ),
        (
            "run",
            "environmentVariables",
            lambda f: f["environmentVariables"][0].pop("value"),
            "run.facets.environmentVariables.environmentVariables[0].value",
            "is required",
            "required",
        ),
        (
            "run",
            "executionParameters",
            lambda f: f["parameters"][0].update(value=0.01),
            "run.facets.executionParameters.parameters[0].value",
            "must be a string (got number)",
            "type",
        ),
        (
            "run",
            "tags",
            lambda f: f["tags"][0].pop("value"),
            "run.facets.tags.tags[0].value",
            "is required",
            "required",
        ),
        (
            "job",
            "jobType",
            lambda f: f.pop("processingType"),
            "job.facets.jobType.processingType",
            "is required",
            "required",
        ),
        (
            "job",
            "jobType",
            lambda f: f.update(emissionPattern={"eventTrigger": "PERIODIC"}),
            "job.facets.jobType.emissionPattern.eventContentMode",
            "is required",
            "required",
        ),
        (
            "job",
            "sql",
            lambda f: f.update(query=["SELECT 1"]),
            "job.facets.sql.query",
            "must be a string (got array)",
            "type",
        ),
        ("job", "sourceCode", lambda f: f.pop("language"), "job.facets.sourceCode.language", "is required", "required"),
        (
            "job",
            "sourceCodeLocation",
            lambda f: f.pop("url"),
            "job.facets.sourceCodeLocation.url",
            "is required",
            "required",
        ),
        (
            "job",
            "documentation",
            lambda f: f.pop("description"),
            "job.facets.documentation.description",
            "is required",
            "required",
        ),
        (
            "job",
            "ownership",
            lambda f: f.update(owners=[{"type": "MAINTAINER"}]),
            "job.facets.ownership.owners[0].name",
            "is required",
            "required",
        ),
        (
            "job",
            "tags",
            lambda f: f.update(tags={"key": "x"}),
            "job.facets.tags.tags",
            "must be an array (got object)",
            "type",
        ),
    ],
)
def test_broken_run_and_job_facets_are_violations(location, key, mutate, path, message, code):
    # given
    broken = copy.deepcopy(SAMPLE_FACETS[key])
    mutate(broken)
    payload = run_event()
    payload[location]["facets"][key] = broken
    # when
    result = validate_event(payload)
    # then
    assert result.ok is False
    assert result.violations == [Violation(path, message, code)]


@pytest.mark.parametrize(("key", "value"), SAMPLE_FACETS.items(), ids=SAMPLE_FACETS)
def test_well_formed_run_and_job_facets_pass(key, value):
    # given
    location = (
        "job" if key in {"jobType", "sql", "sourceCode", "sourceCodeLocation", "documentation", "ownership"} else "run"
    )
    payload = run_event()
    payload[location]["facets"][key] = copy.deepcopy(value)
    # when
    result = validate_event(payload)
    # then
    assert (result.violations, result.warnings) == ([], [])


def test_broken_dataset_facets_are_only_warnings():
    # given
    payload = run_event()
    payload["outputs"][0]["facets"]["schema"] = facet(fields=[{"type": "string"}, {"name": "a", "fields": "x"}])
    payload["outputs"][0]["facets"]["version"] = facet(datasetVersion=7)
    payload["inputs"][0]["inputFacets"]["inputStatistics"] = facet(rowCount="many")
    payload["outputs"][0]["outputFacets"] = {"outputStatistics": "x"}
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation("inputs[0].inputFacets.inputStatistics.rowCount", "must be an integer (got string)", "type"),
        Violation("outputs[0].facets.schema.fields[0].name", "is required", "required"),
        Violation("outputs[0].facets.schema.fields[1].fields", "must be an array (got string)", "type"),
        Violation("outputs[0].facets.version.datasetVersion", "must be a string (got integer)", "type"),
        Violation("outputs[0].outputFacets.outputStatistics", "must be an object (got string)", "type"),
    ]


def test_custom_facets_are_not_checked():
    # given
    payload = run_event()
    payload["run"]["facets"]["spark_properties"] = {"anything": [1, {"goes": None}]}
    payload["run"]["facets"]["custodian_trainingMetrics"] = {"metrics": {"val_auc": 0.912}}
    payload["job"]["facets"]["weird"] = "not even an object"
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [Violation("job.facets.weird", "must be an object (got string)", "type")]


def test_custodian_facets_are_checked_as_warnings():
    # given
    payload = run_event()
    payload["inputs"][0]["inputFacets"]["custodian_inputRole"] = facet(role="validation")
    payload["run"]["facets"]["custodian_modelDerivation"] = facet(kind="fine_tuning")
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation(
            "inputs[0].inputFacets.custodian_inputRole.role",
            "must be one of adapter, base_model, data, eval_data, merge_source, teacher_model, training_data "
            "(got 'validation')",
            "enum",
        ),
    ]


def test_standard_facet_without_producer_is_a_warning():
    # given
    payload = run_event()
    payload["job"]["facets"]["sql"] = {"query": "SELECT 1"}
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation("job.facets.sql._producer", "is missing", "missing"),
        Violation("job.facets.sql._schemaURL", "is missing", "missing"),
    ]


def test_deleted_job_facet_skips_its_checks():
    # given
    payload = run_event()
    payload["job"]["facets"]["sql"] = facet(_deleted=True)
    payload["outputs"][0]["facets"]["schema"] = facet(_deleted=True)
    # when
    result = validate_event(payload)
    # then
    assert (result.violations, result.warnings) == ([], [])


def test_deleted_flag_must_be_boolean_on_job_facets():
    # given
    payload = run_event()
    payload["job"]["facets"]["sql"] = facet(query="SELECT 1", _deleted="yes")
    # when
    result = validate_event(payload)
    # then
    assert result.violations == [Violation("job.facets.sql._deleted", "must be a boolean", "type")]


def test_malformed_tags_shape_is_tolerated():
    # given: the OpenLineage docs example puts the base fields and the tag list directly under "facets"
    payload = run_event()
    payload["job"]["facets"] = {
        "_producer": "https://some.producer.com/version/1.0",
        "_schemaURL": "https://github.com/OpenLineage/OpenLineage/blob/main/spec/facets/TagsJobFacet.json",
        "tags": [{"key": "environment", "value": "production", "source": "CONFIG"}],
    }
    # when
    result = validate_event(payload)
    # then
    assert result.ok is True
    assert result.warnings == [
        Violation("job.facets.tags", "is a bare list (malformed tags shape); read as the facet's tags", "shape"),
    ]


def test_malformed_tags_shape_items_are_still_checked():
    # given
    payload = run_event()
    payload["run"]["facets"] = {"tags": [{"key": "environment"}]}
    # when
    result = validate_event(payload)
    # then
    assert result.violations == [Violation("run.facets.tags[0].value", "is required", "required")]


def test_facet_rules_are_keyed_on_location_and_key():
    # given: "documentation" on a dataset requires description too, "tags" on a dataset allows "field"
    dataset_tags = {"tags": [{"key": "classification", "value": "PII", "field": "tax_id"}]}
    # when
    findings = [
        check_facet(location="dataset", key="tags", facet=dataset_tags),
        check_facet(location="run", key="tags", facet={"tags": [{"key": "k", "value": 1}]}),
        check_facet(location="output", key="schema", facet={"fields": "x"}),
        check_facet(location="job", key="unknown", facet=None),
    ]
    # then
    assert [[(finding.path, finding.code) for finding in found] for found in findings] == [
        [],
        [("tags.tags[0].value", "type")],
        [],
        [],
    ]


#
# Time
#


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T10:00:00Z", datetime(2026, 11, 28, 10, 0, tzinfo=UTC)),
        ("2026-11-28T10:00:00.123Z", datetime(2026, 11, 28, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2020-12-28T19:51:01.641499123Z", datetime(2020, 12, 28, 19, 51, 1, 641499, tzinfo=UTC)),
        ("2020-12-28T19:51:01.641499", datetime(2020, 12, 28, 19, 51, 1, 641499, tzinfo=UTC)),
        ("2020-12-28T19:52:00.001+10:00", datetime(2020, 12, 28, 9, 52, 0, 1000, tzinfo=UTC)),
        ("2020-12-28T19:52:00-0530", datetime(2020, 12, 29, 1, 22, tzinfo=UTC)),
        ("2020-12-28T19:52:00+02", datetime(2020, 12, 28, 17, 52, tzinfo=UTC)),
        ("2020-12-28 19:52z", datetime(2020, 12, 28, 19, 52, tzinfo=UTC)),
        ("2020-12-28T19:52:00+01:00[Europe/Paris]", datetime(2020, 12, 28, 18, 52, tzinfo=UTC)),
    ],
)
def test_event_time_parsing(text, expected):
    # when
    parsed = parse_event_time(text)
    # then
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    ["2020-01-01", "yesterday", "2020-13-01T00:00:00Z", "2020-01-01T25:00:00Z", "2020-01-01T00:00:00+24:00", ""],
)
def test_event_time_rejects_non_date_times(text):
    with pytest.raises(ValueError):
        parse_event_time(text)


def test_event_time_keeps_the_instant():
    # given
    local = datetime(2020, 12, 28, 19, 52, tzinfo=timezone(timedelta(hours=10)))
    # when / then
    assert parse_event_time(local.isoformat()) == local
