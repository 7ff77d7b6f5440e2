"""
Catalog writes. Every function is keyword-only, validates with ``full_clean()``, runs in one transaction and
appends its audit event inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.choices import AssetKind, AssetStatus, VersionState
from catalog.exceptions import ImmutableVersion, OfficerRequired, UnknownLicence
from catalog.models import Asset, AssetVersion, Deployment, Field, Licence, Purpose, Source
from catalog.signals import version_registered
from core import roles
from core.audit import Actor, AuditAction, audit_record, model_state
from core.exceptions import ApplicationError, Conflict

__all__ = (
    "asset_delete",
    "asset_get_or_create",
    "asset_register",
    "asset_update",
    "deployment_create",
    "deployment_retire",
    "licence_create",
    "licence_resolve",
    "licence_update",
    "purpose_create",
    "purpose_update",
    "source_create",
    "source_update",
    "version_record_scan",
    "version_register",
    "version_set_field_pii",
    "version_set_state",
    "version_update",
)

UNKNOWN_LICENCE_ALIASES = {"unknown", "noassertion", "none", ""}
# Statuses only a compliance officer may set.
OFFICER_STATUSES = {AssetStatus.APPROVED, AssetStatus.RESTRICTED}
# Fields that only a compliance officer may change on an asset.
OFFICER_FIELDS = {"concluded_licence", "owner"}
ASSET_EDITABLE_FIELDS = (
    "description",
    "source",
    "declared_licence",
    "concluded_licence",
    "lawful_basis",
    "consent_status",
    "special_category",
    "special_category_condition",
    "retention_until",
    "owner",
    "status",
    "tags",
    "task",
    "intended_use",
    "out_of_scope_use",
    "commercial_use",
    # Set by other services, never by a form: promotion of a dataset seen as a model, confirmed PII.
    "kind",
    "contains_personal_data",
)
VERSION_MUTABLE_FIELDS = ("description", "privacy_measure", "k_anonymity", "dp_epsilon", "dp_delta")


def _is_officer(actor: Actor) -> bool:
    return actor.user is not None and roles.is_officer(actor.user)


def _require_officer(actor: Actor, what: str) -> None:
    # System actors (commands, tasks) act on behalf of the installation and may do anything an officer may.
    if actor.user is None and actor.channel in ("command", "task", "system"):
        return
    if not _is_officer(actor):
        raise OfficerRequired(f"Only a compliance officer may {what}.")


#
# Licences
#
def licence_resolve(identifier: str | Licence | None) -> Licence:
    """
    The licence named by an SPDX id or ``LicenseRef-…`` (case-insensitive); "unknown"/None give NOASSERTION.

    Raises ``UnknownLicence`` for any other unknown identifier.
    """
    if isinstance(identifier, Licence):
        return identifier
    text = (identifier or "").strip()
    if text.lower() in UNKNOWN_LICENCE_ALIASES:
        text = "NOASSERTION"
    licence = Licence.objects.filter(spdx_id__iexact=text).first()
    if licence is None:
        raise UnknownLicence(
            f"Unknown licence {text!r}: use an SPDX identifier (e.g. CC-BY-4.0) or a LicenseRef- registered first.",
            extra={"licence": [f"Unknown licence {text!r}."]},
        )
    return licence


def _create(instance: Any, *, actor: Actor) -> Any:
    """Validate, save and audit a new row (inside the caller's transaction)."""
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=instance, after=model_state(instance))
    return instance


def _update(instance: Any, *, data: Mapping[str, Any], actor: Actor, reason: str = "") -> Any:
    """Lock the row, apply ``data``, validate, save and audit before/after (inside the caller's transaction)."""
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = model_state(instance)
    for key, value in data.items():
        setattr(instance, key, value)
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=instance, before=before, after=model_state(instance), reason=reason
    )
    return instance


@transaction.atomic
def licence_create(*, actor: Actor, spdx_id: str, name: str, **terms: Any) -> Licence:
    """Register a licence (typically a ``LicenseRef-…`` model licence). Officers only; audited."""
    _require_officer(actor, "register a licence")
    return _create(Licence(spdx_id=spdx_id, name=name, **terms), actor=actor)


