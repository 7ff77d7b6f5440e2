"""The officer's governance admin: withdrawals, flags with origin and path, ROPA with CSV export, unmapped datasets."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import Purpose
from compliance.models import ConsentWithdrawal, GovernanceFlag, Party, ProcessingActivity, Recipient
from compliance.propagation import consent_withdrawal_record
from compliance.ropa import ROPA_COLUMNS, processing_activity_create
from core.models import AuditEvent
from tests.compliance.governance.conftest import CONFIRM, build_chain, pii_finding, review
from tests.factories.catalog import AssetFactory, VersionFactory


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def auditor_client(auditor):
    client = Client()
    client.force_login(auditor)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
def test_officer_records_a_consent_withdrawal_in_the_admin(officer_client):
    # given
    chain = build_chain()
    # when
    response = officer_client.post(
        "/admin/compliance/consentwithdrawal/add/",
        {
            "dataset": chain.raw.asset_id,
            "withdrawn_on": "2025-05-01",
            "scope": "all_versions",
            "reason": "Partner revoked consent for the whole export",
            "reference": "TICKET-42",
        },
        follow=True,
    )
    # then
    assert response.status_code == 200
    withdrawal = ConsentWithdrawal.objects.get()
    assert GovernanceFlag.objects.filter(withdrawal=withdrawal).count() == 5
    assert "5 version(s) flagged, 3 of them model versions." in _messages(response)
    event = AuditEvent.objects.get(object_type="compliance.consentwithdrawal")
    assert (event.channel, event.action, event.actor_label) == ("admin", "create", "officer")


@pytest.mark.django_db
def test_a_withdrawal_for_neither_dataset_nor_purpose_is_refused_with_the_form(officer_client):
    # when
    response = officer_client.post(
        "/admin/compliance/consentwithdrawal/add/",
        {"withdrawn_on": "2025-05-01", "scope": "all_versions", "reason": "x"},
    )
    # then
    assert response.status_code == 200
    assert "Choose either a dataset or a purpose." in response.content.decode()
    assert ConsentWithdrawal.objects.count() == 0


@pytest.mark.django_db
def test_officer_lifts_a_withdrawal_with_a_reason(officer_client, officer_actor):
    # given
    chain = build_chain()
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    url = f"/admin/compliance/consentwithdrawal/{withdrawal.pk}/lift/"
    # when
    page = officer_client.get(url)
    refused = officer_client.post(url, {"note": ""}, follow=True)
    still = GovernanceFlag.objects.count()
    lifted = officer_client.post(url, {"note": "Recorded for the wrong dataset"}, follow=True)
    # then
    assert page.status_code == 200
    assert "Say why the withdrawal is lifted." in _messages(refused)
    assert still == 5
    assert GovernanceFlag.objects.count() == 0
    withdrawal.refresh_from_db()
    assert (withdrawal.is_active, withdrawal.lift_reason) == (False, "Recorded for the wrong dataset")
    assert lifted.status_code == 200


@pytest.mark.django_db
def test_the_flag_list_shows_origin_cause_and_path_and_filters_models(officer_client, officer_actor):
    # given
    chain = build_chain()
    consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    # when
    response = officer_client.get(
        "/admin/compliance/governanceflag/?kind__exact=consent_withdrawn&version__asset__kind__exact=model"
    )
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["cl"].result_count == 3
    assert "s3://bucket/c-raw@1</a> → <a" in page
    assert "mlflow://registry/models/c-int8@1</a>" in page
    assert "withdrawal #" in page


@pytest.mark.django_db
def test_version_and_asset_pages_show_flags_and_the_missing_processing_activity(officer_client, officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    # when
    version_page = officer_client.get(f"/admin/catalog/assetversion/{chain.model.pk}/change/").content.decode()
    dataset_page = officer_client.get(f"/admin/catalog/datasetasset/{chain.raw.asset_id}/change/").content.decode()
    flagged_models = officer_client.get("/admin/catalog/assetversion/?flag=personal_data&asset__kind__exact=model")
    unmapped = officer_client.get("/admin/catalog/datasetasset/?ropa=unmapped")
    # then
    assert "Governance flags (origin, cause and lineage path)" in version_page
    assert "confirmed EMAIL_ADDRESS in email" in version_page
    assert "Holds personal data but no processing activity lists it." in dataset_page
    assert "Record a consent withdrawal" in dataset_page
    assert sorted(v.pk for v in flagged_models.context["cl"].result_list) == sorted(chain.ids[2:])
    assert sorted(a.name for a in unmapped.context["cl"].result_list) == ["c-clean", "c-raw"]


@pytest.mark.django_db
def test_officer_adds_a_processing_activity_with_purposes_and_transfers(officer_client):
    # given
    us = Party.objects.create(name="Us", contact="legal@us.example")
    cloud = Party.objects.create(name="CloudCo", contact="dpa@cloud.example", country="US", third_country=True)
    recipient = Recipient.objects.create(party=cloud, category="processor")
    fraud = Purpose.objects.create(name="Fraud detection", lawful_basis="legitimate_interests")
    dataset = AssetFactory(name="transactions")
    # when
    response = officer_client.post(
        "/admin/compliance/processingactivity/add/",
        {
            "name": "Fraud model training",
            "is_active": "on",
            "controller": us.pk,
            "data_subject_categories": "customers\nprospects",
            "personal_data_categories": "contact details",
            "recipients": [recipient.pk],
            "datasets": [dataset.pk],
            "bases-TOTAL_FORMS": "1",
            "bases-INITIAL_FORMS": "0",
            "bases-0-purpose": fraud.pk,
            "bases-0-lawful_basis": "legitimate_interests",
            "bases-0-legitimate_interests_assessment": "LIA-7",
            "transfers-TOTAL_FORMS": "1",
            "transfers-INITIAL_FORMS": "0",
            "transfers-0-recipient": recipient.pk,
            "transfers-0-country": "US",
            "transfers-0-safeguard": "standard_clauses",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = ProcessingActivity.objects.get()
    assert activity.data_subject_categories == ["customers", "prospects"]
    assert [(b.purpose.name, b.legitimate_interests_assessment) for b in activity.bases.all()] == [
        ("Fraud detection", "LIA-7")
    ]
    assert [(t.country, t.safeguard) for t in activity.transfers.all()] == [("US", "standard_clauses")]
    assert list(activity.datasets.values_list("name", flat=True)) == ["transactions"]
    event = AuditEvent.objects.get(object_type="compliance.processingactivity")
    assert (event.channel, event.action) == ("admin", "create")
    assert event.after["bases"] == [{"purpose": fraud.pk, "lawful_basis": "legitimate_interests", "lia": "LIA-7"}]


@pytest.mark.django_db
def test_a_missing_assessment_shows_on_the_inline_and_writes_nothing(officer_client):
    # given
    us = Party.objects.create(name="Us", contact="legal@us.example")
    fraud = Purpose.objects.create(name="Fraud detection", lawful_basis="legitimate_interests")
    # when
    response = officer_client.post(
        "/admin/compliance/processingactivity/add/",
        {
            "name": "Fraud",
            "controller": us.pk,
            "bases-TOTAL_FORMS": "1",
            "bases-INITIAL_FORMS": "0",
            "bases-0-purpose": fraud.pk,
            "bases-0-lawful_basis": "legitimate_interests",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
        },
    )
    # then
    assert response.status_code == 200
    assert "Art. 6(1)(f) needs a legitimate interests assessment." in response.content.decode()
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_ropa_csv_export_from_the_admin_is_audited(officer_client):
    # given
    ProcessingActivity.objects.create(name="A", controller=Party.objects.create(name="Us", contact="c"))
    # when
    changelist = officer_client.get("/admin/compliance/processingactivity/")
    export = officer_client.get("/admin/compliance/processingactivity/export/")
    action = officer_client.post(
        "/admin/compliance/processingactivity/",
        {"action": "export_selected", "_selected_action": [ProcessingActivity.objects.get().pk]},
    )
    # then
    assert "Export ROPA (CSV)" in changelist.content.decode()
    for response in (export, action):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert (tuple(rows[0]), [r[0] for r in rows[1:]]) == (ROPA_COLUMNS, ["A"])
    assert AuditEvent.objects.filter(action="export", channel="admin").count() == 2


@pytest.mark.django_db
def test_officer_runs_the_retention_check_from_the_flag_list(officer_client):
    # given
    asset = AssetFactory(name="logs", retention_until=timezone.localdate() - timedelta(days=2))
    VersionFactory(asset=asset)
    # when
    response = officer_client.post("/admin/compliance/governanceflag/retention-check/", follow=True)
    # then
    assert "1 asset(s) past their retention date; 1 flag(s) raised, 0 cleared." in _messages(response)
    assert GovernanceFlag.objects.get().kind == "retention_expired"


@pytest.mark.django_db
def test_auditors_view_flags_and_the_register_but_record_nothing(auditor_client):
    # given
    chain = build_chain()
    # when
    flags = auditor_client.get("/admin/compliance/governanceflag/")
    register = auditor_client.get("/admin/compliance/processingactivity/")
    add = auditor_client.get("/admin/compliance/consentwithdrawal/add/")
    posted = auditor_client.post(
        "/admin/compliance/consentwithdrawal/add/",
        {"dataset": chain.raw.asset_id, "withdrawn_on": "2025-05-01", "scope": "all_versions", "reason": "x"},
    )
    retention = auditor_client.post("/admin/compliance/governanceflag/retention-check/")
    # then
    assert (flags.status_code, register.status_code) == (200, 200)
    assert (add.status_code, posted.status_code) == (403, 403)
    assert retention.status_code == 302
    assert (ConsentWithdrawal.objects.count(), GovernanceFlag.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_every_governance_admin_page_renders_for_the_officer(officer_client, officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    party = Party.objects.create(name="Us", contact="c", roles=["controller", "dpo"])
    recipient = Recipient.objects.create(party=party, category="processor")
    activity = ProcessingActivity.objects.create(name="A", controller=party)
    flag = GovernanceFlag.objects.filter(version=chain.quantised).first()
    urls = [
        "/admin/compliance/governanceflag/",
        f"/admin/compliance/governanceflag/{flag.pk}/change/",
        "/admin/compliance/consentwithdrawal/",
        "/admin/compliance/consentwithdrawal/add/",
        f"/admin/compliance/consentwithdrawal/add/?dataset={chain.raw.asset_id}",
        f"/admin/compliance/consentwithdrawal/{withdrawal.pk}/change/",
        "/admin/compliance/processingactivity/",
        "/admin/compliance/processingactivity/add/",
        f"/admin/compliance/processingactivity/{activity.pk}/change/",
        "/admin/compliance/party/",
        "/admin/compliance/party/add/",
        f"/admin/compliance/party/{party.pk}/change/",
        "/admin/compliance/recipient/",
        f"/admin/compliance/recipient/{recipient.pk}/change/",
        "/admin/compliance/retentionpolicy/add/",
        "/admin/catalog/assetversion/?flag=any",
        "/admin/catalog/datasetasset/?flag=consent_withdrawn",
        "/admin/catalog/modelasset/",
        f"/admin/catalog/modelasset/{chain.model.asset_id}/change/",
    ]
    # when
    statuses = {url: officer_client.get(url).status_code for url in urls}
    # then
    assert statuses == dict.fromkeys(urls, 200)


@pytest.mark.django_db
def test_officer_edits_a_processing_activity_and_the_change_is_audited(officer_client, officer_actor):
    # given
    us = Party.objects.create(name="Us", contact="legal@us.example")
    consent = Purpose.objects.create(name="Newsletter", lawful_basis="consent")
    activity = processing_activity_create(
        actor=officer_actor, name="Newsletter", controller=us, purposes=[{"purpose": consent}]
    )
    base = activity.bases.get()
    # when
    response = officer_client.post(
        f"/admin/compliance/processingactivity/{activity.pk}/change/",
        {
            "name": "Newsletter",
            "is_active": "on",
            "controller": us.pk,
            "security_measures": "TLS everywhere",
            "bases-TOTAL_FORMS": "1",
            "bases-INITIAL_FORMS": "1",
            "bases-0-id": base.pk,
            "bases-0-activity": activity.pk,
            "bases-0-purpose": consent.pk,
            "bases-0-lawful_basis": "contract",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    activity.refresh_from_db()
    assert activity.security_measures == "TLS everywhere"
    assert [b.lawful_basis for b in activity.bases.all()] == ["contract"]
    event = AuditEvent.objects.filter(object_type="compliance.processingactivity", action="update").get()
    assert (event.channel, event.before["security_measures"], event.after["security_measures"]) == (
        "admin",
        "",
        "TLS everywhere",
    )
    assert (event.before["bases"][0]["lawful_basis"], event.after["bases"][0]["lawful_basis"]) == (
        "consent",
        "contract",
    )
