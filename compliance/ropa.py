"""
The record of processing activities (GDPR Art. 30(1), issue 5 item 7): services that keep the register, its
selectors, the CSV export, and the datasets holding personal data that no activity accounts for.

Writes are for compliance officers (commands and tasks act for the installation), keyword-only, one transaction
each with its audit event; the before/after states hold the register's own fields, never data values.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from catalog.choices import AssetKind, VersionState
from catalog.models import Asset
from compliance.models import (
    ActivityPurpose,
    FlagKind,
    GovernanceFlag,
    Party,
    ProcessingActivity,
    Recipient,
    RetentionPolicy,
    Transfer,
)
from core import roles
from core.audit import Actor, AuditAction, audit_record, model_state
from core.exceptions import PermissionDenied

__all__ = (
    "ROPA_COLUMNS",
    "RopaExport",
    "activity_personal_data_categories",
    "datasets_without_processing_activity",
    "party_create",
    "party_list",
    "party_update",
    "processing_activity_create",
    "processing_activity_list",
    "processing_activity_update",
    "recipient_create",
    "recipient_list",
    "recipient_update",
    "retention_policy_create",
    "retention_policy_list",
    "retention_policy_update",
    "ropa_export",
    "ropa_rows",
)

ACTIVITY_M2M = ("joint_controllers", "recipients", "retention_policies", "datasets")
RECIPIENT_M2M = ("datasets",)


def _require_officer(actor: Actor) -> None:
    # Commands and tasks act for the installation (as in catalog.services); people need the officer role.
    if actor.user is None and actor.channel in ("command", "task", "system"):
        return
    if actor.user is None or not roles.is_officer(actor.user):
        raise PermissionDenied("Only a compliance officer may change the record of processing activities.")


def _state(obj: Any) -> dict[str, Any]:
    state = model_state(obj)
    if isinstance(obj, ProcessingActivity) and obj.pk:
        state["bases"] = [
            {"purpose": b.purpose_id, "lawful_basis": b.lawful_basis, "lia": b.legitimate_interests_assessment}
            for b in ActivityPurpose.objects.filter(activity=obj).order_by("purpose_id")
        ]
        state["transfers"] = [
            {"recipient": t.recipient_id, "country": t.country, "safeguard": t.safeguard}
            for t in Transfer.objects.filter(activity=obj).order_by("pk")
        ]
    return state


def _write(
    instance: Any,
    *,
    actor: Actor,
    data: Mapping[str, Any],
    m2m: Sequence[str],
    reason: str = "",
    children: Any = None,
) -> Any:
    """Apply ``data`` (many-to-many values set after the save), validate, save, audit create or before/after."""
    creating = instance.pk is None
    if not creating:
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = None if creating else _state(instance)
    relations = {key: list(data[key]) for key in m2m if key in data}
    for key, value in data.items():
        if key not in relations:
            setattr(instance, key, value)
    instance.full_clean()
    instance.save()
    for key, values in relations.items():
        getattr(instance, key).set(values)
    if children is not None:
        children(instance)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=instance,
        before=before,
        after=_state(instance),
        reason=reason,
    )
    return instance


#
# Parties, recipients, retention policies
#
@transaction.atomic
def party_create(*, actor: Actor, name: str, contact: str, **data: Any) -> Party:
    """Register a party (controller, DPO, processor, recipient …). Officers only. Raises ``ValidationError``."""
    _require_officer(actor)
    return _write(Party(name=name, contact=contact), actor=actor, data=data, m2m=())


@transaction.atomic
def party_update(*, party: Party, data: Mapping[str, Any], actor: Actor) -> Party:
    """Change a party. Officers only; audited with before/after."""
    _require_officer(actor)
    return _write(party, actor=actor, data=data, m2m=())


@transaction.atomic
def recipient_create(*, actor: Actor, party: Party, category: str, **data: Any) -> Recipient:
    """Record a recipient of personal data and the datasets disclosed to it. Officers only; audited."""
    _require_officer(actor)
    return _write(Recipient(party=party, category=category), actor=actor, data=data, m2m=RECIPIENT_M2M)


@transaction.atomic
def recipient_update(*, recipient: Recipient, data: Mapping[str, Any], actor: Actor) -> Recipient:
    _require_officer(actor)
    return _write(recipient, actor=actor, data=data, m2m=RECIPIENT_M2M)


@transaction.atomic
def retention_policy_create(*, actor: Actor, name: str, data_category: str, **data: Any) -> RetentionPolicy:
    """Record a retention policy (period or criteria, trigger, action). Officers only; audited."""
    _require_officer(actor)
    return _write(RetentionPolicy(name=name, data_category=data_category), actor=actor, data=data, m2m=())


@transaction.atomic
def retention_policy_update(*, policy: RetentionPolicy, data: Mapping[str, Any], actor: Actor) -> RetentionPolicy:
    _require_officer(actor)
    return _write(policy, actor=actor, data=data, m2m=())


#
# Processing activities
#
def _bases(activity: ProcessingActivity, purposes: Iterable[Mapping[str, Any]]) -> list[ActivityPurpose]:
    rows = []
    for item in purposes:
        purpose = item["purpose"]
        row = ActivityPurpose(
            activity=activity,
            purpose=purpose,
            lawful_basis=item.get("lawful_basis") or purpose.lawful_basis,
            legitimate_interests_assessment=item.get("legitimate_interests_assessment", "") or "",
        )
        row.full_clean(exclude=("activity",), validate_unique=False)
        rows.append(row)
    seen = [r.purpose.pk for r in rows]
    if len(seen) != len(set(seen)):
        raise ValidationError({"purposes": "Each purpose once per activity."})
    return rows


def _transfers(activity: ProcessingActivity, transfers: Iterable[Mapping[str, Any]]) -> list[Transfer]:
    rows = []
    for item in transfers:
        row = Transfer(
            activity=activity,
            recipient=item["recipient"],
            country=item["country"],
            safeguard=item["safeguard"],
            documentation=item.get("documentation", "") or "",
        )
        row.full_clean(exclude=("activity",))
        rows.append(row)
    return rows


def _children(purposes: Iterable[Mapping[str, Any]] | None, transfers: Iterable[Mapping[str, Any]] | None) -> Any:
    """Replace an activity's purposes (with their lawful basis) and transfers when given."""
    purposes = None if purposes is None else list(purposes)
    transfers = None if transfers is None else list(transfers)

    def apply(activity: ProcessingActivity) -> None:
        if purposes is not None:
            rows = _bases(activity, purposes)
            ActivityPurpose.objects.filter(activity=activity).delete()
            ActivityPurpose.objects.bulk_create(rows)
        if transfers is not None:
            rows = _transfers(activity, transfers)
            Transfer.objects.filter(activity=activity).delete()
            Transfer.objects.bulk_create(rows)

    return apply