@transaction.atomic
def licence_update(*, licence: Licence, data: Mapping[str, Any], actor: Actor) -> Licence:
    """Change a licence's terms. Officers only; the before/after terms are audited."""
    _require_officer(actor, "change licence terms")
    return _update(licence, data=data, actor=actor)


#
# Sources and purposes
#
@transaction.atomic
def source_create(*, actor: Actor, **data: Any) -> Source:
    """Record where data comes from. Audited."""
    return _create(Source(**data), actor=actor)


@transaction.atomic
def source_update(*, source: Source, data: Mapping[str, Any], actor: Actor) -> Source:
    """Correct a source's facts. Audited with before/after."""
    return _update(source, data=data, actor=actor)


@transaction.atomic
def purpose_create(*, actor: Actor, name: str, description: str = "", lawful_basis: str = "unknown") -> Purpose:
    """Define a processing purpose. Audited."""
    return _create(Purpose(name=name, description=description, lawful_basis=lawful_basis), actor=actor)


@transaction.atomic
def purpose_update(*, purpose: Purpose, data: Mapping[str, Any], actor: Actor) -> Purpose:
    """Change a purpose (officers). Audited with before/after."""
    _require_officer(actor, "change a purpose")
    return _update(purpose, data=data, actor=actor)


#
# Assets
#
@transaction.atomic
def asset_register(
    *,
    actor: Actor,
    kind: str,
    namespace: str,
    name: str,
    owner=None,
    licence: str | Licence | None = None,
    purposes: Iterable[Purpose] = (),
    **fields: Any,
) -> Asset:
    """
    Register a dataset or a model under ``(namespace, name)``, declared licence resolved from its identifier.

    New assets start as drafts; setting another status at registration needs an officer. Raises
    ``ValidationError`` on invalid or duplicate input, ``UnknownLicence``, ``OfficerRequired``. Audited.
    """
    if fields.get("status", AssetStatus.DRAFT) in OFFICER_STATUSES or "concluded_licence" in fields:
        _require_officer(actor, "approve, restrict or conclude a licence")
    asset = Asset(
        kind=kind,
        namespace=namespace,
        name=name,
        owner=owner if owner is not None else actor.user,
        declared_licence=licence_resolve(licence),
        **fields,
    )
    asset.full_clean()
    asset.save()
    purposes = list(purposes)
    if purposes:
        asset.purposes.set(purposes)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=asset, after=model_state(asset))
    return asset


def asset_get_or_create(*, actor: Actor, kind: str, namespace: str, name: str, **defaults: Any) -> tuple[Asset, bool]:
    """
    The asset named ``(namespace, name)``, registered with ``defaults`` when new (for ingestion paths).

    An existing dataset seen as a model (OpenLineage ``datasetType: MODEL``) is promoted to a model, audited.
    """
    asset = Asset.objects.filter(namespace=namespace, name=name).first()
    if asset is None:
        with transaction.atomic():
            return asset_register(actor=actor, kind=kind, namespace=namespace, name=name, **defaults), True
    if kind == AssetKind.MODEL and asset.kind != AssetKind.MODEL:
        asset = asset_update(asset=asset, data={"kind": AssetKind.MODEL}, actor=actor)
    return asset, False


