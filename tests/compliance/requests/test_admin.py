"""
The officer's door: an erasure request from receipt to closure in the admin alone (receive, impact with paths,
checklist, verification by a scan of the new version, extension, closure, export); deadline badges; nobody else
sees any of it.
"""

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.services import version_register
from compliance.models import SubjectRequest
from core.audit import Actor
from core.models import AuditEvent
from tests.compliance.requests.conftest import database_text
from tests.compliance.scans.conftest import write_people_csv

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/compliance/subjectrequest/"
ADD = "/admin/compliance/subjectrequest/add/"


def _case(pk):
    return reverse("admin:compliance_subjectrequest_change", args=[pk])


def _receive(client, **extra):
    data = {
        "kind": "erasure",
        "channel": "email",
        "electronic": "on",
        "received_on": str(timezone.localdate()),
        "identifier_kind_1": "email",
        "identifier_value_1": "Jane@Example.com",
    } | extra
    return client.post(ADD, data)


def _checklist(page) -> dict:
    """The POST body of the checklist as rendered: every editable row with its current values."""
    data = {}
    for row in page.context["rows"]:
        form = row["form"]
        if form is None:
            continue
        for name in form.fields:
            value = form.initial.get(name)
            data[f"{form.prefix}-{name}"] = "" if value is None else value
    return data


def test_an_officer_takes_an_erasure_request_from_receipt_to_closure_in_the_admin(
    client, officer, chain, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    # receive
    response = _receive(client)
    request = SubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == _case(request.pk)
    # see the impact with its paths
    page = client.get(_case(request.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "j***@example.com" in html and "jane@example.com" not in html.lower()
    assert "s3://crm/customers@" in html and "[training: tests/train]" in html
    assert "Anonymised descendant: no action needed" in html
    rows = {(r["item"].target, r["impact"]["asset"]): r["item"] for r in page.context["rows"]}
    clean, model = rows[("dataset", "s3://crm/clean")], rows[("model", "mlflow/models/churn")]
    deployment = rows[("deployment", "mlflow/models/churn")]
    # work the checklist
    body = _checklist(page) | {
        f"a{clean.pk}-status": "done",
        f"a{clean.pk}-evidence_note": "Rebuilt as clean@2 (run 77)",
        f"a{model.pk}-action": "exemption",
        f"a{model.pk}-exemption_ground": "d",
        f"a{model.pk}-justification": "Research archive, erasure would impair it",
        f"a{deployment.pk}-action": "retire",
        f"a{deployment.pk}-status": "done",
        f"a{deployment.pk}-evidence_note": "Endpoint retired",
        f"a{deployment.pk}-assignee": str(officer.pk),
    }
    saved = client.post(_case(request.pk), body)
    assert saved.status_code == 302
    assert {a.target: a.status for a in request.actions.exclude(reason="anonymised").exclude(reason="direct")} == {
        "dataset": "done",
        "model": "exempted",
        "deployment": "done",
    }
    # publish a raw version without the subject and scan it from the case page: the deletion is verified
    path = write_people_csv(tmp_path / "c2.csv", rows=30, planted=False)
    version_register(
        actor=Actor.system("tests"), asset=chain["raw"].asset, version="2", uri=f"file://{path}", notify=False
    )
    raw = request.actions.get(reason="direct")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:compliance_subjectrequest_scan", args=[request.pk, raw.pk]))
    raw.refresh_from_db()
    assert raw.status == "verified"
    # extend once, inside the first month
    extended = client.post(
        reverse("admin:compliance_subjectrequest_extend", args=[request.pk]),
        {"months": "1", "reason": "Five systems to search", "notified_on": str(timezone.localdate())},
    )
    assert extended.status_code == 302
    # close: fulfilled is refused (an exemption), partially fulfilled is accepted
    close = reverse("admin:compliance_subjectrequest_close", args=[request.pk])
    refused = client.post(close, {"outcome": "fulfilled"})
    closed = client.post(close, {"outcome": "partial", "note": "Research archive kept under 17(3)(d)"})
    assert refused.status_code == 200 and "close the request as partially fulfilled" in refused.content.decode()
    assert closed.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.outcome, request.extension_months) == ("closed", "partial", 1)
    # export the evidence
    export = client.post(reverse("admin:compliance_subjectrequest_export", args=[request.pk]))
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    case = json.loads(archive.read("case.json"))
    assert case["request"]["outcome"] == "partial"
    assert {a["status"] for a in case["actions"]} == {"verified", "done", "exempted", "not_required"}
    channels = AuditEvent.objects.filter(object_type__startswith="compliance.subjectrequest").values_list(
        "channel", "action"
    )
    assert {c for c, a in channels if a != "status_change"} == {"admin"}  # the officer's work
    assert {c for c, a in channels if a == "status_change"} == {"admin", "task"}  # closing; the scan's verification
    assert "jane@example.com" not in database_text().lower()


def test_a_refused_form_does_not_echo_the_identifier(client, officer):
    # given
    client.force_login(officer)
    # when
    response = _receive(client, identifier_value_1="jane.example.com")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is not an e-mail address." in html
    assert "jane.example.com" not in html
    assert SubjectRequest.objects.count() == 0


def test_the_changelist_shows_deadline_badges(client, officer, chain):
    # given
    client.force_login(officer)
    _receive(client, received_on="2020-01-31")
    _receive(client, identifier_value_1="other@example.com")
    # when
    html = client.get(CHANGELIST).content.decode()
    overdue = client.get(CHANGELIST + "?overdue=yes").context["cl"].result_list
    # then
    assert 'class="dsr-deadline dsr-overdue"' in html and "OVERDUE since 29 Feb 2020" in html
    assert 'class="dsr-deadline dsr-ok"' in html
    assert [r.received_on for r in overdue] == [date(2020, 1, 31)]


@pytest.mark.parametrize(("role", "status_code"), [("auditor", 403), ("scientist", 302)])
def test_nobody_but_officers_sees_subject_requests_in_the_admin(role, status_code, client, user_for, erasure):
    # given
    client.force_login(user_for(role))
    events = AuditEvent.objects.count()
    # when / then
    for url in (
        CHANGELIST,
        ADD,
        _case(erasure.pk),
        reverse("admin:compliance_subjectrequest_access_report", args=[erasure.pk]),
    ):
        assert client.get(url).status_code == status_code, url
    assert client.post(reverse("admin:compliance_subjectrequest_export", args=[erasure.pk])).status_code == status_code
    assert client.post(ADD, {"kind": "erasure"}).status_code == status_code
    assert AuditEvent.objects.count() == events
    assert SubjectRequest.objects.count() == 1


def test_access_report_page(client, officer, chain):
    client.force_login(officer)
    _receive(client, kind="access")
    request = SubjectRequest.objects.get()
    page = client.get(reverse("admin:compliance_subjectrequest_access_report", args=[request.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "s3://crm/customers@" in html and "mlflow/models/churn@" in html and "in use (production)" in html