def _reviewer(data: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    """Recording a review date records who reviewed."""
    data = dict(data)
    if data.get("last_reviewed_at") and "reviewed_by" not in data:
        data["reviewed_by"] = actor.user
    return data


@transaction.atomic
def processing_activity_create(
    *,
    actor: Actor,
    name: str,
    controller: Party,
    purposes: Iterable[Mapping[str, Any]] = (),
    transfers: Iterable[Mapping[str, Any]] = (),
    **data: Any,
) -> ProcessingActivity:
    """
    Add an entry to the record: controller and the other Art. 30(1)(a)–(g) facts, ``purposes`` as
    ``{"purpose", "lawful_basis", "legitimate_interests_assessment"}`` (the basis defaults to the purpose's),
    ``transfers`` as ``{"recipient", "country", "safeguard", "documentation"}``, and many-to-many
    ``joint_controllers``, ``recipients``, ``retention_policies``, ``datasets``; a ``last_reviewed_at`` records the
    actor as reviewer. Officers only. Raises
    ``ValidationError`` (e.g. Art. 6(1)(f) without an LIA). Audited.
    """
    _require_officer(actor)
    data = _reviewer(data, actor)
    activity = ProcessingActivity(name=name, controller=controller)
    return _write(activity, actor=actor, data=data, m2m=ACTIVITY_M2M, children=_children(purposes, transfers))


@transaction.atomic
def processing_activity_update(
    *,
    activity: ProcessingActivity,
    data: Mapping[str, Any],
    actor: Actor,
    purposes: Iterable[Mapping[str, Any]] | None = None,
    transfers: Iterable[Mapping[str, Any]] | None = None,
) -> ProcessingActivity:
    """
    Change an entry; ``purposes`` and ``transfers`` replace the current ones when given, many-to-many values in
    ``data`` replace theirs. Officers only. Audited with before/after (bases and transfers included).
    """
    _require_officer(actor)
    data = _reviewer(data, actor)
    return _write(activity, actor=actor, data=data, m2m=ACTIVITY_M2M, children=_children(purposes, transfers))


#
# Selectors
#
def _visible(qs: QuerySet, user: Any) -> QuerySet:
    """Every role reads the register; users without a role see nothing."""
    return qs if user is None or roles.can_read(user) else qs.none()


def party_list(*, user: Any = None) -> QuerySet:
    return _visible(Party.objects.order_by("name"), user)


def recipient_list(*, user: Any = None) -> QuerySet:
    """Recipients with their party and datasets loaded (Art. 19 lists them per affected dataset)."""
    qs = Recipient.objects.select_related("party").prefetch_related(
        Prefetch("datasets", queryset=Asset.objects.order_by("namespace", "name"))
    )
    return _visible(qs.order_by("party__name", "category", "pk"), user)


def retention_policy_list(*, user: Any = None) -> QuerySet:
    return _visible(RetentionPolicy.objects.order_by("name"), user)


def processing_activity_list(*, user: Any = None) -> QuerySet:
    """Activities with everything the register shows loaded: a fixed number of queries for any number of rows."""
    qs = ProcessingActivity.objects.select_related("controller", "representative", "dpo", "reviewed_by")
    qs = qs.prefetch_related(
        Prefetch("joint_controllers", queryset=Party.objects.order_by("name")),
        Prefetch("bases", queryset=ActivityPurpose.objects.select_related("purpose").order_by("purpose__name")),
        Prefetch("recipients", queryset=Recipient.objects.select_related("party").order_by("party__name", "pk")),
        Prefetch("transfers", queryset=Transfer.objects.select_related("recipient__party").order_by("country", "pk")),
        Prefetch("retention_policies", queryset=RetentionPolicy.objects.order_by("name")),
        Prefetch("datasets", queryset=Asset.objects.select_related("owner").order_by("namespace", "name")),
    )
    return _visible(qs.order_by("name"), user)


def _personal_data_flags() -> QuerySet:
    return GovernanceFlag.objects.filter(kind=FlagKind.PERSONAL_DATA).exclude(version__state=VersionState.ERASED)


def datasets_without_processing_activity(*, user: Any = None) -> QuerySet:
    """
    Datasets holding personal data — a version with a confirmed finding or a personal-data flag from upstream,
    not erased — that no active processing activity lists: each is a gap in the Art. 30 record.
    """
    holds = _personal_data_flags().filter(version__asset_id=OuterRef("pk"))
    mapped = ProcessingActivity.objects.filter(is_active=True, datasets=OuterRef("pk"))
    qs = Asset.objects.filter(kind=AssetKind.DATASET).filter(Exists(holds)).exclude(Exists(mapped))
    qs = qs.select_related("owner", "declared_licence", "concluded_licence", "source").prefetch_related("purposes")
    return _visible(qs.order_by("namespace", "name"), user)


def activity_personal_data_categories(activities: Iterable[ProcessingActivity]) -> dict[int, list[str]]:
    """
    ``{activity id: PII entity types}`` confirmed in (or flowing into) the activities' datasets, from the
    personal-data flags: one query for all activities (their ``datasets`` prefetched).
    """
    by_asset: dict[int, set[int]] = defaultdict(set)
    for activity in activities:
        for asset in activity.datasets.all():
            by_asset[asset.pk].add(activity.pk)
    found: dict[int, set[str]] = defaultdict(set)
    if by_asset:
        rows = (
            _personal_data_flags()
            .filter(version__asset_id__in=sorted(by_asset))
            .values_list("version__asset_id", "detail")
        )
        for asset_id, detail in rows:
            for activity_id in by_asset[asset_id]:
                found[activity_id].update((detail or {}).get("entities", []))
    return {activity_id: sorted(entities) for activity_id, entities in found.items()}


#
# CSV export
#
ROPA_COLUMNS = (
    "activity",
    "description",
    "(a) controller",
    "(a) joint controllers",
    "(a) representative",
    "(a) data protection officer",
    "(b) purposes",
    "lawful basis per purpose",
    "(c) categories of data subjects",
    "(c) categories of personal data",
    "(d) categories of recipients",
    "(e) transfers to third countries or international organisations",
    "(f) time limits for erasure",
    "(g) technical and organisational security measures",
    "Art. 9(2) condition",
    "DPIA",
    "datasets and models",
    "last reviewed",
)


def _party(party: Party | None) -> str:
    if party is None:
        return ""
    where = f", {party.country}" if party.country else ""
    return f"{party.name} ({' '.join(party.contact.split())}{where})"


def _recipient(recipient: Recipient) -> str:
    party = recipient.party
    place = ", ".join(p for p in (party.country, "third country" if party.third_country else "") if p)
    return f"{recipient.get_category_display()}: {party.name}" + (f" ({place})" if place else "")


def _transfer(transfer: Transfer) -> str:
    text = f"{transfer.country} to {transfer.recipient.party.name}: {transfer.get_safeguard_display()}"
    return text + (f" ({' '.join(transfer.documentation.split())})" if transfer.documentation.strip() else "")


def _basis(base: ActivityPurpose) -> str:
    text = f"{base.purpose.name}: {base.get_lawful_basis_display()}"
    return text + (f" (LIA {base.legitimate_interests_assessment})" if base.legitimate_interests_assessment else "")


def ropa_rows(activities: Iterable[ProcessingActivity]) -> list[dict[str, str]]:
    """One row per activity, keyed by :data:`ROPA_COLUMNS` (activities from :func:`processing_activity_list`)."""
    activities = list(activities)
    detected = activity_personal_data_categories(activities)
    rows = []
    for a in activities:
        bases = list(a.bases.all())
        data_categories = list(a.personal_data_categories)
        if detected.get(a.pk):
            data_categories.append("confirmed in the datasets: " + ", ".join(detected[a.pk]))
        limits = [p.time_limit for p in a.retention_policies.all()]
        if a.erasure_time_limits.strip():
            limits.append(" ".join(a.erasure_time_limits.split()))
        reviewed = ""
        if a.last_reviewed_at:
            reviewed = a.last_reviewed_at.isoformat() + (f" by {a.reviewed_by.get_username()}" if a.reviewed_by else "")
        rows.append(
            {
                "activity": a.name,
                "description": " ".join(a.description.split()),
                "(a) controller": _party(a.controller),
                "(a) joint controllers": "; ".join(_party(p) for p in a.joint_controllers.all()),
                "(a) representative": _party(a.representative),
                "(a) data protection officer": _party(a.dpo),
                "(b) purposes": "; ".join(b.purpose.name for b in bases),
                "lawful basis per purpose": "; ".join(_basis(b) for b in bases),
                "(c) categories of data subjects": "; ".join(a.data_subject_categories),
                "(c) categories of personal data": "; ".join(data_categories),
                "(d) categories of recipients": "; ".join(_recipient(r) for r in a.recipients.all()),
                "(e) transfers to third countries or international organisations": "; ".join(
                    _transfer(t) for t in a.transfers.all()
                ),
                "(f) time limits for erasure": "; ".join(limits),
                "(g) technical and organisational security measures": " ".join(a.security_measures.split()),
                "Art. 9(2) condition": a.special_category_condition,
                "DPIA": (f"required: {a.dpia_reference}" if a.dpia_required else "not required"),
                "datasets and models": "; ".join(d.qualified_name for d in a.datasets.all()),
                "last reviewed": reviewed,
            }
        )
    return rows


def _cell(value: str) -> str:
    # A cell starting with a formula character would run in a spreadsheet (CSV injection): make it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass(frozen=True)
class RopaExport:
    filename: str
    content: str
    sha256: str
    generated_at: datetime
    rows: int


@transaction.atomic
def ropa_export(*, actor: Actor, activities: QuerySet | None = None) -> RopaExport:
    """
    The record as CSV (header :data:`ROPA_COLUMNS`, one row per activity), with its SHA-256. Every role may export
    what it may read. Audited as an export (activities, row count, hash — never the content).
    """
    activities = processing_activity_list() if activities is None else activities
    rows = ropa_rows(activities)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROPA_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    content = buffer.getvalue()
    digest = hashlib.sha256(content.encode()).hexdigest()
    now = timezone.now()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=("compliance.processingactivity", "ropa"),
        after={
            "format": "csv",
            "rows": len(rows),
            "activities": sorted(a.pk for a in activities),
            "sha256": digest,
            "generated_at": now.isoformat(),
        },
        reason="record of processing activities exported",
    )
    return RopaExport(
        filename=f"ropa-{now:%Y%m%d-%H%M%S}.csv", content=content, sha256=digest, generated_at=now, rows=len(rows)
    )
