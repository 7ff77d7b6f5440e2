"""
Retention (GDPR Art. 5(1)(e) storage limitation, issue 5 item 8): the assets past their retention date, and the
sweep that flags them — and, through ``compliance.propagation``, every version derived from them.

The sweep runs daily (Celery beat ``compliance.tasks.retention_check``) and on demand (``manage.py
retention_check``). It is idempotent: a second run on the same day changes nothing and writes no audit event; an
asset whose date moved into the future (or was cleared) loses its flags on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from catalog.models import Asset
from compliance.models import FlagKind, GovernanceFlag
from compliance.propagation import FlagChanges, flags_refresh_retention
from core import roles
from core.audit import Actor

__all__ = ("ExpiredAsset", "RetentionSweep", "assets_past_retention", "retention_overview", "retention_sweep")


@dataclass(frozen=True)
class ExpiredAsset:
    """An asset past its retention date: how long overdue, and how many versions carry its flag."""

    asset: Asset
    retention_until: date
    days_overdue: int
    versions: int
    flagged_versions: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "asset": self.asset.pk,
            "qualified_name": self.asset.qualified_name,
            "kind": self.asset.kind,
            "retention_until": self.retention_until.isoformat(),
            "days_overdue": self.days_overdue,
            "versions": self.versions,
            "flagged_versions": self.flagged_versions,
        }


@dataclass
class RetentionSweep:
    """What a sweep found (``expired``), which assets it flagged for the first time, and the flag changes."""

    today: date
    expired: list[ExpiredAsset]
    newly_expired: list[int] = field(default_factory=list)
    changes: FlagChanges = field(default_factory=FlagChanges)
    dry_run: bool = False


def assets_past_retention(*, user: Any = None, today: date | None = None) -> QuerySet:
    """Assets (datasets and models) whose ``retention_until`` is before ``today``, oldest date first."""
    today = today or timezone.localdate()
    qs = Asset.objects.filter(retention_until__lt=today).annotate(version_count=Count("versions"))
    qs = qs.select_related("owner").order_by("retention_until", "namespace", "name")
    return qs if user is None or roles.can_read(user) else qs.none()


def retention_overview(*, user: Any = None, today: date | None = None) -> list[ExpiredAsset]:
    """The assets past retention with their overdue days and flagged version counts, in two queries."""
    today = today or timezone.localdate()
    assets = list(assets_past_retention(user=user, today=today))
    flagged = dict(
        GovernanceFlag.objects.filter(kind=FlagKind.RETENTION_EXPIRED, origin_asset_id__in=[a.pk for a in assets])
        .values("origin_asset_id")
        .annotate(n=Count("version_id", distinct=True))
        .values_list("origin_asset_id", "n")
    )
    return [
        ExpiredAsset(
            asset=a,
            retention_until=a.retention_until,
            days_overdue=(today - a.retention_until).days,
            versions=a.version_count,
            flagged_versions=flagged.get(a.pk, 0),
        )
        for a in assets
    ]


@transaction.atomic
def retention_sweep(*, actor: Actor, today: date | None = None, dry_run: bool = False) -> RetentionSweep:
    """
    List the assets past their retention date and flag them and everything derived from them; clear the flags of
    assets no longer past it. ``dry_run`` only lists. Audited per asset whose flags changed (raised / cleared
    version ids), in this transaction; nothing is written when nothing changed.
    """
    today = today or timezone.localdate()
    already = set(
        GovernanceFlag.objects.filter(kind=FlagKind.RETENTION_EXPIRED).values_list("origin_asset_id", flat=True)
    )
    if dry_run:
        expired = retention_overview(today=today)
        return RetentionSweep(
            today=today,
            expired=expired,
            newly_expired=[e.asset.pk for e in expired if e.asset.pk not in already],
            dry_run=True,
        )
    changes = flags_refresh_retention(actor=actor, today=today, reason=f"retention sweep of {today.isoformat()}")
    expired = retention_overview(today=today)
    return RetentionSweep(
        today=today,
        expired=expired,
        newly_expired=[e.asset.pk for e in expired if e.asset.pk not in already],
        changes=changes,
    )
