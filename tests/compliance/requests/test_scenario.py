"""
Issue 5's end-to-end scenario over the real doors: an erasure request for one e-mail finds exactly the raw version,
the cleaned version, the three model versions and the deployment (the anonymised export needs no action, the
unrelated model is absent); publishing and scanning a raw version without that e-mail verifies the dataset action;
the request is worked to closure and exported; the raw e-mail is nowhere in the database or the logs.
"""

import hashlib
import io
import json
import logging
import zipfile

import pytest

from compliance.models import ActionVerification, Scan, SubjectRequest
from core.audit import verify_chain
from core.models import AuditEvent
from tests.compliance.requests.conftest import SUBJECT_EMAIL, database_text, register_raw_version
from tests.compliance.scans.conftest import write_people_csv

pytestmark = pytest.mark.django_db(transaction=True)

RAW_FORMS = ("jane.planted@example.com", "jane.planted")


def _create(scenario, value=SUBJECT_EMAIL, kind="erasure"):
    response = scenario.officer.post(
        "/api/subject-requests/", {"kind": kind, "identifiers": [{"kind": "email", "value": value}]}, format="json"
    )
    assert response.status_code == 201, response.content
    return response


def _impact(scenario, pk):
    response = scenario.officer.get(f"/api/subject-requests/{pk}/impact/")
    assert response.status_code == 200
    return response.json()


def test_erasure_impact_lists_exactly_the_affected_versions_and_the_deployment(scenario):
    # when: the officer enters the e-mail as the subject wrote it
    response = _create(scenario, value="  jane.planted@EXAMPLE.com ")
    # then: the answer names the subject by a masked hint only
    body = response.json()
    assert body["identifiers"] == [{"kind": "email", "hint": "j***@example.com"}]
    assert "jane.planted" not in response.content.decode().lower()
    impact = _impact(scenario, body["id"])
    v = scenario.v
    assert {(i["version"], i["reason"], i["action"], i["status"]) for i in impact["items"]} == {
        (v("raw"), "direct", "delete_records", "open"),
        (v("clean"), "downstream", "rebuild", "open"),
        (v("churn"), "downstream", "retrain", "open"),
        (v("churn_ft"), "downstream", "retrain", "open"),
        (v("int8"), "downstream", "retrain", "open"),
        (v("anon"), "anonymised", "none", "not_required"),
    }
    assert [(d["deployment"], d["model_version"], d["action"], d["status"]) for d in impact["deployments"]] == [
        (scenario.deployment, v("int8"), "redeploy", "open")
    ]
    paths = {i["version"]: i["path"] for i in impact["items"]}
    assert paths[v("int8")] == [v("raw"), v("clean"), v("churn"), v("churn_ft"), v("int8")]
    assert paths[v("anon")] == [v("raw"), v("anon")]
    assert impact["deployments"][0]["path"] == paths[v("int8")]
    by_version = {i["version"]: i for i in impact["items"]}
    assert by_version[v("int8")]["asset"] == "mlflow/models/churn-ft-int8"
    assert by_version[v("int8")]["kind"] == "model"
    assert by_version[v("raw")]["is_current"] is True
    assert [h["via"]["job_type"] for h in by_version[v("int8")]["hops"][1:]] == [
        "etl",
        "training",
        "fine_tuning",
        "quantisation",
    ]
    assert impact["is_partial"] is False


def test_publishing_a_raw_version_without_the_subject_verifies_the_dataset_action(scenario):
    # given
    pk = _create(scenario).json()["id"]
    # when: a new raw version without the e-mail is registered (which scans it)
    raw_v2 = register_raw_version(
        scenario.scientist, scenario.v("raw_asset"), "2", write_people_csv(scenario.tmp / "c2.csv", planted=False)
    )
    # then
    scan = Scan.objects.get(version_id=raw_v2)
    items = {i["version"]: i for i in _impact(scenario, pk)["items"]}
    assert items[scenario.v("raw")]["status"] == "verified"
    assert items[scenario.v("raw")]["is_current"] is False
    check = ActionVerification.objects.get()
    assert (check.passed, check.scan_id, check.version_id) == (True, scan.pk, raw_v2)
    assert check.detail == f"Version 2 (scan #{scan.pk}) no longer holds the subject."
    assert AuditEvent.objects.filter(object_type="compliance.actionverification", object_id=str(check.pk)).count() == 1
    assert {
        (i["version"], i["status"]) for i in _impact(scenario, pk)["items"] if i["version"] != scenario.v("raw")
    } == {
        (scenario.v("clean"), "open"),
        (scenario.v("churn"), "open"),
        (scenario.v("churn_ft"), "open"),
        (scenario.v("int8"), "open"),
        (scenario.v("anon"), "not_required"),
    }