@transaction.atomic
def asset_update(*, asset: Asset, data: Mapping[str, Any], actor: Actor, reason: str = "") -> Asset:
    """
    Change an asset's metadata; ``purposes`` replaces the purpose set and ``licence`` the declared licence.

    Approving or restricting, concluding a licence and reassigning ownership need an officer (``OfficerRequired``).
    Audited with before/after.
    """
    unknown = set(data) - set(ASSET_EDITABLE_FIELDS) - {"licence", "purposes"}
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))} of an asset.")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    before = model_state(asset)
    data = dict(data)
    purposes = data.pop("purposes", None)
    if "licence" in data:
        data["declared_licence"] = licence_resolve(data.pop("licence"))
    status = data.get("status")
    if status is not None and status != asset.status and status in OFFICER_STATUSES:
        _require_officer(actor, f"set the status to {status}")
    for key in OFFICER_FIELDS & data.keys():
        current = getattr(asset, key)
        if data[key] != current:
            _require_officer(actor, f"change {key.replace('_', ' ')}")
    for key, value in data.items():
        setattr(asset, key, value)
    asset.full_clean()
    asset.save()
    if purposes is not None:
        asset.purposes.set(purposes)
    after = model_state(asset)
    approved = status == AssetStatus.APPROVED and before["status"] != status
    action = AuditAction.APPROVE if approved else AuditAction.UPDATE
    audit_record(actor=actor, action=action, obj=asset, before=before, after=after, reason=reason)
    return asset


@transaction.atomic
def asset_delete(*, asset: Asset, actor: Actor) -> None:
    """Delete an asset that has no versions (versions are evidence: retire the asset instead). Audited."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.versions.exists():
        raise Conflict("An asset with versions cannot be deleted; set its status to retired instead.")
    before = model_state(asset)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=asset, before=before)
    asset.delete()


#
# Versions
#
@transaction.atomic
def version_register(
    *,
    actor: Actor,
    asset: Asset,
    version: str,
    fields: Iterable[Mapping[str, Any]] = (),
    produced_at: datetime | None = None,
    supersede_previous: bool = True,
    notify: bool = True,
    **attrs: Any,
) -> AssetVersion:
    """
    Register an immutable version of ``asset`` with its schema ``fields`` (``name``, ``data_type``, …).

    The asset's earlier active versions become superseded. Sends ``version_registered`` (which queues a scan of a
    readable URI) unless ``notify`` is false — for callers that scan it themselves. Raises ``ValidationError`` on a
    duplicate label or invalid input. Audited (the schema as column names and types only).
    """
    snapshot = AssetVersion(
        asset=asset,
        version=version,
        produced_at=produced_at or timezone.now(),
        created_by=actor.user,
        **attrs,
    )
    snapshot.full_clean()
    snapshot.save()
    rows = [
        Field(
            version=snapshot,
            name=f["name"],
            data_type=f.get("data_type", "") or "",
            ordinal=f.get("ordinal", index),
            description=f.get("description", "") or "",
        )
        for index, f in enumerate(fields)
    ]
    for row in rows:
        row.full_clean(exclude=("version",))
    Field.objects.bulk_create(rows)
    superseded: list[int] = []
    if supersede_previous:
        previous = AssetVersion.objects.filter(
            asset=asset, state=VersionState.ACTIVE, produced_at__lte=snapshot.produced_at
        ).exclude(pk=snapshot.pk)
        superseded = list(previous.values_list("pk", flat=True))
        previous.update(state=VersionState.SUPERSEDED, updated_at=timezone.now())
    after = model_state(snapshot) | {
        "fields": [{"name": r.name, "data_type": r.data_type} for r in rows],
        "superseded_versions": superseded,
    }
    audit_record(actor=actor, action=AuditAction.CREATE, obj=snapshot, after=after)
    if notify:
        version_registered.send(sender=AssetVersion, version=snapshot, actor=actor)
    return snapshot


@transaction.atomic
def version_update(*, version: AssetVersion, data: Mapping[str, Any], actor: Actor) -> AssetVersion:
    """
    Change the descriptive facts of a version (description, privacy measures). Content facts are immutable:
    asking to change them raises ``ImmutableVersion``. Audited.
    """
    version = AssetVersion.objects.select_for_update().get(pk=version.pk)
    frozen = {key for key in data if key in AssetVersion.IMMUTABLE_FIELDS and data[key] != getattr(version, key)}
    frozen |= {key for key in data if key not in VERSION_MUTABLE_FIELDS and key not in AssetVersion.IMMUTABLE_FIELDS}
    if frozen:
        raise ImmutableVersion(
            "A registered version is immutable; register a new version instead "
            f"(refused: {', '.join(sorted(frozen))}).",
            extra={key: ["This field cannot change after registration."] for key in sorted(frozen)},
        )
    before = model_state(version)
    for key, value in data.items():
        setattr(version, key, value)
    version.full_clean()
    version.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=version, before=before, after=model_state(version))
    return version


@transaction.atomic
def version_record_scan(
    *,
    version: AssetVersion,
    actor: Actor,
    quality_profile: Mapping[str, Any],
    pii_summary: Mapping[str, Any],
    columns: Iterable[Mapping[str, Any]] = (),
    row_count: int | None = None,
    size_bytes: int | None = None,
    content_hash: str | None = None,
) -> AssetVersion:
    """
    Record what a scan learned about a version: its quality profile and PII summary (replaced on every scan),
    and the facts it was registered without — row count, size, content hash, and the schema (``columns`` as
    ``{"name", "data_type"}``) when it has no fields yet. Facts already registered are never changed. Audited.
    """
    version = AssetVersion.objects.select_for_update().get(pk=version.pk)
    before = model_state(version, exclude=("quality_profile", "pii_summary"))
    version.quality_profile = dict(quality_profile)
    version.pii_summary = dict(pii_summary)
    discovered = {"row_count": row_count, "size_bytes": size_bytes, "content_hash": content_hash}
    for key, value in discovered.items():
        if value not in (None, "") and getattr(version, key) in (None, ""):
            setattr(version, key, value)
    version.full_clean()
    version.save()
    added_fields = []
    if not version.fields.exists():
        rows = [
            Field(version=version, name=c["name"], data_type=c.get("data_type", ""), ordinal=i)
            for i, c in enumerate(columns)
        ]
        Field.objects.bulk_create(rows)
        added_fields = [r.name for r in rows]
    after = model_state(version, exclude=("quality_profile", "pii_summary")) | {"added_fields": added_fields}
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=version, before=before, after=after, reason="scan results recorded"
    )
    return version


@transaction.atomic
def version_set_field_pii(
    *, version: AssetVersion, column: str, entities: Iterable[str], actor: Actor, reason: str = ""
) -> Field | None:
    """Set a field's confirmed PII entity types (from a reviewed finding). Audited; None if no such field."""
    field = Field.objects.select_for_update().filter(version=version, name=column).first()
    if field is None:
        return None
    before = {"name": field.name, "pii_entities": list(field.pii_entities)}
    field.pii_entities = sorted(set(entities))
    field.save(update_fields=("pii_entities",))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=field,
        before=before,
        after={"name": field.name, "pii_entities": field.pii_entities},
        reason=reason,
    )
    return field


