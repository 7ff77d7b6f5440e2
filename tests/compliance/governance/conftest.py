"""Helpers for the governance tests: confirmed findings through the real review service, a model chain."""

from dataclasses import dataclass

import pytest

from catalog.models import AssetVersion, Field
from compliance.choices import FindingReview, ScanStatus, Verdict
from compliance.models import ColumnFinding, Scan
from compliance.services import finding_review
from core.audit import Actor
from core.models import AuditChannel
from lineage.choices import InputRole, JobType
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive


def pii_finding(version: AssetVersion, *, column: str = "email", entity: str = "EMAIL_ADDRESS") -> ColumnFinding:
    """A pending finding from a succeeded scan (and the schema field it is about)."""
    Field.objects.get_or_create(version=version, name=column)
    scan = Scan.objects.create(version=version, location="tests", status=ScanStatus.SUCCEEDED)
    return ColumnFinding.objects.create(
        scan=scan,
        version=version,
        column=column,
        verdict=Verdict.IS,
        entities=[{"type": entity, "hit_rate": 1.0, "score": 0.9}],
        masked_examples=["j***@example.com"],
    )


def review(finding: ColumnFinding, decision: str, actor: Actor) -> ColumnFinding:
    return finding_review(finding=finding, decision=decision, actor=actor, note=f"{decision} in a test")


@dataclass
class Chain:
    raw: AssetVersion
    derived: AssetVersion
    model: AssetVersion
    fine_tune: AssetVersion
    quantised: AssetVersion

    @property
    def ids(self) -> list[int]:
        return [self.raw.pk, self.derived.pk, self.model.pk, self.fine_tune.pk, self.quantised.pk]


def build_chain(prefix: str = "c") -> Chain:
    """raw dataset → derived dataset (etl) → model (training) → fine-tune → quantised, through the real services."""
    raw = VersionFactory(asset=AssetFactory(name=f"{prefix}-raw"), version="1")
    derived = VersionFactory(asset=AssetFactory(name=f"{prefix}-clean"), version="1")
    model = VersionFactory(asset=ModelAssetFactory(name=f"models/{prefix}-base"), version="1")
    fine_tune = VersionFactory(asset=ModelAssetFactory(name=f"models/{prefix}-tuned"), version="1")
    quantised = VersionFactory(asset=ModelAssetFactory(name=f"models/{prefix}-int8"), version="1")
    derive([raw], [derived], job=f"{prefix}-clean", job_type=JobType.ETL)
    derive([(derived, InputRole.TRAINING_DATA)], [model], job=f"{prefix}-train", job_type=JobType.TRAINING)
    derive([(model, InputRole.BASE_MODEL)], [fine_tune], job=f"{prefix}-tune", job_type=JobType.FINE_TUNING)
    derive([(fine_tune, InputRole.BASE_MODEL)], [quantised], job=f"{prefix}-int8", job_type=JobType.QUANTISATION)
    return Chain(raw, derived, model, fine_tune, quantised)


@pytest.fixture
def officer_actor(officer) -> Actor:
    return Actor.for_user(officer, channel=AuditChannel.ADMIN)


CONFIRM, DISMISS = FindingReview.CONFIRMED, FindingReview.DISMISSED