def test_a_raw_version_still_holding_the_subject_fails_verification_and_reopens_a_done_action(scenario):
    # given: the officer marked the deletion done, but the new version still holds the e-mail
    pk = _create(scenario).json()["id"]
    raw_action = next(i for i in _impact(scenario, pk)["items"] if i["version"] == scenario.v("raw"))["action_id"]
    done = scenario.officer.patch(
        f"/api/subject-requests/{pk}/actions/{raw_action}/",
        {"status": "done", "evidence_note": "Deleted from CRM, ticket OPS-1"},
        format="json",
    )
    assert done.json()["status"] == "done"
    # when
    register_raw_version(scenario.scientist, scenario.v("raw_asset"), "2", write_people_csv(scenario.tmp / "c2.csv"))
    # then
    check = ActionVerification.objects.get()
    assert check.passed is False
    assert check.detail.endswith("still holds the subject (1 of 1 identifier(s)).")
    item = next(i for i in _impact(scenario, pk)["items"] if i["version"] == scenario.v("raw"))
    assert item["status"] == "in_progress"


def test_the_request_is_worked_to_closure_and_exported_and_the_email_is_nowhere(scenario, caplog):
    caplog.set_level(logging.DEBUG)
    officer = scenario.officer
    # given a request and a new raw version without the subject
    pk = _create(scenario).json()["id"]
    register_raw_version(
        scenario.scientist, scenario.v("raw_asset"), "2", write_people_csv(scenario.tmp / "c2.csv", planted=False)
    )
    impact = _impact(scenario, pk)
    action_of = {i["version"]: i["action_id"] for i in impact["items"]}
    deployment_action = impact["deployments"][0]["action_id"]
    # when closing too early
    early = officer.post(f"/api/subject-requests/{pk}/close/", {"outcome": "fulfilled"}, format="json")
    # then
    assert early.status_code == 409
    assert early.json()["open_actions"] == sorted(
        [action_of[scenario.v(n)] for n in ("clean", "churn", "churn_ft", "int8")] + [deployment_action]
    )
    # when every action is worked
    updates = [
        (action_of[scenario.v("clean")], {"status": "done", "evidence_note": "Rebuilt as customers_clean@2, run 8812"}),
        (action_of[scenario.v("churn")], {"action": "retrain", "status": "done", "evidence_note": "churn@2 trained"}),
        (
            action_of[scenario.v("churn_ft")],
            {"action": "unlearning", "status": "done", "evidence_note": "SISA shard 3"},
        ),
        (
            action_of[scenario.v("int8")],
            {"action": "exemption", "exemption_ground": "e", "justification": "Litigation hold, case 2026-17"},
        ),
        (deployment_action, {"action": "retire", "status": "done", "evidence_note": "Endpoint retired 2026-11-28"}),
    ]
    for action_id, data in updates:
        response = officer.patch(f"/api/subject-requests/{pk}/actions/{action_id}/", data, format="json")
        assert response.status_code == 200, response.content
    fulfilled = officer.post(f"/api/subject-requests/{pk}/close/", {"outcome": "fulfilled"}, format="json")
    closed = officer.post(
        f"/api/subject-requests/{pk}/close/", {"outcome": "partial", "note": "Model kept under 17(3)(e)"}, format="json"
    )
    # then
    assert fulfilled.status_code == 400
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "partial")
    # when exported
    export = officer.get(f"/api/subject-requests/{pk}/export/")
    # then the bundle checks out
    assert export.status_code == 200
    assert export["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert sorted(archive.namelist()) == ["README.txt", "audit.jsonl", "case.json", "manifest.json"]
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    case = json.loads(archive.read("case.json"))
    assert case["request"]["outcome"] == "partial"
    assert case["subject"][0]["hint"] == "j***@example.com"
    assert len(case["subject"][0]["digest"]) == 64
    raw_row = next(a for a in case["actions"] if a["version"] == scenario.v("raw"))
    assert raw_row["status"] == "verified"
    assert [c["passed"] for c in raw_row["verifications"]] == [True]
    events = [json.loads(line) for line in archive.read("audit.jsonl").splitlines()]
    assert events[0]["object_type"] == "compliance.subjectrequest" and events[0]["action"] == "create"
    assert events[-1]["reason"].startswith("closed: partial")
    export_event = AuditEvent.objects.filter(action="export", object_id=str(pk)).get()
    assert export_event.after["manifest_sha256"] == hashlib.sha256(archive.read("manifest.json")).hexdigest()
    assert verify_chain()[1] is None
    # and the raw e-mail is nowhere: database, bundle, logs
    dump = database_text().lower()
    bundle_text = b"".join(archive.read(n) for n in archive.namelist()).decode().lower()
    for form in RAW_FORMS:
        assert form not in dump, form
        assert form not in bundle_text, form
        assert form not in caplog.text.lower(), form
    assert SubjectRequest.objects.get(pk=pk).identifiers.get().hint == "j***@example.com"
