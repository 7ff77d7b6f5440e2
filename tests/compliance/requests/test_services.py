"""Subject-request services and selectors: identifiers, impact, action rules, text guard, closure, access report."""

from datetime import date

import pytest
from django.utils import timezone

from catalog.models import Purpose, Source
from compliance.identifiers import subject_digest
from compliance.models import ColumnFinding, SubjectIdentifier, SubjectRequest, SubjectRequestAction
from compliance.ropa import party_create, recipient_create
from compliance.selectors_requests import (
    subject_impact,
    subject_request_access_report,
    subject_request_list,
    subject_request_recipients,
)
from compliance.services_requests import (
    IdentifierInput,
    InvalidIdentifiers,
    recipient_notification_record,
    subject_request_action_update,
    subject_request_close,
    subject_request_create,
    subject_request_extend,
    subject_request_refresh_impact,
    subject_request_update,
)
from core.audit import Actor
from core.exceptions import ApplicationError, Conflict, PermissionDenied
from core.models import AuditEvent
from lineage.choices import JobType
from tests.compliance.requests.conftest import KEY, index_subject, officer_actor
from tests.factories.catalog import ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def _action(request, target, asset_name=None) -> SubjectRequestAction:
    qs = request.actions.filter(target=target)
    if asset_name:
        qs = qs.filter(version__asset__name=asset_name)
    return qs.get()


#
# Receiving
#
def test_identifiers_are_stored_as_the_scanners_digest_and_a_hint_only(officer):
    # when
    request = subject_request_create(
        kind="erasure",
        identifiers=[("email", " Jane@Example.COM"), ("email", "jane@example.com"), ("phone", "(202) 555-0143")],
        actor=officer_actor(officer),
    )
    # then: the two spellings of the e-mail are one identifier, digested as the scanner digests
    rows = list(SubjectIdentifier.objects.filter(request=request).order_by("id").values_list("kind", "digest", "hint"))
    assert rows == [
        ("email", bytes.fromhex(subject_digest("email", "jane@example.com", key=KEY)), "j***@example.com"),
        ("phone", bytes.fromhex(subject_digest("phone", "+12025550143", key=KEY)), "+1*******143"),
    ]
    audit = AuditEvent.objects.get(object_type="compliance.subjectrequest", action="create")
    assert audit.after["identifiers"] == [
        {"kind": "email", "hint": "j***@example.com"},
        {"kind": "phone", "hint": "+1*******143"},
    ]


def test_the_due_date_is_counted_from_receipt():
    request = subject_request_create(
        kind="access", identifiers=[("email", "a@b.example")], received_on=date(2024, 1, 31), actor=SYSTEM
    )
    assert (request.due_on, request.effective_due_on) == (date(2024, 2, 29), date(2024, 2, 29))


def test_invalid_identifiers_never_appear_in_the_error():
    # when
    with pytest.raises(InvalidIdentifiers) as raised:
        subject_request_create(
            kind="erasure",
            identifiers=[
                IdentifierInput(kind="email", value="secret-person.example.org"),
                ("phone", "+1 202 555 0143"),
            ],
            actor=SYSTEM,
        )
    # then
    error = raised.value
    assert error.extra == {"identifiers": [{"value": ["This is not an e-mail address."]}, {}]}
    assert "secret-person" not in f"{error} {error.extra!r}"
    assert "secret-person" not in repr(IdentifierInput(kind="email", value="secret-person.example.org"))
    assert SubjectRequest.objects.count() == 0


def test_only_officers_receive_requests(scientist, auditor):
    for user in (scientist, auditor):
        with pytest.raises(PermissionDenied):
            subject_request_create(kind="erasure", identifiers=[("email", "a@b.example")], actor=officer_actor(user))
    assert SubjectRequest.objects.count() == 0


#
# Impact
#
def test_impact_stops_at_anonymised_descendants_and_costs_a_fixed_number_of_queries(chain, django_assert_num_queries):
    # given: three traversal levels (clean and export; model; nothing), plus hits, versions, current, scans, deployments
    digest = bytes.fromhex(subject_digest("email", "jane@example.com", key=KEY))
    # when
    with django_assert_num_queries(3 + 5):
        impact = subject_impact(digests=[digest])
    # then
    assert [(i.asset, i.reason, i.path) for i in impact.items] == [
        ("s3://crm/customers", "direct", [chain["raw"].pk]),
        ("s3://crm/clean", "downstream", [chain["raw"].pk, chain["clean"].pk]),
        ("s3://crm/export", "anonymised", [chain["raw"].pk, chain["export"].pk]),
        ("mlflow/models/churn", "downstream", [chain["raw"].pk, chain["clean"].pk, chain["model"].pk]),
    ]
    assert [(d.deployment, d.depth) for d in impact.deployments] == [(chain["deployment"].pk, 3)]