@transaction.atomic
def version_set_state(*, version: AssetVersion, state: str, actor: Actor, reason: str = "") -> AssetVersion:
    """Move a version through its lifecycle (active → superseded → erased). Erasing needs an officer. Audited."""
    if state == VersionState.ERASED:
        _require_officer(actor, "mark a version erased")
    version = AssetVersion.objects.select_for_update().get(pk=version.pk)
    before = model_state(version)
    version.state = state
    version.full_clean()
    version.save(update_fields=("state", "updated_at"))
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=version,
        before=before,
        after=model_state(version),
        reason=reason,
    )
    return version


#
# Deployments
#
@transaction.atomic
def deployment_create(
    *,
    actor: Actor,
    model_version: AssetVersion,
    environment: str,
    endpoint: str = "",
    deployed_at: datetime | None = None,
    notes: str = "",
) -> Deployment:
    """Record that a model version serves in ``environment``. Raises ``ValidationError`` for a dataset version."""
    deployment = Deployment(
        model_version=model_version,
        environment=environment,
        endpoint=endpoint,
        deployed_at=deployed_at or timezone.now(),
        notes=notes,
        created_by=actor.user,
    )
    return _create(deployment, actor=actor)


@transaction.atomic
def deployment_retire(
    *, deployment: Deployment, actor: Actor, retired_at: datetime | None = None, reason: str = ""
) -> Deployment:
    """End a deployment. Audited."""
    return _update(deployment, data={"retired_at": retired_at or timezone.now()}, actor=actor, reason=reason)
