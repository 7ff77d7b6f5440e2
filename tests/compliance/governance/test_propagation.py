"""Governance flags along lineage: origins, paths, anonymisation breakers, triggers, idempotence."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from catalog.choices import PrivacyMeasure
from catalog.models import Purpose
from catalog.services import version_register
from compliance.models import ConsentWithdrawal, FlagKind, GovernanceFlag, WithdrawalScope
from compliance.propagation import (
    consent_withdrawal_lift,
    consent_withdrawal_record,
    flagged_versions,
    flags_refresh_all,
)
from core.audit import Actor
from core.exceptions import PermissionDenied
from core.models import AuditEvent
from lineage.choices import InputRole, JobType
from lineage.ingestion import openlineage_events_ingest
from lineage.models import Run
from lineage.services import run_add_io, version_register_derived
from tests.compliance.governance.conftest import CONFIRM, DISMISS, build_chain, pii_finding, review
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import SYSTEM, derive
from tests.lineage.ol import dataset, run_event


def _flags(kind: str = FlagKind.PERSONAL_DATA) -> dict[int, GovernanceFlag]:
    return {f.version_id: f for f in GovernanceFlag.objects.filter(kind=kind)}


@pytest.mark.django_db
def test_personal_data_flows_down_the_model_chain_with_its_origin_on_every_version(officer_actor):
    # given
    chain = build_chain()
    finding = pii_finding(chain.raw)
    # when
    review(finding, CONFIRM, officer_actor)
    # then
    flags = _flags()
    assert sorted(flags) == sorted(chain.ids)
    for depth, version_id in enumerate(chain.ids):
        flag = flags[version_id]
        assert flag.origin_version_id == chain.raw.pk
        assert flag.origin_asset_id == chain.raw.asset_id
        assert flag.finding_id == finding.pk
        assert flag.withdrawal_id is None
        assert flag.path == chain.ids[: depth + 1]
        assert flag.depth == depth
        assert len(flag.runs) == depth
        assert flag.via_anonymisation is False
        assert flag.detail == {"columns": ["email"], "entities": ["EMAIL_ADDRESS"]}
    assert flags[chain.quantised.pk].runs == list(
        Run.objects.filter(edges__target_id__in=chain.ids[1:]).order_by("pk").values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_review_audits_the_flags_it_raises(officer_actor):
    # given
    chain = build_chain()
    # when
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    # then
    event = AuditEvent.objects.get(object_type="compliance.governanceflag")
    assert event.object_id == f"personal_data:asset:{chain.raw.asset_id}"
    assert event.after["raised"] == sorted(chain.ids)
    assert event.after["cleared"] == []
    assert event.reason == "finding confirmed"
    assert event.actor_label == "officer"


@pytest.mark.django_db
def test_an_anonymisation_run_stops_personal_data_and_its_descendants_stay_clean(officer_actor):
    # given
    raw = VersionFactory()
    export = VersionFactory(asset=AssetFactory(name="export"), privacy_measure=PrivacyMeasure.IDENTIFIED)
    model = VersionFactory(asset=ModelAssetFactory())
    tuned = VersionFactory(asset=ModelAssetFactory())
    derive([raw], [export], job="anonymise", job_type=JobType.ANONYMISATION)
    derive([(export, InputRole.TRAINING_DATA)], [model], job="train", job_type=JobType.TRAINING)
    derive([(model, InputRole.BASE_MODEL)], [tuned], job="tune", job_type=JobType.FINE_TUNING)
    # when
    review(pii_finding(raw), CONFIRM, officer_actor)
    # then
    assert sorted(_flags()) == [raw.pk]


@pytest.mark.django_db
def test_a_version_declared_anonymised_stops_personal_data_below_it(officer_actor):
    # given
    raw = VersionFactory()
    aggregated = VersionFactory(asset=AssetFactory(name="agg"), privacy_measure=PrivacyMeasure.ANONYMISED)
    model = VersionFactory(asset=ModelAssetFactory())
    derive([raw], [aggregated], job="aggregate", job_type=JobType.ETL)
    derive([aggregated], [model], job="train", job_type=JobType.TRAINING)
    # when
    review(pii_finding(raw), CONFIRM, officer_actor)
    # then
    assert sorted(_flags()) == [raw.pk]


@pytest.mark.django_db
def test_a_model_trained_on_anonymised_and_identified_data_is_flagged_through_the_identified_path(officer_actor):
    # given
    raw = VersionFactory()
    export = VersionFactory(asset=AssetFactory(name="export"))
    cleaned = VersionFactory(asset=AssetFactory(name="cleaned"))
    model = VersionFactory(asset=ModelAssetFactory())
    derive([raw], [export], job="anonymise", job_type=JobType.ANONYMISATION)
    derive([raw], [cleaned], job="clean", job_type=JobType.ETL)
    derive([export, cleaned], [model], job="train", job_type=JobType.TRAINING)
    # when
    review(pii_finding(raw), CONFIRM, officer_actor)
    # then
    flags = _flags()
    assert sorted(flags) == sorted([raw.pk, cleaned.pk, model.pk])
    assert flags[model.pk].path == [raw.pk, cleaned.pk, model.pk]


@pytest.mark.django_db
def test_consent_crosses_anonymisation_marked_and_prefers_a_clean_path(officer_actor):
    # given
    raw = VersionFactory()
    export = VersionFactory(asset=AssetFactory(name="export"))
    export_model = VersionFactory(asset=ModelAssetFactory(name="models/on-export"))
    cleaned = VersionFactory(asset=AssetFactory(name="cleaned"))
    both = VersionFactory(asset=ModelAssetFactory(name="models/on-both"))
    derive([raw], [export], job="anonymise", job_type=JobType.ANONYMISATION)
    derive([export], [export_model], job="train-export", job_type=JobType.TRAINING)
    derive([raw], [cleaned], job="clean", job_type=JobType.ETL)
    derive([export, cleaned], [both], job="train-both", job_type=JobType.TRAINING)
    # when
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=raw.asset, withdrawn_on=date(2025, 5, 1), reason="partner revoked consent"
    )
    # then
    flags = _flags(FlagKind.CONSENT_WITHDRAWN)
    assert {v: f.via_anonymisation for v, f in flags.items()} == {
        raw.pk: False,
        export.pk: True,
        export_model.pk: True,
        cleaned.pk: False,
        both.pk: False,
    }
    assert flags[both.pk].path == [raw.pk, cleaned.pk, both.pk]
    assert flags[export_model.pk].path == [raw.pk, export.pk, export_model.pk]
    assert {f.withdrawal_id for f in flags.values()} == {withdrawal.pk}
    assert flags[export.pk].detail == {
        "withdrawn_on": "2025-05-01",
        "scope": "all_versions",
        "dataset": raw.asset_id,
        "purpose": None,
    }


@pytest.mark.django_db
def test_a_purpose_withdrawal_flags_exactly_the_models_built_on_datasets_of_that_purpose(officer_actor):
    # given
    marketing = Purpose.objects.create(name="Marketing", lawful_basis="consent")
    research = Purpose.objects.create(name="Research", lawful_basis="legitimate_interests")
    newsletter = VersionFactory(asset=AssetFactory(name="newsletter"))
    newsletter.asset.purposes.set([marketing])
    papers = VersionFactory(asset=AssetFactory(name="papers"))
    papers.asset.purposes.set([research])
    on_newsletter = VersionFactory(asset=ModelAssetFactory(name="models/ads"))
    on_papers = VersionFactory(asset=ModelAssetFactory(name="models/science"))
    on_both = VersionFactory(asset=ModelAssetFactory(name="models/general"))
    tuned = VersionFactory(asset=ModelAssetFactory(name="models/ads-tuned"))
    marketing_model = VersionFactory(asset=ModelAssetFactory(name="models/purpose-only"))
    marketing_model.asset.purposes.set([marketing])
    derive([newsletter], [on_newsletter], job="t1", job_type=JobType.TRAINING)
    derive([papers], [on_papers], job="t2", job_type=JobType.TRAINING)
    derive([newsletter, papers], [on_both], job="t3", job_type=JobType.TRAINING)
    derive([on_newsletter], [tuned], job="t4", job_type=JobType.FINE_TUNING)
    derive([papers], [marketing_model], job="t5", job_type=JobType.TRAINING)
    # when
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, purpose=marketing, withdrawn_on=date(2025, 5, 1), reason="campaign consent withdrawn"
    )
    # then
    affected = flagged_versions(flag=FlagKind.CONSENT_WITHDRAWN, asset_kind="model", withdrawal=withdrawal.pk)
    assert sorted(v.pk for v in affected) == sorted([on_newsletter.pk, on_both.pk, tuned.pk])
    assert sorted(_flags(FlagKind.CONSENT_WITHDRAWN)) == sorted([newsletter.pk, on_newsletter.pk, on_both.pk, tuned.pk])


@pytest.mark.django_db
def test_a_withdrawal_for_versions_before_its_date_leaves_later_versions_clean(officer_actor):
    # given
    dataset = AssetFactory(name="events")
    early = VersionFactory(asset=dataset, version="jan", produced_at=timezone.make_aware(datetime(2025, 1, 15)))
    late = VersionFactory(asset=dataset, version="mar", produced_at=timezone.make_aware(datetime(2025, 3, 15)))
    early_model = VersionFactory(asset=ModelAssetFactory(), version="1")
    late_model = VersionFactory(asset=early_model.asset, version="2")
    derive([early], [early_model], job="t-early", job_type=JobType.TRAINING)
    derive([late], [late_model], job="t-late", job_type=JobType.TRAINING)
    # when
    consent_withdrawal_record(
        actor=officer_actor,
        dataset=dataset,
        withdrawn_on=date(2025, 2, 1),
        scope=WithdrawalScope.BEFORE_DATE,
        reason="cohort withdrew",
    )
    # then
    assert sorted(_flags(FlagKind.CONSENT_WITHDRAWN)) == sorted([early.pk, early_model.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [FlagKind.PERSONAL_DATA, FlagKind.CONSENT_WITHDRAWN])
def test_new_lineage_added_under_a_flagged_version_gets_flagged(kind, officer_actor, scientist):
    # given
    chain = build_chain()
    if kind == FlagKind.PERSONAL_DATA:
        review(pii_finding(chain.raw), CONFIRM, officer_actor)
    else:
        consent_withdrawal_record(
            actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
        )
    student = ModelAssetFactory(name="models/student", owner=scientist)
    # when
    version, run = version_register_derived(
        actor=SYSTEM, asset=student, version="1", inputs=[(chain.quantised, None)], job_type=JobType.DISTILLATION
    )
    # then
    flag = GovernanceFlag.objects.get(version=version, kind=kind)
    assert flag.path == [*chain.ids, version.pk]
    assert flag.runs[-1] == run.pk
    assert flag.origin_version_id == chain.raw.pk


@pytest.mark.django_db
def test_an_output_added_to_a_run_later_is_flagged(officer_actor):
    # given
    raw = VersionFactory()
    first = VersionFactory(asset=AssetFactory(name="first"))
    run = derive([raw], [first], job="split")
    review(pii_finding(raw), CONFIRM, officer_actor)
    second = VersionFactory(asset=AssetFactory(name="second"))
    # when
    run_add_io(run=run, outputs=[second])
    # then
    assert sorted(_flags()) == sorted([raw.pk, first.pk, second.pk])
    assert _flags()[second.pk].runs == [run.pk]


@pytest.mark.django_db
def test_new_lineage_through_an_anonymisation_run_stays_clean(officer_actor):
    # given
    raw = VersionFactory()
    review(pii_finding(raw), CONFIRM, officer_actor)
    export = VersionFactory(asset=AssetFactory(name="export"))
    # when
    derive([raw], [export], job="anonymise", job_type=JobType.ANONYMISATION)
    # then
    assert sorted(_flags()) == [raw.pk]


@pytest.mark.django_db
def test_dismissing_the_finding_removes_the_flags_and_audits_it(officer_actor):
    # given
    chain = build_chain()
    finding = pii_finding(chain.raw)
    review(finding, CONFIRM, officer_actor)
    # when
    review(finding, DISMISS, officer_actor)
    # then
    assert GovernanceFlag.objects.count() == 0
    event = AuditEvent.objects.filter(object_type="compliance.governanceflag").last()
    assert (event.after["raised"], event.after["cleared"]) == ([], sorted(chain.ids))
    assert event.reason == "finding dismissed"


@pytest.mark.django_db
def test_dismissing_one_of_two_confirmed_columns_keeps_the_flags_with_the_remaining_column(officer_actor):
    # given
    chain = build_chain()
    email = pii_finding(chain.raw, column="email")
    phone = pii_finding(chain.raw, column="phone", entity="PHONE_NUMBER")
    review(email, CONFIRM, officer_actor)
    review(phone, CONFIRM, officer_actor)
    # when
    review(email, DISMISS, officer_actor)
    # then
    flags = _flags()
    assert sorted(flags) == sorted(chain.ids)
    assert {f.finding_id for f in flags.values()} == {phone.pk}
    assert flags[chain.model.pk].detail == {"columns": ["phone"], "entities": ["PHONE_NUMBER"]}


@pytest.mark.django_db
def test_a_later_scan_dismissal_of_the_same_column_wins_over_an_older_confirmation(officer_actor):
    # given
    raw = VersionFactory()
    review(pii_finding(raw), CONFIRM, officer_actor)
    # when
    review(pii_finding(raw), DISMISS, officer_actor)
    # then
    assert GovernanceFlag.objects.count() == 0


@pytest.mark.django_db
def test_a_model_built_on_two_personal_datasets_carries_one_flag_per_origin(officer_actor):
    # given
    left, right = VersionFactory(asset=AssetFactory(name="left")), VersionFactory(asset=AssetFactory(name="right"))
    model = VersionFactory(asset=ModelAssetFactory())
    derive([left, right], [model], job="train", job_type=JobType.TRAINING)
    left_finding = pii_finding(left)
    review(left_finding, CONFIRM, officer_actor)
    review(pii_finding(right), CONFIRM, officer_actor)
    # when
    review(left_finding, DISMISS, officer_actor)
    # then
    assert list(GovernanceFlag.objects.filter(version=model).values_list("origin_asset_id", "path").order_by("pk")) == [
        (right.asset_id, [right.pk, model.pk])
    ]


@pytest.mark.django_db
def test_lifting_the_withdrawal_removes_its_flags_and_keeps_the_record(officer_actor):
    # given
    chain = build_chain()
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    assert GovernanceFlag.objects.filter(withdrawal=withdrawal).count() == 5
    # when
    consent_withdrawal_lift(withdrawal=withdrawal, actor=officer_actor, reason="recorded for the wrong dataset")
    # then
    withdrawal.refresh_from_db()
    assert GovernanceFlag.objects.count() == 0
    assert withdrawal.lifted_at is not None
    assert withdrawal.lift_reason == "recorded for the wrong dataset"
    assert list(
        AuditEvent.objects.filter(object_type="compliance.consentwithdrawal").values_list("action", flat=True)
    ) == ["create", "status_change"]


@pytest.mark.django_db
def test_two_withdrawals_flag_independently(officer_actor):
    # given
    chain = build_chain()
    first = consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="first"
    )
    consent_withdrawal_record(
        actor=officer_actor, dataset=chain.derived.asset, withdrawn_on=date(2025, 6, 1), reason="second"
    )
    # when
    consent_withdrawal_lift(withdrawal=first, actor=officer_actor, reason="lifted")
    # then
    assert sorted(_flags(FlagKind.CONSENT_WITHDRAWN)) == sorted(chain.ids[1:])


@pytest.mark.django_db
def test_a_new_version_of_a_withdrawn_dataset_is_flagged(officer_actor):
    # given
    dataset = AssetFactory(name="survey")
    VersionFactory(asset=dataset, version="1")
    withdrawal = consent_withdrawal_record(
        actor=officer_actor, dataset=dataset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    # when
    new = version_register(actor=officer_actor, asset=dataset, version="2", uri="s3://survey/2")
    # then
    flag = GovernanceFlag.objects.get(version=new)
    assert (flag.withdrawal_id, flag.origin_version_id, flag.path) == (withdrawal.pk, new.pk, [new.pk])


@pytest.mark.django_db
def test_reconciliation_changes_nothing_when_flags_are_current_and_keeps_since(officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    consent_withdrawal_record(
        actor=officer_actor, dataset=chain.raw.asset, withdrawn_on=date(2025, 5, 1), reason="withdrawn"
    )
    since = dict(GovernanceFlag.objects.values_list("pk", "since"))
    events = AuditEvent.objects.count()
    # when
    changes = flags_refresh_all(actor=officer_actor)
    # then
    assert (changes.raised, changes.cleared, changes.rerouted) == (0, 0, 0)
    assert AuditEvent.objects.count() == events
    assert dict(GovernanceFlag.objects.values_list("pk", "since")) == since


@pytest.mark.django_db
def test_reconciliation_applies_a_privacy_measure_changed_after_the_fact(officer_actor):
    # given
    chain = build_chain()
    review(pii_finding(chain.raw), CONFIRM, officer_actor)
    type(chain.derived).objects.filter(pk=chain.derived.pk).update(privacy_measure=PrivacyMeasure.ANONYMISED)
    # when
    changes = flags_refresh_all(actor=officer_actor)
    # then
    assert (changes.raised, changes.cleared) == (0, 4)
    assert sorted(_flags()) == [chain.raw.pk]


@pytest.mark.django_db
def test_only_officers_record_withdrawals(scientist):
    # given
    survey = VersionFactory().asset
    # when / then
    with pytest.raises(PermissionDenied):
        consent_withdrawal_record(
            actor=Actor.for_user(scientist, channel="api"), dataset=survey, withdrawn_on=date(2025, 1, 1), reason="x"
        )
    assert (ConsentWithdrawal.objects.count(), GovernanceFlag.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_lineage_ingested_over_openlineage_is_flagged_by_the_nightly_reconciliation(officer_actor):
    # given
    raw = VersionFactory(asset=AssetFactory(namespace="s3://raw", name="customers"), version="1")
    review(pii_finding(raw), CONFIRM, officer_actor)
    event = run_event(
        "COMPLETE",
        job=("ml", "churn.train"),
        job_type="TRAINING",
        inputs=[dataset("s3://raw", "customers", version="1")],
        outputs=[dataset("mlflow://registry", "models/churn", model=True, version="7")],
    )
    result = openlineage_events_ingest(payloads=[event], actor=SYSTEM, atomic=True)
    assert result.rejected == 0
    # when
    flags_refresh_all(actor=officer_actor)
    # then
    model = GovernanceFlag.objects.get(version__asset__name="models/churn")
    assert (model.kind, model.origin_version_id, model.depth) == (FlagKind.PERSONAL_DATA, raw.pk, 1)