def test_a_subject_held_nowhere_has_no_impact(chain):
    assert subject_impact(digests=[b"\x00" * 32]).items == []


def test_only_published_scans_count(chain):
    # given: another version indexed by a scan that has not finished
    pending = VersionFactory()
    scan = index_subject(pending, ("email", "jane@example.com"))
    scan.status = "running"
    scan.save()
    # when
    impact = subject_impact(digests=[bytes.fromhex(subject_digest("email", "jane@example.com", key=KEY))])
    # then
    assert pending.pk not in {i.version for i in impact.items}


def test_refresh_adds_versions_derived_after_receipt_and_keeps_existing_actions(erasure, chain, officer):
    # given: the clean action is worked, then a new model is trained on the clean data
    clean = _action(erasure, "dataset", "clean")
    subject_request_action_update(action=clean, data={"status": "in_progress"}, actor=officer_actor(officer))
    late = VersionFactory(asset=ModelAssetFactory(name="models/late"))
    derive([chain["clean"]], [late], job="late", job_type=JobType.TRAINING)
    # when
    added = subject_request_refresh_impact(request=erasure, actor=officer_actor(officer))
    # then
    assert [(a.version_id, a.reason, a.action, a.path) for a in added] == [
        (late.pk, "downstream", "retrain", [chain["raw"].pk, chain["clean"].pk, late.pk])
    ]
    clean.refresh_from_db()
    assert clean.status == "in_progress"
    assert erasure.actions.count() == 6


@pytest.mark.parametrize(
    ("kind", "dataset_action", "model_action", "deployment_action", "status"),
    [
        ("erasure", "delete_records", "retrain", "redeploy", "open"),
        ("restriction", "restrict", "restrict", "restrict", "open"),
        ("objection", "stop_processing", "stop_processing", "stop_processing", "open"),
        ("access", "none", "none", "none", "not_required"),
    ],
)
def test_recommended_actions_by_kind(kind, dataset_action, model_action, deployment_action, status, chain):
    # when
    request = subject_request_create(kind=kind, identifiers=[("email", "jane@example.com")], actor=SYSTEM)
    # then
    assert (
        _action(request, "dataset", "customers").action,
        _action(request, "model").action,
        _action(request, "deployment").action,
    ) == (dataset_action, model_action, deployment_action)
    assert _action(request, "dataset", "customers").status == status
    assert (_action(request, "dataset", "export").action, _action(request, "dataset", "export").status) == (
        "none",
        "not_required",
    )


#
# Actions
#
@pytest.mark.parametrize(
    ("_case", "target", "asset", "data", "problems"),
    [
        ("a model cannot have its records deleted", "model", None, {"action": "delete_records"}, {"action"}),
        ("done needs evidence", "dataset", "clean", {"status": "done"}, {"evidence_note"}),
        ("verified is automatic", "dataset", "customers", {"status": "verified"}, {"status"}),
        ("exempted only by an exemption", "model", None, {"status": "exempted"}, {"status"}),
        (
            "an exemption needs a ground and a justification",
            "model",
            None,
            {"action": "exemption"},
            {"exemption_ground", "justification"},
        ),
        ("an anonymised descendant needs nothing", "dataset", "export", {"status": "done"}, {"status"}),
        ("unknown fields", "model", None, {"owner": 1}, {"non_field_errors"}),
    ],
)
def test_action_rules(_case, target, asset, data, problems, erasure, officer):
    # given
    action = _action(erasure, target, asset)
    before = (action.action, action.status)
    events = AuditEvent.objects.count()
    # when
    with pytest.raises(ApplicationError) as raised:
        subject_request_action_update(action=action, data=data, actor=officer_actor(officer))
    # then
    assert set(raised.value.extra) == problems
    action.refresh_from_db()
    assert (action.action, action.status) == before
    assert AuditEvent.objects.count() == events


