"""Governance over GraphQL for auditors: flags with origin and path, withdrawals, the register, retention."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Purpose
from compliance.models import Party, Recipient
from compliance.propagation import consent_withdrawal_record
from compliance.ropa import processing_activity_create
from lineage.choices import JobType
from tests.compliance.governance.conftest import CONFIRM, build_chain, pii_finding, review
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive

FLAGS = """
query ($kind: String, $assetKind: String) {
  governanceFlags(kind: $kind, assetKind: $assetKind) {
    kind depth viaAnonymisation path pathLabels
    version { id version asset { qualifiedName kind } }
    originVersion { id } originAsset { qualifiedName }
    withdrawal { id scope isActive }
  }
}
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("norole", 403), ("auditor", 200)])
def test_the_governance_root_fields_by_role(role, status, graphql):
    # when
    code, body = graphql(role)("{ governanceFlags { kind } processingActivities { name } unmappedDatasets { id } }")
    # then
    assert code == status
    if status == 200:
        assert body == {"data": {"governanceFlags": [], "processingActivities": [], "unmappedDatasets": []}}


@pytest.mark.django_db
def test_auditors_find_the_models_affected_by_a_consent_withdrawal(graphql, officer_actor):
    # given
    marketing = Purpose.objects.create(name="Marketing", lawful_basis="consent")
    newsletter = VersionFactory(asset=AssetFactory(name="newsletter"), version="1")
    newsletter.asset.purposes.set([marketing])
    ads = VersionFactory(asset=ModelAssetFactory(name="models/ads"), version="1")
    other = VersionFactory(asset=ModelAssetFactory(name="models/other"), version="1")
    derive([newsletter], [ads], job="train", job_type=JobType.TRAINING)
    derive([VersionFactory()], [other], job="train-other", job_type=JobType.TRAINING)
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, purpose=marketing, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    # when
    code, body = graphql("auditor")(FLAGS, {"kind": "consent_withdrawn", "assetKind": "model"})
    # then
    assert code == 200, body
    assert body["data"]["governanceFlags"] == [
        {
            "kind": "consent_withdrawn",
            "depth": 1,
            "viaAnonymisation": False,
            "path": [newsletter.pk, ads.pk],
            "pathLabels": ["s3://bucket/newsletter@1", "mlflow://registry/models/ads@1"],
            "version": {
                "id": str(ads.pk),
                "version": "1",
                "asset": {"qualifiedName": "mlflow://registry/models/ads", "kind": "model"},
            },
            "originVersion": {"id": str(newsletter.pk)},
            "originAsset": {"qualifiedName": "s3://bucket/newsletter"},
            "withdrawal": {"id": str(withdrawal.pk), "scope": "all_versions", "isActive": True},
        }
    ]


@pytest.mark.django_db
def test_flagged_versions_and_withdrawals(graphql, officer_actor):
    # given
    chain = build_chain()
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    # when
    code, body = graphql("auditor")(
        """{ flaggedVersions(flag: "consent_withdrawn", kind: "model") { version { id } flags { kind depth } }
             consentWithdrawals { id flaggedVersions recordedBy dataset { qualifiedName } } }"""
    )
    # then
    assert code == 200, body
    assert [v["version"]["id"] for v in body["data"]["flaggedVersions"]] == [
        str(chain.quantised.pk),
        str(chain.fine_tune.pk),
        str(chain.model.pk),
    ]
    assert [v["flags"] for v in body["data"]["flaggedVersions"]] == [
        [{"kind": "consent_withdrawn", "depth": 4}],
        [{"kind": "consent_withdrawn", "depth": 3}],
        [{"kind": "consent_withdrawn", "depth": 2}],
    ]
    assert body["data"]["consentWithdrawals"] == [
        {
            "id": str(withdrawal.pk),
            "flaggedVersions": 5,
            "recordedBy": "officer",
            "dataset": {"qualifiedName": "s3://bucket/c-raw"},
        }
    ]


@pytest.mark.django_db
def test_the_register_its_gaps_and_retention_over_graphql(graphql, officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    us = Party.objects.create(name="Us", contact="legal@us.example", roles=["controller"])
    recipient = Recipient.objects.create(party=Party.objects.create(name="CloudCo", contact="c"), category="processor")
    consent = Purpose.objects.create(name="Newsletter", lawful_basis="consent")
    processing_activity_create(
        actor=officer_actor,
        name="Cleaning",
        controller=us,
        purposes=[{"purpose": consent}],
        recipients=[recipient],
        transfers=[{"recipient": recipient, "country": "US", "safeguard": "adequacy"}],
        datasets=[chain.raw.asset],
    )
    expired = AssetFactory(name="logs", retention_until=timezone.localdate() - timedelta(days=4))
    # when
    code, body = graphql("auditor")(
        """{ processingActivities { name controller { name } purposes { purpose { name } lawfulBasis }
               transfers { country safeguard } recipients { party { name } thirdCountry } confirmedPiiEntities
               datasets { qualifiedName } }
             unmappedDatasets { qualifiedName }
             parties { name roles }
             assetsPastRetention { asset { qualifiedName } daysOverdue versions flaggedVersions } }"""
    )
    # then
    assert code == 200, body
    assert body["data"]["processingActivities"] == [
        {
            "name": "Cleaning",
            "controller": {"name": "Us"},
            "purposes": [{"purpose": {"name": "Newsletter"}, "lawfulBasis": "consent"}],
            "transfers": [{"country": "US", "safeguard": "adequacy"}],
            "recipients": [{"party": {"name": "CloudCo"}, "thirdCountry": False}],
            "confirmedPiiEntities": ["EMAIL_ADDRESS"],
            "datasets": [{"qualifiedName": "s3://bucket/c-raw"}],
        }
    ]
    assert body["data"]["unmappedDatasets"] == [{"qualifiedName": "s3://bucket/c-clean"}]
    assert body["data"]["parties"] == [{"name": "CloudCo", "roles": []}, {"name": "Us", "roles": ["controller"]}]
    assert body["data"]["assetsPastRetention"] == [
        {"asset": {"qualifiedName": expired.qualified_name}, "daysOverdue": 4, "versions": 0, "flaggedVersions": 0}
    ]


@pytest.mark.django_db
def test_governance_flags_query_count_is_flat(graphql, officer_actor):
    # given
    run = graphql("auditor")
    query = "{ governanceFlags { kind pathLabels version { version } originVersion { id } withdrawal { id } } }"

    def populate(n):
        for i in range(n):
            chain = build_chain(prefix=f"g{n}-{i}")
            review(pii_finding(chain.raw), CONFIRM, officer_actor)
            consent_withdrawal_record(
                actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="w"
            )

    populate(1)
    with CaptureQueriesContext(connection) as small:
        run(query)
    # when
    populate(4)
    with CaptureQueriesContext(connection) as large:
        code, body = run(query)
    # then
    assert code == 200
    assert len(body["data"]["governanceFlags"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
