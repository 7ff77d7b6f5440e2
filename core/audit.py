"""
Audit recording: who changed what, through which door, chained by hashes.

Services call :func:`audit_record` inside their own transaction; nothing else writes ``AuditEvent`` rows.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from core.models import AuditChainHead, AuditChannel, AuditEvent, User

__all__ = (
    "Actor",
    "AuditAction",
    "ChainBreak",
    "audit_record",
    "audit_record_many",
    "canonical_json",
    "event_hash",
    "model_state",
    "verify_chain",
)

GENESIS_HASH = "0" * 64


class AuditAction:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    APPROVE = "approve"
    STATUS_CHANGE = "status_change"
    INGEST = "ingest"
    EXPORT = "export"
    DECISION = "decision"


@dataclass(frozen=True)
class Actor:
    """The principal behind a change and the door it came through."""

    user: User | None
    channel: str
    label: str
    request_id: str = field(default="")

    @classmethod
    def for_user(cls, user: User, *, channel: str, request_id: str = "") -> Actor:
        return cls(user=user, channel=channel, label=user.get_username(), request_id=request_id)

    @classmethod
    def from_request(cls, request: Any, *, channel: str) -> Actor:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        request_id = request.META.get("HTTP_X_REQUEST_ID", "") or uuid.uuid4().hex
        label = user.get_username() if user else "anonymous"
        return cls(user=user, channel=channel, label=label, request_id=request_id[:64])

    @classmethod
    def task(cls, task_id: str | None, *, user: User | None = None) -> Actor:
        return cls(user=user, channel=AuditChannel.TASK, label=f"task:{task_id or 'eager'}", request_id=task_id or "")

    @classmethod
    def command(cls, name: str, *, user: User | None = None) -> Actor:
        return cls(user=user, channel=AuditChannel.COMMAND, label=f"manage.py {name}")

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user=None, channel=AuditChannel.SYSTEM, label=label)


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so that what is hashed is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def model_state(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """
    A JSON-ready snapshot of ``obj``'s concrete fields (relations as primary keys) for before/after states.

    Fields listed in the model's ``AUDIT_EXCLUDE`` (and ``exclude``) are left out; models holding anything
    derived from personal data must list it there.
    """
    skip = set(exclude) | set(getattr(obj, "AUDIT_EXCLUDE", ()))
    state: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        state[f.name] = getattr(obj, f.attname)
    for f in obj._meta.many_to_many:
        if f.name in skip or obj.pk is None:
            continue
        state[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return _jsonable(state)


def canonical_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def _event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "channel": event.channel,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
    }


def event_hash(event: AuditEvent) -> str:
    """``sha256(prev_hash + canonical event)`` as hex."""
    return hashlib.sha256((event.prev_hash + canonical_json(_event_payload(event))).encode()).hexdigest()


def _object_identity(obj: models.Model | tuple[str, Any]) -> tuple[str, str, str]:
    if isinstance(obj, tuple):
        object_type, object_id = obj
        return object_type, str(object_id), ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:500]


def _build_event(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | tuple[str, Any],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str,
    now,
) -> AuditEvent:
    object_type, object_id, object_repr = _object_identity(obj)
    return AuditEvent(
        occurred_at=now,
        actor=actor.user,
        actor_label=actor.label[:255],
        channel=actor.channel,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        reason=reason,
        request_id=actor.request_id[:64],
    )


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(singleton=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(singleton=1)
        head = AuditChainHead.objects.select_for_update().get(singleton=1)
    return head


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | tuple[str, Any],
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """
    Append one event to the audit chain. Must run inside the transaction of the change it records.

    ``obj`` is a model instance or an ``(object_type, object_id)`` pair. Raises ``RuntimeError`` outside a
    transaction, so a change can never commit without its audit event (nor the other way round).
    """
    return audit_record_many(
        actor=actor, entries=[{"action": action, "obj": obj, "before": before, "after": after, "reason": reason}]
    )[0]


def audit_record_many(*, actor: Actor, entries: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Append several events in one locked, bulk write (used by batch ingestion). Same rules as ``audit_record``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records")
    head = _lock_head()
    now = timezone.now()
    events = []
    prev = head.last_hash
    for entry in entries:
        event = _build_event(
            actor=actor,
            action=entry["action"],
            obj=entry["obj"],
            before=entry.get("before"),
            after=entry.get("after"),
            reason=entry.get("reason", ""),
            now=now,
        )
        event.prev_hash = prev
        event.hash = event_hash(event)
        prev = event.hash
        events.append(event)
    if not events:
        return []
    AuditEvent.objects.bulk_create(events)
    head.last_hash = prev
    head.event_count += len(events)
    head.save(update_fields=("last_hash", "event_count"))
    return events


@dataclass(frozen=True)
class ChainBreak:
    """Where verification failed: the event id (or None for the head) and why."""

    event_id: int | None
    reason: str


def verify_chain(*, chunk_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """
    Recompute the whole chain in id order. Returns ``(events_checked, first_break_or_None)``.

    Detects an edited row (its hash no longer matches its content), a deleted or reordered row (its successor's
    ``prev_hash`` does not match) and deleted newest rows (the chain head disagrees with the last row).
    """
    prev = GENESIS_HASH
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev:
            return count, ChainBreak(event.pk, "its prev_hash does not match the previous event: a row was deleted")
        if event_hash(event) != event.hash:
            return count, ChainBreak(event.pk, "its content does not match its hash: the row was edited")
        prev = event.hash
        count += 1
    head = AuditChainHead.objects.filter(singleton=1).first()
    head_hash, head_count = (head.last_hash, head.event_count) if head else (GENESIS_HASH, 0)
    if head_hash != prev or head_count != count:
        return count, ChainBreak(
            None,
            f"the chain head records {head_count} events ending in {head_hash[:12]}…, "
            f"the table holds {count} ending in {prev[:12]}…: the newest rows were removed",
        )
    return count, None
