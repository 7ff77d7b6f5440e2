"""Compliance reads."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from compliance.models import ColumnFinding, Scan, SubjectKey
from core import roles

__all__ = ("scan_list", "versions_holding_digests")


def scan_list(*, user: Any = None) -> QuerySet:
    """Scans with their version, asset and findings loaded; every role reads them (they hold no values)."""
    qs = Scan.objects.select_related("version__asset", "requested_by").prefetch_related(
        Prefetch("findings", queryset=ColumnFinding.objects.order_by("ordinal"))
    )
    qs = qs.order_by("-created_at", "-id")
    return qs if user is None or roles.can_read(user) else qs.none()


def versions_holding_digests(digests: list[bytes]) -> dict[int, set[bytes]]:
    """``{version id: digests found}`` among published scans' subject keys (one indexed query)."""
    found: dict[int, set[bytes]] = {}
    rows = SubjectKey.objects.filter(digest__in=digests, scan__status="succeeded").values_list("version_id", "digest")
    for version_id, digest in rows:
        found.setdefault(version_id, set()).add(bytes(digest))
    return found