def test_an_exemption_is_recorded_with_its_ground_and_leaving_it_reopens_the_item(erasure, officer):
    # given
    model = _action(erasure, "model")
    actor = officer_actor(officer)
    # when
    exempted = subject_request_action_update(
        action=model, data={"action": "exemption", "exemption_ground": "e", "justification": "Legal hold"}, actor=actor
    )
    reopened = subject_request_action_update(action=model, data={"action": "unlearning"}, actor=actor)
    # then
    assert (exempted.status, exempted.exemption_ground, exempted.completed_at is not None) == ("exempted", "e", True)
    assert (reopened.status, reopened.exemption_ground, reopened.justification, reopened.completed_at) == (
        "open",
        "",
        "",
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Deleted the rows of JANE@example.com from the CRM",
        "Customer <jane@example.com> erased.",
        "Mail from jane@Example.com: done",
    ],
)
def test_free_text_holding_the_subjects_identifier_is_refused(text, erasure, officer):
    # given
    clean = _action(erasure, "dataset", "clean")
    # when
    with pytest.raises(ApplicationError) as raised:
        subject_request_action_update(
            action=clean, data={"status": "done", "evidence_note": text}, actor=officer_actor(officer)
        )
    # then
    assert list(raised.value.extra) == ["evidence_note"]
    assert "jane" not in str(raised.value.extra).lower()
    clean.refresh_from_db()
    assert clean.evidence_note == ""


def test_a_phone_written_with_spaces_is_recognised_in_free_text(chain, officer):
    # given
    request = subject_request_create(kind="erasure", identifiers=[("phone", "+44 20 7946 0958")], actor=SYSTEM)
    # when / then
    with pytest.raises(ApplicationError, match="identifiers"):
        subject_request_close(
            request=request, outcome="cannot_identify", note="Caller on +44 20 7946 0958 gave no proof", actor=SYSTEM
        )
    closed = subject_request_close(
        request=request, outcome="cannot_identify", note="No proof of identity", actor=SYSTEM
    )
    assert closed.status == "closed"


#
# Deadlines and closure
#
def test_one_extension_within_the_first_month(officer, chain):
    # given
    request = subject_request_create(
        kind="erasure", identifiers=[("email", "jane@example.com")], received_on=date(2026, 1, 31), actor=SYSTEM
    )
    actor = officer_actor(officer)
    # when
    extended = subject_request_extend(
        request=request,
        months=2,
        reason="Many systems",
        notified_on=date(2026, 2, 20),
        today=date(2026, 2, 27),
        actor=actor,
    )
    # then
    assert (extended.due_on, extended.extended_due_on, extended.effective_due_on) == (
        date(2026, 2, 28),
        date(2026, 4, 30),
        date(2026, 4, 30),
    )
    with pytest.raises(ApplicationError) as again:
        subject_request_extend(
            request=request,
            months=1,
            reason="More",
            notified_on=date(2026, 2, 27),
            today=date(2026, 2, 27),
            actor=actor,
        )
    assert set(again.value.extra) == {"months"}
    event = AuditEvent.objects.filter(object_type="compliance.subjectrequest", reason__startswith="deadline").get()
    assert event.reason == "deadline extended by 2 month(s): Many systems"


def test_an_extension_after_the_first_deadline_is_refused(chain):
    request = subject_request_create(
        kind="erasure", identifiers=[("email", "jane@example.com")], received_on=date(2026, 1, 31), actor=SYSTEM
    )
    with pytest.raises(ApplicationError) as raised:
        subject_request_extend(
            request=request,
            months=1,
            reason="Late",
            notified_on=date(2026, 2, 28),
            today=date(2026, 3, 1),
            actor=SYSTEM,
        )
    assert set(raised.value.extra) == {"notified_on"}
    request.refresh_from_db()
    assert request.extension_months == 0


def test_closure_rules(erasure, officer):
    actor = officer_actor(officer)
    # open actions: not fulfilled
    with pytest.raises(Conflict) as early:
        subject_request_close(request=erasure, outcome="fulfilled", actor=actor)
    assert early.value.extra["open_actions"] == sorted(
        erasure.actions.exclude(status="not_required").values_list("pk", flat=True)
    )
    # a refusal needs its reasons
    with pytest.raises(ApplicationError) as bare:
        subject_request_close(request=erasure, outcome="refused_unfounded_excessive", actor=actor)
    assert bare.value.extra == {"note": ["Required for this outcome."]}
    # refused with reasons: closed, and nothing changes any more
    closed = subject_request_close(
        request=erasure, outcome="refused_unfounded_excessive", note="Fourth identical request this month", actor=actor
    )
    assert (closed.status, closed.closed_by) == ("closed", officer)
    with pytest.raises(Conflict):
        subject_request_action_update(action=erasure.actions.first(), data={"status": "in_progress"}, actor=actor)
    with pytest.raises(Conflict):
        subject_request_update(request=erasure, data={"channel": "post"}, actor=actor)


