"""Flags follow lineage that arrives over OpenLineage at once, in the ingesting transaction."""

import uuid
from datetime import UTC, datetime

import pytest

from compliance.models import ColumnFinding, GovernanceFlag, Scan
from compliance.propagation import flags_refresh_personal_data
from core.audit import Actor
from lineage.ingestion import openlineage_events_ingest
from tests.factories.catalog import AssetFactory, VersionFactory


def _event(*, inputs, outputs):
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-28T10:00:00Z",
        "producer": "https://example.com/etl",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "etl", "name": "clean"},
        "inputs": [{"namespace": ns, "name": n} for ns, n in inputs],
        "outputs": [{"namespace": ns, "name": n} for ns, n in outputs],
    }


@pytest.mark.django_db
def test_a_dataset_derived_over_openlineage_from_personal_data_is_flagged():
    # given a raw version flagged as holding personal data (a confirmed finding)
    raw = VersionFactory(
        asset=AssetFactory(namespace="s3://raw", name="tickets"), produced_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    scan = Scan.objects.create(version=raw, location="x.csv", status="succeeded")
    ColumnFinding.objects.create(
        scan=scan,
        version=raw,
        column="email",
        verdict="IS",
        review="confirmed",
        entities=[{"type": "EMAIL_ADDRESS", "hit_rate": 1.0, "score": 1.0}],
    )
    flags_refresh_personal_data(assets=[raw.asset], actor=Actor.system("t"))
    assert GovernanceFlag.objects.filter(version=raw, kind="personal_data").count() == 1
    # when a cleaning job reports over OpenLineage that it read the raw data and wrote a cleaned dataset
    result = openlineage_events_ingest(
        payloads=[_event(inputs=[("s3://raw", "tickets")], outputs=[("s3://clean", "tickets")])],
        actor=Actor.system("t"),
        atomic=True,
    )
    # then the cleaned version carries the flag, with the raw asset as its origin
    assert result.accepted == 1
    flag = GovernanceFlag.objects.get(version__asset__namespace="s3://clean", kind="personal_data")
    assert flag.origin_asset_id == raw.asset_id
