"""Governance over REST: role matrix (no side effect on denial), flag filters, the register, retention, query counts."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Purpose
from compliance.models import (
    ActivityPurpose,
    ConsentWithdrawal,
    GovernanceFlag,
    Party,
    ProcessingActivity,
    Recipient,
    RetentionPolicy,
    Transfer,
)
from compliance.propagation import consent_withdrawal_record
from compliance.ropa import ROPA_COLUMNS
from core.audit import Actor
from core.models import AuditEvent
from lineage.choices import JobType
from tests.compliance.governance.conftest import CONFIRM, build_chain, pii_finding, review
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive

ROLES = ("anonymous", "norole", "auditor", "scientist", "officer")
READ = {"anonymous": 401, "norole": 403, "auditor": 200, "scientist": 200, "officer": 200}
OFFICER_WRITES = {"anonymous": 401, "norole": 403, "auditor": 403, "scientist": 403, "officer": 201}
READ_URLS = (
    "/api/flags/",
    "/api/flagged-versions/",
    "/api/consent-withdrawals/",
    "/api/parties/",
    "/api/recipients/",
    "/api/retention-policies/",
    "/api/processing-activities/",
    "/api/processing-activities/unmapped-datasets/",
    "/api/retention/expired/",
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_flags_and_the_register(role, url, api_client):
    # when
    response = api_client(role).get(url)
    # then
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_version_flags_and_ropa_export_by_role_audit_only_allowed_exports(role, api_client):
    # given
    version = VersionFactory()
    client = api_client(role)
    # when
    flags = client.get(f"/api/versions/{version.pk}/flags/")
    export = client.get("/api/processing-activities/export/")
    # then
    assert (flags.status_code, export.status_code) == (READ[role], READ[role])
    exported = AuditEvent.objects.filter(action="export", object_type="compliance.processingactivity").count()
    assert exported == (1 if READ[role] == 200 else 0)


def _payloads():
    """(url, payload builder, model) for every officer-only create."""
    return [
        (
            "consent-withdrawals",
            lambda: {"dataset": VersionFactory().asset_id, "withdrawn_on": "2025-05-01", "reason": "withdrawn"},
            ConsentWithdrawal,
        ),
        ("parties", lambda: {"name": "Acme", "contact": "privacy@acme.example", "roles": ["controller"]}, Party),
        (
            "recipients",
            lambda: {"party": Party.objects.create(name="Cloud", contact="c@x").pk, "category": "processor"},
            Recipient,
        ),
        (
            "retention-policies",
            lambda: {"name": "Contacts", "data_category": "contacts", "period_days": 30},
            RetentionPolicy,
        ),
        (
            "processing-activities",
            lambda: {"name": "Churn model", "controller": Party.objects.create(name="Us", contact="dpo@us").pk},
            ProcessingActivity,
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("role", ROLES)
def test_only_officers_write_and_denials_leave_no_trace(role, index, api_client):
    # given
    url, build, model = _payloads()[index]
    payload = build()
    client = api_client(role)
    rows, events, flags = model.objects.count(), AuditEvent.objects.count(), GovernanceFlag.objects.count()
    # when
    response = client.post(f"/api/{url}/", payload, format="json")
    # then
    assert response.status_code == OFFICER_WRITES[role], response.content
    created = 1 if response.status_code == 201 else 0
    assert model.objects.count() == rows + created
    if not created:
        assert AuditEvent.objects.count() == events
        assert GovernanceFlag.objects.count() == flags
    else:
        assert AuditEvent.objects.filter(action="create", channel="api").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_officers_lift_a_withdrawal(role, api_client, officer):
    # given
    chain = build_chain()
    withdrawal = consent_withdrawal_record(
        actor=Actor.for_user(officer, channel="admin"),
        dataset=chain.raw.asset,
        withdrawn_on=date(2025, 5, 1),
        reason="withdrawn",
    )
    events = AuditEvent.objects.count()
    client = api_client(role)
    # when
    response = client.post(f"/api/consent-withdrawals/{withdrawal.pk}/lift/", {"reason": "in error"}, format="json")
    # then
    allowed = role == "officer"
    assert response.status_code == (200 if allowed else OFFICER_WRITES[role])
    assert GovernanceFlag.objects.count() == (0 if allowed else 5)
    if allowed:
        assert response.json()["is_active"] is False
        assert response.json()["flagged_versions"] == 0
    else:
        assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_officers_patch_the_register(role, api_client):
    # given
    party = Party.objects.create(name="Acme", contact="old@acme.example")
    events = AuditEvent.objects.count()
    # when
    response = api_client(role).patch(f"/api/parties/{party.pk}/", {"contact": "new@acme.example"}, format="json")
    # then
    allowed = role == "officer"
    assert response.status_code == (200 if allowed else OFFICER_WRITES[role])
    party.refresh_from_db()
    assert party.contact == ("new@acme.example" if allowed else "old@acme.example")
    assert AuditEvent.objects.count() == events + (1 if allowed else 0)


def _purpose_scenario(officer):
    marketing = Purpose.objects.create(name="Marketing", lawful_basis="consent")
    newsletter = VersionFactory(asset=AssetFactory(name="newsletter"))
    newsletter.asset.purposes.set([marketing])
    other = VersionFactory(asset=AssetFactory(name="other"))
    ads = VersionFactory(asset=ModelAssetFactory(name="models/ads"))
    tuned = VersionFactory(asset=ModelAssetFactory(name="models/ads-tuned"))
    unrelated = VersionFactory(asset=ModelAssetFactory(name="models/unrelated"))
    derive([newsletter], [ads], job="train-ads", job_type=JobType.TRAINING)
    derive([ads], [tuned], job="tune-ads", job_type=JobType.FINE_TUNING)
    derive([other], [unrelated], job="train-other", job_type=JobType.TRAINING)
    withdrawal = consent_withdrawal_record(
        actor=Actor.for_user(officer, channel="admin"),
        purpose=marketing,
        withdrawn_on=date(2025, 5, 1),
        reason="campaign consent withdrawn",
    )
    return newsletter, ads, tuned, withdrawal


@pytest.mark.django_db
def test_models_affected_by_a_consent_withdrawal_over_rest(api_client, officer):
    # given
    newsletter, ads, tuned, withdrawal = _purpose_scenario(officer)
    client = api_client("auditor")
    # when
    flags = client.get("/api/flags/?kind=consent_withdrawn&asset_kind=model").json()
    versions = client.get(f"/api/flagged-versions/?flag=consent_withdrawn&kind=model&withdrawal={withdrawal.pk}").json()
    # then
    assert [(r["version"], r["depth"]) for r in flags["results"]] == [(tuned.pk, 2), (ads.pk, 1)]
    first = flags["results"][0]
    assert first["origin"] == {
        "version": newsletter.pk,
        "asset": "s3://bucket/newsletter",
        "asset_id": newsletter.asset_id,
        "version_label": newsletter.version,
    }
    assert first["withdrawal"] == withdrawal.pk
    assert first["path"] == [newsletter.pk, ads.pk, tuned.pk]
    assert first["path_display"] == [
        f"s3://bucket/newsletter@{newsletter.version}",
        f"mlflow://registry/models/ads@{ads.version}",
        f"mlflow://registry/models/ads-tuned@{tuned.version}",
    ]
    assert [v["id"] for v in versions["results"]] == [tuned.pk, ads.pk]
    assert [f["kind"] for f in versions["results"][0]["flags"]] == ["consent_withdrawn"]


@pytest.mark.django_db
def test_flag_filters_refuse_unknown_values(api_client):
    client = api_client("auditor")
    assert client.get("/api/flags/?kind=nonsense").status_code == 400
    assert client.get("/api/flagged-versions/?kind=nonsense").status_code == 400
    assert client.get("/api/retention/expired/?date=yesterday").status_code == 400


@pytest.mark.django_db
def test_version_flags_endpoint_lists_the_flags_of_one_version(api_client, officer):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, Actor.for_user(officer, channel="admin"))
    # when
    body = api_client("scientist").get(f"/api/versions/{chain.fine_tune.pk}/flags/").json()
    missing = api_client("scientist").get("/api/versions/999999/flags/")
    # then
    assert [(r["kind"], r["path"]) for r in body["results"]] == [("personal_data", chain.ids[:4])]
    assert body["results"][0]["detail"] == {"columns": ["email"], "entities": ["EMAIL_ADDRESS"]}
    assert missing.status_code == 404


@pytest.mark.django_db
def test_officer_records_a_withdrawal_over_rest_and_models_get_flagged(api_client):
    # given
    chain = build_chain()
    client = api_client("officer")
    # when
    response = client.post(
        "/api/consent-withdrawals/",
        {"dataset": chain.raw.asset_id, "withdrawn_on": "2025-05-01", "scope": "all_versions", "reason": "revoked"},
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["dataset_name"], body["flagged_versions"], body["recorded_by"]) == ("s3://bucket/c-raw", 5, "officer")
    assert (
        client.post(
            "/api/consent-withdrawals/", {"withdrawn_on": "2025-05-01", "reason": "x"}, format="json"
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_processing_activity_over_rest_with_purposes_transfers_and_csv(api_client):
    # given
    client = api_client("officer")
    us = Party.objects.create(name="Custodian Ltd", contact="legal@custodian.example", country="IE")
    cloud = Party.objects.create(name="CloudCo", contact="dpa@cloud.example", country="US", third_country=True)
    recipient = Recipient.objects.create(party=cloud, category="processor")
    fraud = Purpose.objects.create(name="Fraud detection", lawful_basis="legitimate_interests")
    dataset = AssetFactory(name="transactions")
    payload = {
        "name": "Fraud model training",
        "controller": us.pk,
        "purposes": [{"purpose": fraud.pk, "legitimate_interests_assessment": "LIA-7"}],
        "transfers": [{"recipient": recipient.pk, "country": "US", "safeguard": "standard_clauses"}],
        "recipients": [recipient.pk],
        "datasets": [dataset.pk],
        "data_subject_categories": ["customers"],
    }
    # when
    created = client.post("/api/processing-activities/", payload, format="json")
    without_lia = client.post(
        "/api/processing-activities/",
        {**payload, "name": "Second", "purposes": [{"purpose": fraud.pk}], "transfers": []},
        format="json",
    )
    exported = client.get("/api/processing-activities/export/")
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["purposes"] == [
        {
            "purpose": fraud.pk,
            "purpose_name": "Fraud detection",
            "lawful_basis": "legitimate_interests",
            "legitimate_interests_assessment": "LIA-7",
        }
    ]
    assert [(t["country"], t["safeguard"], t["recipient_name"]) for t in body["transfers"]] == [
        ("US", "standard_clauses", "CloudCo")
    ]
    assert without_lia.status_code == 400
    assert "legitimate_interests_assessment" in without_lia.json()
    assert ProcessingActivity.objects.count() == 1
    assert (ActivityPurpose.objects.count(), Transfer.objects.count()) == (1, 1)
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert tuple(rows[0]) == ROPA_COLUMNS
    assert len(rows) == 2
    assert exported["X-Content-SHA256"] == AuditEvent.objects.get(action="export").after["sha256"]


@pytest.mark.django_db
def test_unmapped_datasets_endpoint(api_client, officer):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, Actor.for_user(officer, channel="admin"))
    # when
    body = api_client("auditor").get("/api/processing-activities/unmapped-datasets/").json()
    # then
    assert [d["qualified_name"] for d in body["results"]] == ["s3://bucket/c-clean", "s3://bucket/c-raw"]


@pytest.mark.django_db
def test_expired_assets_endpoint(api_client):
    # given
    asset = AssetFactory(name="old", retention_until=timezone.localdate() - timedelta(days=3))
    VersionFactory(asset=asset)
    AssetFactory(name="current", retention_until=timezone.localdate() + timedelta(days=3))
    # when
    body = api_client("auditor").get("/api/retention/expired/").json()
    # then
    assert [(r["qualified_name"], r["days_overdue"], r["versions"]) for r in body["results"]] == [
        ("s3://bucket/old", 3, 1)
    ]


def _populate(n: int, officer) -> None:
    actor = Actor.for_user(officer, channel="admin")
    for i in range(n):
        chain = build_chain(prefix=f"q{n}-{i}")
        review(pii_finding(chain.raw), CONFIRM, actor)
        consent_withdrawal_record(actor=actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="w")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Token + user, role groups, count, page (flags with version, origin, withdrawal, finding), path labels.
FLAGS_LIST_QUERIES = 5
# Token + user, role groups, count, page (versions with asset), prefetched flags (with origin and withdrawal).
FLAGGED_VERSIONS_QUERIES = 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/flags/", FLAGS_LIST_QUERIES),
        ("/api/flags/?kind=consent_withdrawn&asset_kind=model", FLAGS_LIST_QUERIES),
        ("/api/flagged-versions/?flag=personal_data&kind=model", FLAGGED_VERSIONS_QUERIES),
    ],
)
def test_flag_list_query_counts_are_pinned(url, expected, api_client, officer):
    # given
    client = api_client("auditor")
    _populate(1, officer)
    small = _count(client, url)
    # when
    _populate(6, officer)
    # then
    assert (small, _count(client, url)) == (expected, expected)


@pytest.mark.django_db
def test_register_list_query_counts_do_not_grow(api_client, officer):
    # given
    client = api_client("auditor")

    def add(i):
        party = Party.objects.create(name=f"P{i}", contact="c")
        recipient = Recipient.objects.create(party=party, category="processor")
        recipient.datasets.set([AssetFactory()])
        activity = ProcessingActivity.objects.create(name=f"A{i}", controller=party)
        activity.recipients.set([recipient])
        activity.datasets.set([AssetFactory()])
        Transfer.objects.create(activity=activity, recipient=recipient, country="US", safeguard="adequacy")

    add(0)
    small = {url: _count(client, url) for url in ("/api/processing-activities/", "/api/recipients/")}
    # when
    for i in range(1, 6):
        add(i)
    # then
    assert {url: _count(client, url) for url in small} == small
