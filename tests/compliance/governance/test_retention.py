"""Retention sweep: command and beat task flag expired assets and their descendants once; dates moved clear them."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.services import asset_update, version_register
from compliance.models import FlagKind, GovernanceFlag
from compliance.tasks import retention_check
from core.models import AuditEvent
from lineage.choices import JobType
from tests.compliance.governance.conftest import build_chain
from tests.factories.catalog import AssetFactory, VersionFactory
from tests.factories.lineage import SYSTEM, derive


def _run(*args) -> str:
    out = StringIO()
    call_command("retention_check", *args, stdout=out)
    return out.getvalue()


def _expired_chain():
    chain = build_chain(prefix="old")
    type(chain.raw.asset).objects.filter(pk=chain.raw.asset_id).update(retention_until=date(2025, 1, 31))
    AssetFactory(name="fresh", retention_until=date(2025, 12, 31))
    return chain


@pytest.mark.django_db
def test_the_command_flags_expired_assets_and_their_descendants_once():
    # given
    chain = _expired_chain()
    # when
    first = _run("--date", "2025-06-01")
    events = AuditEvent.objects.count()
    second = _run("--date", "2025-06-01")
    # then
    assert first == (
        "1 asset(s) past their retention date on 2025-06-01\n"
        "  s3://bucket/old-raw  (dataset)  retention until 2025-01-31, 121 day(s) overdue, 1 version(s), "
        "5 flagged version(s)  [newly flagged]\n"
        "Flags: 5 raised, 0 cleared.\n"
    )
    assert second == (
        "1 asset(s) past their retention date on 2025-06-01\n"
        "  s3://bucket/old-raw  (dataset)  retention until 2025-01-31, 121 day(s) overdue, 1 version(s), "
        "5 flagged version(s)\n"
        "Flags: 0 raised, 0 cleared.\n"
    )
    flags = GovernanceFlag.objects.filter(kind=FlagKind.RETENTION_EXPIRED)
    assert sorted(flags.values_list("version_id", flat=True)) == sorted(chain.ids)
    assert flags.get(version=chain.quantised).detail == {"retention_until": "2025-01-31"}
    assert AuditEvent.objects.count() == events
    event = AuditEvent.objects.get(object_type="compliance.governanceflag")
    assert (event.object_id, event.channel, event.actor_label) == (
        f"retention_expired:asset:{chain.raw.asset_id}",
        "command",
        "manage.py retention_check",
    )
    assert event.reason == "retention sweep of 2025-06-01"


@pytest.mark.django_db
def test_dry_run_lists_and_writes_nothing():
    # given
    _expired_chain()
    # when
    output = _run("--date", "2025-06-01", "--dry-run", "--json")
    # then
    body = json.loads(output)
    assert [(e["qualified_name"], e["days_overdue"], e["flagged_versions"]) for e in body["expired"]] == [
        ("s3://bucket/old-raw", 121, 0)
    ]
    assert (body["dry_run"], body["raised"]) == (True, 0)
    assert GovernanceFlag.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="compliance.governanceflag").count() == 0


@pytest.mark.django_db
def test_a_bad_date_is_a_one_line_error():
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD, not 'June'"):
        _run("--date", "June")


@pytest.mark.django_db
def test_the_beat_task_flags_like_the_command_and_is_idempotent():
    # given
    asset = AssetFactory(name="logs", retention_until=timezone.localdate() - timedelta(days=1))
    version = VersionFactory(asset=asset)
    # when
    first = retention_check.delay().get()
    second = retention_check.delay().get()
    # then
    assert first == {"expired": [asset.pk], "newly_expired": [asset.pk], "raised": 1, "cleared": 0}
    assert second == {"expired": [asset.pk], "newly_expired": [], "raised": 0, "cleared": 0}
    assert list(GovernanceFlag.objects.values_list("version_id", "kind")) == [(version.pk, "retention_expired")]
    assert settings.CELERY_BEAT_SCHEDULE["retention-check"]["task"] == "compliance.tasks.retention_check"
    assert settings.CELERY_BEAT_SCHEDULE["flags-reconcile"]["task"] == "compliance.tasks.flags_reconcile"


@pytest.mark.django_db
def test_moving_the_retention_date_into_the_future_clears_the_flags_on_the_next_sweep():
    # given
    chain = _expired_chain()
    _run("--date", "2025-06-01")
    asset_update(asset=chain.raw.asset, data={"retention_until": date(2026, 1, 31)}, actor=SYSTEM, reason="extended")
    # when
    output = _run("--date", "2025-06-01")
    # then
    assert output == "0 asset(s) past their retention date on 2025-06-01\nFlags: 0 raised, 5 cleared.\n"
    assert GovernanceFlag.objects.count() == 0


@pytest.mark.django_db
def test_new_lineage_and_new_versions_of_an_expired_asset_are_flagged_without_waiting_for_the_sweep():
    # given
    asset = AssetFactory(name="logs", retention_until=timezone.localdate() - timedelta(days=1))
    old = VersionFactory(asset=asset, version="1")
    retention_check.delay().get()
    derived = VersionFactory(asset=AssetFactory(name="logs-clean"))
    # when
    derive([old], [derived], job="clean", job_type=JobType.ETL)
    new = version_register(actor=SYSTEM, asset=asset, version="2", uri="s3://logs/2")
    # then
    assert sorted(GovernanceFlag.objects.values_list("version_id", flat=True)) == sorted([old.pk, derived.pk, new.pk])
