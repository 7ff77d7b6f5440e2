"""
REST for subject requests: every endpoint × every role (only officers get in, denials change nothing), shapes,
identifiers never echoed, deadlines, actions, closure, Art. 19 notices and exports.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import RecipientNotification, SubjectRequest, SubjectRequestAction
from compliance.ropa import party_create, recipient_create
from core.audit import Actor
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "norole", "auditor", "scientist", "officer")
DENIED = {"anonymous": 401, "norole": 403, "auditor": 403, "scientist": 403}
SYSTEM = Actor.system("tests")


@pytest.fixture
def recipient(chain):
    party = party_create(actor=SYSTEM, name="Mailer Ltd", contact="dpo@mailer.example", country="IE")
    made = recipient_create(actor=SYSTEM, party=party, category="processor")
    made.datasets.add(chain["raw"].asset)
    return made


def _endpoints(erasure, recipient):
    action = erasure.actions.get(version__asset__name="clean")
    base = f"/api/subject-requests/{erasure.pk}"
    create = {"kind": "access", "identifiers": [{"kind": "email", "value": "jane@example.com"}]}
    return [
        # (label, method, url, payload, officer status, officer writes an audit event)
        ("list", "get", "/api/subject-requests/", None, 200, False),
        ("create", "post", "/api/subject-requests/", create, 201, True),
        ("retrieve", "get", f"{base}/", None, 200, False),
        ("update", "patch", f"{base}/", {"channel": "post"}, 200, True),
        ("impact", "get", f"{base}/impact/", None, 200, False),
        ("refresh", "post", f"{base}/refresh/", {}, 200, True),
        ("actions", "get", f"{base}/actions/", None, 200, False),
        ("action", "patch", f"{base}/actions/{action.pk}/", {"status": "in_progress"}, 200, True),
        (
            "extension",
            "post",
            f"{base}/extension/",
            {"months": 2, "reason": "Forty systems", "notified_on": str(timezone.localdate())},
            200,
            True,
        ),
        ("recipients", "get", f"{base}/recipients/", None, 200, False),
        (
            "notifications",
            "post",
            f"{base}/notifications/",
            {"recipient": recipient.pk, "notified_on": str(timezone.localdate()), "method": "e-mail to DPO"},
            201,
            True,
        ),
        ("access-report", "get", f"{base}/access-report/", None, 200, False),
        ("export", "get", f"{base}/export/", None, 200, True),
        (
            "close",
            "post",
            f"{base}/close/",
            {"outcome": "refused_unfounded_excessive", "note": "Repetitive"},
            200,
            True,
        ),
    ]


def _state():
    return (
        SubjectRequest.objects.count(),
        AuditEvent.objects.count(),
        RecipientNotification.objects.count(),
        sorted(SubjectRequestAction.objects.values_list("pk", "status", "action")),
        sorted(SubjectRequest.objects.values_list("pk", "status", "channel", "extension_months")),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_by_role_and_no_side_effect_on_denial(role, erasure, recipient, api_client):
    # given
    client = api_client(role)
    for label, method, url, payload, officer_status, writes in _endpoints(erasure, recipient):
        before = _state()
        # when
        response = getattr(client, method)(url, payload, format="json") if payload is not None else client.get(url)
        # then
        if role == "officer":
            assert response.status_code == officer_status, (label, response.content)
            assert (AuditEvent.objects.count() > before[1]) is writes, label
        else:
            assert response.status_code == DENIED[role], (label, response.status_code)
            assert _state() == before, label
            assert b"j***@example.com" not in response.content, label


def test_create_answers_with_hints_and_never_echoes_the_value(api_client, chain):
    # when
    response = api_client("officer").post(
        "/api/subject-requests/",
        {
            "kind": "erasure",
            "identifiers": [
                {"kind": "email", "value": "Jane@Example.com"},
                {"kind": "phone", "value": "+44 20 7946 0958"},
                {"kind": "email", "value": " jane@example.com"},
            ],
            "received_on": "2026-11-02",
            "channel": "web_form",
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["identifiers"] == [
        {"kind": "email", "hint": "j***@example.com"},
        {"kind": "phone", "hint": "+44*******958"},
    ]
    assert (body["kind"], body["channel"], body["received_on"], body["due_on"]) == (
        "erasure",
        "web_form",
        "2026-11-02",
        "2026-12-02",
    )
    assert (body["versions_affected"], body["deployments_affected"], body["actions_open"]) == (3, 1, 4)
    text = response.content.decode().lower()
    assert "jane@" not in text and "7946" not in text
    audit = AuditEvent.objects.get(object_type="compliance.subjectrequest", action="create")
    assert audit.after["identifiers"] == body["identifiers"]
    assert "jane@" not in json.dumps(audit.after).lower()


@pytest.mark.parametrize(
    ("_case", "identifiers", "field_errors"),
    [
        (
            "not an e-mail",
            [{"kind": "email", "value": "jane.example.com"}],
            [{"value": ["This is not an e-mail address."]}],
        ),
        (
            "too short a phone",
            [{"kind": "phone", "value": "12-34"}],
            [{"value": ["A phone number has at least six digits."]}],
        ),
        (
            "empty once normalised",
            [{"kind": "customer_id", "value": " - . "}],
            [{"value": ["The customer_id is empty once normalised."]}],
        ),
    ],
)
def test_bad_identifiers_are_refused_without_quoting_them(_case, identifiers, field_errors, api_client):
    # when
    response = api_client("officer").post(
        "/api/subject-requests/", {"kind": "erasure", "identifiers": identifiers}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["identifiers"] == field_errors
    assert identifiers[0]["value"].strip() not in response.content.decode()
    assert SubjectRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_unknown_identifier_kind_is_refused_without_quoting_it(api_client):
    response = api_client("officer").post(
        "/api/subject-requests/",
        {"kind": "erasure", "identifiers": [{"kind": "jane@example.com", "value": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "jane@example.com" not in response.content.decode()


def test_a_receipt_in_the_future_is_refused(api_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api_client("officer").post(
        "/api/subject-requests/",
        {"kind": "erasure", "identifiers": [{"kind": "email", "value": "a@b.example"}], "received_on": str(tomorrow)},
        format="json",
    )
    assert (response.status_code, response.json()["received_on"]) == (400, ["Not after today."])


def test_list_filters_overdue_requests(api_client, officer, chain):
    # given
    client = api_client("officer")
    old = client.post(
        "/api/subject-requests/",
        {"kind": "access", "identifiers": [{"kind": "email", "value": "a@b.example"}], "received_on": "2020-01-31"},
        format="json",
    ).json()
    fresh = client.post(
        "/api/subject-requests/",
        {"kind": "access", "identifiers": [{"kind": "email", "value": "c@d.example"}]},
        format="json",
    ).json()
    # when
    overdue = client.get("/api/subject-requests/?overdue=true").json()
    on_time = client.get("/api/subject-requests/?overdue=false").json()
    # then
    assert [r["id"] for r in overdue["results"]] == [old["id"]]
    assert [r["id"] for r in on_time["results"]] == [fresh["id"]]
    assert overdue["results"][0]["due_on"] == "2020-02-29"
    assert overdue["results"][0]["deadline"]["is_overdue"] is True


def test_impact_shape(api_client, erasure, chain):
    # when
    body = api_client("officer").get(f"/api/subject-requests/{erasure.pk}/impact/").json()
    # then
    assert set(body) == {"request", "computed_at", "is_partial", "items", "deployments"}
    assert [(i["asset"], i["kind"], i["reason"], i["path"], i["action"], i["status"]) for i in body["items"]] == [
        ("s3://crm/customers", "dataset", "direct", [chain["raw"].pk], "delete_records", "open"),
        ("s3://crm/clean", "dataset", "downstream", [chain["raw"].pk, chain["clean"].pk], "rebuild", "open"),
        ("s3://crm/export", "dataset", "anonymised", [chain["raw"].pk, chain["export"].pk], "none", "not_required"),
        (
            "mlflow/models/churn",
            "model",
            "downstream",
            [chain["raw"].pk, chain["clean"].pk, chain["model"].pk],
            "retrain",
            "open",
        ),
    ]
    assert [(d["deployment"], d["environment"], d["action"], d["status"]) for d in body["deployments"]] == [
        (chain["deployment"].pk, "production", "redeploy", "open")
    ]


def test_extension_rules_over_rest(api_client, erasure):
    # given
    client = api_client("officer")
    url = f"/api/subject-requests/{erasure.pk}/extension/"
    today = str(timezone.localdate())
    # when
    three = client.post(url, {"months": 3, "reason": "x", "notified_on": today}, format="json")
    no_reason = client.post(url, {"months": 2, "reason": "", "notified_on": today}, format="json")
    granted = client.post(url, {"months": 2, "reason": "Forty systems to search", "notified_on": today}, format="json")
    again = client.post(url, {"months": 1, "reason": "More", "notified_on": today}, format="json")
    # then
    assert (three.status_code, no_reason.status_code, granted.status_code, again.status_code) == (400, 400, 200, 400)
    assert granted.json()["extension_months"] == 2
    assert again.json()["months"] == "The deadline has already been extended once; Art. 12(3) allows one extension."


def test_action_rules_over_rest(api_client, erasure):
    # given
    client = api_client("officer")
    model_action = erasure.actions.get(target="model")
    url = f"/api/subject-requests/{erasure.pk}/actions/{model_action.pk}/"
    # when
    wrong = client.patch(url, {"action": "delete_records"}, format="json")
    no_ground = client.patch(url, {"action": "exemption", "justification": "Research archive"}, format="json")
    exempt = client.patch(
        url, {"action": "exemption", "exemption_ground": "d", "justification": "Research archive"}, format="json"
    )
    # then
    assert wrong.status_code == 400 and "Retrain without the subject" in wrong.json()["action"]
    assert no_ground.json()["exemption_ground"] == "Choose the Art. 17(3) ground (a)–(e)."
    assert (exempt.status_code, exempt.json()["status"], exempt.json()["exemption_ground"]) == (200, "exempted", "d")
    event = AuditEvent.objects.filter(object_type="compliance.subjectrequestaction", action="decision").get()
    assert event.reason == "Art. 17(3)(d): Research archive"


def test_an_action_of_another_request_is_not_found(api_client, erasure, officer):
    other = SubjectRequest.objects.create(kind="access", received_on=timezone.localdate(), due_on=timezone.localdate())
    action = erasure.actions.first()
    response = api_client("officer").patch(
        f"/api/subject-requests/{other.pk}/actions/{action.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 404


def test_export_is_a_zip_with_a_manifest_and_is_audited(api_client, erasure):
    # when
    response = api_client("officer").get(f"/api/subject-requests/{erasure.pk}/export/")
    # then
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert [f["name"] for f in manifest["files"]] == ["README.txt", "audit.jsonl", "case.json"]
    assert response["Content-Disposition"].startswith(f'attachment; filename="DSR-{erasure.pk}-evidence-')
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.object_id, event.channel) == ("compliance.subjectrequest", str(erasure.pk), "api")
