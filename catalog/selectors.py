"""Catalog reads. Querysets come with the relations every interface renders already loaded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from catalog.choices import AssetKind, VersionState
from catalog.filters import AssetFilterSet, VersionFilterSet
from catalog.models import Asset, AssetVersion, Deployment, Field, Licence, Purpose, Source
from core import roles

__all__ = (
    "asset_by_qualified_name",
    "asset_list",
    "current_version",
    "deployment_list",
    "licence_list",
    "purpose_list",
    "source_list",
    "version_list",
    "versions_by_ids",
)


def _visible(qs: QuerySet, user: Any) -> QuerySet:
    """Every role reads the whole catalog; users without a role see nothing."""
    return qs if user is None or roles.can_read(user) else qs.none()


def asset_list(*, user: Any = None, kind: str | None = None, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Assets ``user`` may see (datasets or models with ``kind``), filtered, licences/owner/source loaded."""
    qs = Asset.objects.select_related("source", "declared_licence", "concluded_licence", "owner").prefetch_related(
        "purposes"
    )
    if kind:
        qs = qs.filter(kind=kind)
    qs = _visible(qs, user)
    return AssetFilterSet(filters or {}, queryset=qs).qs if filters else qs


def asset_by_qualified_name(text: str) -> Asset | None:
    """The asset whose ``namespace/name`` is ``text`` (namespaces and names may both contain slashes): one query."""
    cuts = [i for i, ch in enumerate(text) if ch == "/" and 0 < i < len(text) - 1]
    query = Q(pk__in=[])
    for i in cuts:
        query |= Q(namespace=text[:i], name=text[i + 1 :])
    return Asset.objects.filter(query).order_by("pk").first()


def version_list(*, user: Any = None, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Versions ``user`` may see, with their asset and schema fields loaded."""
    qs = AssetVersion.objects.select_related("asset", "created_by").prefetch_related(
        Prefetch("fields", queryset=Field.objects.order_by("ordinal", "name"))
    )
    qs = _visible(qs, user)
    return VersionFilterSet(filters or {}, queryset=qs).qs if filters else qs


def versions_by_ids(ids, *, chunk: int = 10_000) -> dict[int, AssetVersion]:
    """Versions (with their asset) for many ids, in as few queries as the database's parameter limit allows."""
    ids = list(ids)
    found: dict[int, AssetVersion] = {}
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        for v in AssetVersion.objects.filter(pk__in=part).select_related("asset"):
            found[v.pk] = v
    return found


def current_version(*, asset: Asset, at: datetime | None = None) -> AssetVersion | None:
    """The asset's version current at ``at`` (default: now): the newest produced at or before it, not erased."""
    qs = asset.versions.exclude(state=VersionState.ERASED)
    if at is not None:
        qs = qs.filter(produced_at__lte=at)
    return qs.order_by("-produced_at", "-id").first()


def source_list(*, user: Any = None) -> QuerySet:
    return _visible(Source.objects.all(), user)


def licence_list(*, user: Any = None) -> QuerySet:
    return _visible(Licence.objects.all(), user)


def purpose_list(*, user: Any = None) -> QuerySet:
    return _visible(Purpose.objects.all(), user)


def deployment_list(*, user: Any = None, active: bool | None = None) -> QuerySet:
    qs = Deployment.objects.select_related("model_version__asset", "created_by")
    if active is not None:
        qs = qs.filter(retired_at__isnull=active)
    return _visible(qs, user)


def model_versions(*, user: Any = None) -> QuerySet:
    return version_list(user=user).filter(asset__kind=AssetKind.MODEL)