def test_identity_dates_are_checked(erasure, officer):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as raised:
        subject_request_update(request=erasure, data={"identity_confirmed_on": today}, actor=officer_actor(officer))
    assert set(raised.value.extra) == {"identity_requested_on"}
    updated = subject_request_update(
        request=erasure,
        data={"identity_requested_on": today, "identity_confirmed_on": today},
        actor=officer_actor(officer),
    )
    assert updated.identity_confirmed_on == today


def test_the_list_is_for_officers_only(erasure, officer, auditor, scientist):
    assert list(subject_request_list(user=officer)) == [erasure]
    assert list(subject_request_list(user=auditor)) == []
    assert list(subject_request_list(user=scientist)) == []


#
# Recipients and the access report
#
@pytest.fixture
def catalogued(chain):
    """Purposes, source, retention, a recipient and a confirmed finding on the raw dataset."""
    asset = chain["raw"].asset
    asset.purposes.add(Purpose.objects.create(name="Churn prediction", lawful_basis="legitimate_interests"))
    asset.source = Source.objects.create(name="CRM", kind="internal_system", supplier="Acme CRM")
    asset.retention_until = date(2027, 12, 31)
    asset.save()
    scan = chain["raw"].scans.get()
    ColumnFinding.objects.filter(scan=scan).update(
        review="confirmed", entities=[{"type": "EMAIL_ADDRESS", "hit_rate": 1.0, "score": 1.0}]
    )
    party = party_create(
        actor=SYSTEM, name="Mailer Ltd", contact="dpo@mailer.example", country="US", third_country=True
    )
    recipient = recipient_create(actor=SYSTEM, party=party, category="processor")
    recipient.datasets.add(asset)
    return recipient


def test_art_19_recipients_and_notices(catalogued, erasure, officer):
    # given
    actor = officer_actor(officer)
    unrelated = recipient_create(actor=SYSTEM, party=catalogued.party, category="other_controller")
    # when
    with pytest.raises(ApplicationError):
        recipient_notification_record(
            request=erasure, recipient=unrelated, notified_on=timezone.localdate(), actor=actor
        )
    with pytest.raises(ApplicationError):
        recipient_notification_record(request=erasure, recipient=catalogued, actor=actor)
    recipient_notification_record(
        request=erasure, recipient=catalogued, not_notified_reason="Processor deleted the batch already", actor=actor
    )
    # then
    assert subject_request_recipients(request=erasure) == [
        {
            "recipient": catalogued.pk,
            "party": "Mailer Ltd",
            "category": "processor",
            "country": "US",
            "third_country": True,
            "datasets": ["s3://crm/customers"],
            "notification": {
                "id": erasure.notifications.get().pk,
                "notified_on": None,
                "method": "",
                "not_notified_reason": "Processor deleted the batch already",
            },
        }
    ]


def test_access_report(catalogued, chain):
    # given
    request = subject_request_create(kind="access", identifiers=[("email", "jane@example.com")], actor=SYSTEM)
    # when
    report = subject_request_access_report(request=request)
    # then
    assert report["confirmation"] is True
    assert report["subject"] == [{"kind": "email", "hint": "j***@example.com"}]
    raw, clean = report["datasets"]
    assert (raw["asset"], raw["holds_subject"], clean["asset"], clean["holds_subject"]) == (
        "s3://crm/customers",
        True,
        "s3://crm/clean",
        False,
    )
    assert raw["purposes"] == [{"name": "Churn prediction", "lawful_basis": "legitimate_interests"}]
    assert raw["categories"] == ["EMAIL_ADDRESS"]
    assert raw["recipients"] == [
        {"party": "Mailer Ltd", "category": "processor", "country": "US", "third_country": True}
    ]
    assert (raw["retention_until"], raw["source"]) == (
        date(2027, 12, 31),
        {"name": "CRM", "kind": "internal_system", "supplier": "Acme CRM"},
    )
    assert [(m["asset"], m["in_use"], [d["environment"] for d in m["deployments"]]) for m in raw["models"]] == [
        ("mlflow/models/churn", True, ["production"])
    ]
    assert raw["models_in_use"] is True
    assert "s3://crm/export" not in {d["asset"] for d in report["datasets"]}


def test_the_working_day_reading_of_reg_1182_71_is_a_setting(settings):
    # given: due Saturday 15 Nov 2025 by the plain reading; Monday 17 Nov is a holiday here
    settings.CUSTODIAN_DSR_ROLL_TO_WORKING_DAY = True
    settings.CUSTODIAN_DSR_HOLIDAYS = ["2025-11-17"]
    # when
    request = subject_request_create(
        kind="access", identifiers=[("email", "a@b.example")], received_on=date(2025, 10, 15), actor=SYSTEM
    )
    # then
    assert request.due_on == date(2025, 11, 18)
