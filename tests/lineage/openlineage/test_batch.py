import pytest

from lineage.openlineage.batch import BatchItemResult, batch_report
from lineage.openlineage.validation import validate_event
from tests.lineage.openlineage.conformance import SPEC, needs_conformance

VALID = {
    "eventType": "START",
    "eventTime": "2026-11-28T10:00:00Z",
    "run": {"runId": "01a2219f-5b65-7db3-a851-0e325139a157"},
    "job": {"namespace": "ns", "name": "job"},
}
INVALID = {**VALID, "run": {"runId": "run_id"}}


def test_all_accepted_is_204_without_body():
    # when
    status, body = batch_report([BatchItemResult.accepted(), BatchItemResult.accepted()])
    # then
    assert (status, body) == (204, None)


def test_empty_batch_is_204():
    assert batch_report([]) == (204, None)


def test_success_can_be_reported_explicitly():
    # when
    status, body = batch_report([BatchItemResult.accepted()], report_success=True)
    # then
    assert status == 200
    assert body == {
        "status": "success",
        "summary": {"received": 1, "successful": 1, "failed": 0, "retriable": 0, "non_retriable": 0},
        "failed_events": [],
    }


def test_partial_success_report():
    # given: the reference example, plus a retriable failure
    results = [
        BatchItemResult.from_validation(validate_event(VALID)),
        BatchItemResult.from_validation(validate_event(INVALID)),
        BatchItemResult.accepted(),
        BatchItemResult.rejected("database unavailable", retriable=True),
    ]
    # when
    status, body = batch_report(results)
    # then
    assert status == 200
    assert body == {
        "status": "partial_success",
        "summary": {"received": 4, "successful": 2, "failed": 2, "retriable": 1, "non_retriable": 1},
        "failed_events": [
            {"index": 1, "reason": "run.runId is not a UUID: 'run_id'", "retriable": False},
            {"index": 3, "reason": "database unavailable", "retriable": True},
        ],
    }


def test_all_failed_is_still_partial_success_as_the_spec_has_no_failure_status():
    # when
    status, body = batch_report([BatchItemResult.rejected("x" * 600)])
    # then
    assert status == 200
    assert body["status"] == "partial_success"
    assert body["summary"] == {"received": 1, "successful": 0, "failed": 1, "retriable": 0, "non_retriable": 1}
    assert body["failed_events"][0]["reason"] == "x" * 499 + "…"


@needs_conformance
@pytest.mark.parametrize("report_success", [False, True])
def test_report_matches_the_openapi_response_schema(report_success):
    # given: the 200 response schema of POST /lineage/batch in spec/OpenLineage.yml
    yaml = pytest.importorskip("yaml")
    jsonschema = pytest.importorskip("jsonschema")
    spec = yaml.safe_load((SPEC / "OpenLineage.yml").read_text(encoding="utf-8"))
    responses = spec["paths"]["/lineage/batch"]["post"]["responses"]
    schema = responses["200"]["content"]["application/json"]["schema"]
    results = [BatchItemResult.accepted()] if report_success else [BatchItemResult.rejected("bad", retriable=False)]
    # when
    status, body = batch_report(results, report_success=report_success)
    # then
    assert set(responses) == {"200", "204"}
    assert status == 200
    assert list(jsonschema.Draft7Validator(schema).iter_errors(body)) == []
    assert body["status"] in schema["properties"]["status"]["enum"]
