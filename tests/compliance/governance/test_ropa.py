"""The record of processing activities: Art. 30(1)(a)–(g) CSV, lawful basis rules, unmapped personal-data datasets."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from catalog.choices import VersionState
from catalog.models import Purpose
from compliance.models import Party, ProcessingActivity, Recipient, RetentionPolicy
from compliance.ropa import (
    ROPA_COLUMNS,
    datasets_without_processing_activity,
    party_create,
    processing_activity_create,
    processing_activity_update,
    ropa_export,
)
from core.audit import Actor
from core.exceptions import PermissionDenied
from core.models import AuditEvent
from lineage.choices import JobType
from tests.compliance.governance.conftest import CONFIRM, build_chain, pii_finding, review
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive


def _register(actor: Actor) -> ProcessingActivity:
    controller = Party.objects.create(name="Custodian Ltd", contact="legal@custodian.example", country="IE")
    joint = Party.objects.create(name="Partner GmbH", contact="privacy@partner.example", country="DE")
    dpo = Party.objects.create(name="Jane Doe", contact="dpo@custodian.example")
    cloud = Party.objects.create(name="CloudCo", contact="dpa@cloud.example", country="US", third_country=True)
    recipient = Recipient.objects.create(party=cloud, category="processor")
    policy = RetentionPolicy.objects.create(
        name="Contacts",
        data_category="customer contact data",
        period_days=365,
        trigger="end of contract",
        action="delete",
    )
    fraud = Purpose.objects.create(name="Fraud detection", lawful_basis="legitimate_interests")
    marketing = Purpose.objects.create(name="Marketing", lawful_basis="consent")
    customers = VersionFactory(asset=AssetFactory(name="customers"))
    review(pii_finding(customers), CONFIRM, actor)
    return processing_activity_create(
        actor=actor,
        name="Fraud model training",
        description="Train and\nevaluate the fraud model.",
        controller=controller,
        joint_controllers=[joint],
        dpo=dpo,
        purposes=[
            {"purpose": fraud, "legitimate_interests_assessment": "LIA-7"},
            {"purpose": marketing},
        ],
        data_subject_categories=["customers", "prospects"],
        personal_data_categories=["contact details"],
        recipients=[recipient],
        transfers=[
            {
                "recipient": recipient,
                "country": "US",
                "safeguard": "standard_clauses",
                "documentation": "EU SCC 2021/914 module 2",
            }
        ],
        retention_policies=[policy],
        erasure_time_limits="Backups overwritten within 35 days",
        security_measures="Encryption at rest; access control",
        dpia_required=True,
        dpia_reference="DPIA-2025-03",
        datasets=[customers.asset],
        last_reviewed_at=date(2025, 6, 1),
    )


@pytest.mark.django_db
def test_ropa_csv_has_columns_a_to_g_and_one_row_per_activity(officer_actor):
    # given
    _register(officer_actor)
    # when
    export = ropa_export(actor=officer_actor)
    # then
    rows = list(csv.DictReader(io.StringIO(export.content)))
    assert tuple(csv.reader(io.StringIO(export.content)).__next__()) == ROPA_COLUMNS
    assert rows == [
        {
            "activity": "Fraud model training",
            "description": "Train and evaluate the fraud model.",
            "(a) controller": "Custodian Ltd (legal@custodian.example, IE)",
            "(a) joint controllers": "Partner GmbH (privacy@partner.example, DE)",
            "(a) representative": "",
            "(a) data protection officer": "Jane Doe (dpo@custodian.example)",
            "(b) purposes": "Fraud detection; Marketing",
            "lawful basis per purpose": "Fraud detection: 6(1)(f) legitimate interests (LIA LIA-7); "
            "Marketing: 6(1)(a) consent",
            "(c) categories of data subjects": "customers; prospects",
            "(c) categories of personal data": "contact details; confirmed in the datasets: EMAIL_ADDRESS",
            "(d) categories of recipients": "Processor acting for us: CloudCo (US, third country)",
            "(e) transfers to third countries or international organisations": "US to CloudCo: Art. 46(2)(c) "
            "standard contractual clauses (EU SCC 2021/914 module 2)",
            "(f) time limits for erasure": "customer contact data: 365 days from end of contract, then delete; "
            "Backups overwritten within 35 days",
            "(g) technical and organisational security measures": "Encryption at rest; access control",
            "Art. 9(2) condition": "",
            "DPIA": "required: DPIA-2025-03",
            "datasets and models": "s3://bucket/customers",
            "last reviewed": "2025-06-01 by officer",
        }
    ]
    assert export.rows == 1


@pytest.mark.django_db
def test_ropa_export_is_audited_with_its_hash_and_never_its_content(officer_actor):
    # given
    activity = _register(officer_actor)
    # when
    export = ropa_export(actor=officer_actor)
    # then
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.object_id) == ("compliance.processingactivity", "ropa")
    assert event.after["sha256"] == export.sha256
    assert (event.after["rows"], event.after["activities"], event.after["format"]) == (1, [activity.pk], "csv")
    assert "Custodian Ltd" not in str(event.after)


@pytest.mark.django_db
def test_a_formula_in_a_cell_is_exported_as_text(officer_actor):
    # given
    controller = Party.objects.create(name="Us", contact='=HYPERLINK("http://x")')
    processing_activity_create(actor=officer_actor, name="@SUM(A1)", controller=controller)
    # when
    row = next(csv.DictReader(io.StringIO(ropa_export(actor=officer_actor).content)))
    # then
    assert row["activity"] == "'@SUM(A1)"
    assert row["(a) controller"] == 'Us (=HYPERLINK("http://x"))'


@pytest.mark.django_db
def test_legitimate_interests_need_an_assessment_and_nothing_is_written(officer_actor):
    # given
    controller = Party.objects.create(name="Us", contact="c")
    purpose = Purpose.objects.create(name="Fraud detection", lawful_basis="legitimate_interests")
    # when
    with pytest.raises(ValidationError) as error:
        processing_activity_create(
            actor=officer_actor, name="A", controller=controller, purposes=[{"purpose": purpose}]
        )
    # then
    assert error.value.message_dict == {
        "legitimate_interests_assessment": ["Art. 6(1)(f) needs a legitimate interests assessment."]
    }
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_a_compelling_interests_transfer_needs_its_safeguard_documentation(officer_actor):
    # given
    controller = Party.objects.create(name="Us", contact="c")
    recipient = Recipient.objects.create(party=Party.objects.create(name="Them", contact="t"), category="other")
    # when
    with pytest.raises(ValidationError) as error:
        processing_activity_create(
            actor=officer_actor,
            name="A",
            controller=controller,
            transfers=[{"recipient": recipient, "country": "BR", "safeguard": "compelling_interests"}],
        )
    # then
    assert list(error.value.message_dict) == ["documentation"]
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_an_update_replacing_purposes_is_audited_with_bases_before_and_after(officer_actor):
    # given
    activity = _register(officer_actor)
    marketing = Purpose.objects.get(name="Marketing")
    # when
    processing_activity_update(
        activity=activity, data={}, purposes=[{"purpose": marketing, "lawful_basis": "contract"}], actor=officer_actor
    )
    # then
    event = AuditEvent.objects.filter(object_type="compliance.processingactivity", action="update").get()
    assert [b["lawful_basis"] for b in event.before["bases"]] == ["legitimate_interests", "consent"]
    assert event.after["bases"] == [{"purpose": marketing.pk, "lawful_basis": "contract", "lia": ""}]


@pytest.mark.django_db
def test_only_officers_change_the_register(scientist):
    # when / then
    with pytest.raises(PermissionDenied):
        party_create(actor=Actor.for_user(scientist, channel="api"), name="Us", contact="c")
    assert (Party.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_datasets_holding_personal_data_without_an_activity_are_flagged(officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    clean = VersionFactory(asset=AssetFactory(name="weather"))
    anonymised = VersionFactory(asset=AssetFactory(name="export"))
    derive([chain.raw], [anonymised], job="anonymise", job_type=JobType.ANONYMISATION)
    VersionFactory(asset=ModelAssetFactory(name="models/other"))
    controller = Party.objects.create(name="Us", contact="c")
    # when
    before = [a.name for a in datasets_without_processing_activity()]
    processing_activity_create(actor=officer_actor, name="Cleaning", controller=controller, datasets=[chain.raw.asset])
    processing_activity_create(
        actor=officer_actor, name="Retired", controller=controller, datasets=[chain.derived.asset], is_active=False
    )
    after = [a.name for a in datasets_without_processing_activity()]
    # then
    assert before == ["c-clean", "c-raw"]
    assert after == ["c-clean"]
    assert clean.asset.name not in before


@pytest.mark.django_db
def test_an_erased_version_no_longer_makes_its_dataset_unmapped(officer_actor):
    # given
    raw = VersionFactory(asset=AssetFactory(name="raw"))
    review(pii_finding(raw), CONFIRM, officer_actor)
    # when
    type(raw).objects.filter(pk=raw.pk).update(state=VersionState.ERASED)
    # then
    assert list(datasets_without_processing_activity()) == []
