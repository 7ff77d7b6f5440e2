"""
Subject-request writes (GDPR Arts. 12, 15, 17, 18, 19, 21): receive a request, compute its impact and open one
action per affected item, work the actions, extend the deadline once, verify dataset actions from later scans,
record Art. 19 notices, close.

Every function is keyword-only, runs in one transaction with its audit events, and is refused to anyone but a
compliance officer (system actors — commands, tasks — act for the installation). The subject's identifiers are
turned into keyed digests and masked hints as soon as they arrive: no raw identifier is stored, logged, audited or
echoed in an error message, and free text (notes, reasons, justifications) that contains one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from catalog.choices import AssetKind
from catalog.models import AssetVersion
from compliance.deadlines import due_date, extended_due_date, extension_problems
from compliance.identifiers import (
    IdentifierKind,
    mask_identifier,
    normalise_identifier,
    subject_digest,
    subject_digests,
)
from compliance.models import (
    ActionKind,
    ActionStatus,
    ActionTarget,
    ActionVerification,
    ColumnFinding,
    ExemptionGround,
    ImpactReason,
    Recipient,
    RecipientNotification,
    RequestChannel,
    RequestOutcome,
    RequestStatus,
    Scan,
    SubjectIdentifier,
    SubjectKey,
    SubjectRequest,
    SubjectRequestAction,
    SubjectRequestKind,
)
from compliance.models.requests import RESOLVED_STATUSES
from compliance.scanning import subject_key
from compliance.selectors_requests import Impact, subject_impact, subject_request_recipients
from core import roles
from core.audit import Actor, AuditAction, audit_record, audit_record_many, model_state
from core.exceptions import ApplicationError, Conflict, PermissionDenied

__all__ = (
    "MAX_IDENTIFIERS",
    "IdentifierInput",
    "allowed_actions",
    "action_change_problems",
    "recipient_notification_record",
    "require_officer",
    "subject_request_action_update",
    "subject_request_close",
    "subject_request_create",
    "subject_request_extend",
    "subject_request_refresh_impact",
    "subject_request_update",
    "subject_request_verify_scan",
)

MAX_IDENTIFIERS = 20
MAX_IDENTIFIER_LENGTH = 320
MAX_SCANNED_TEXT = 20_000
ACTION_FIELDS = ("action", "status", "assignee", "evidence_note", "exemption_ground", "justification")
REQUEST_FIELDS = ("channel", "electronic", "identity_requested_on", "identity_confirmed_on")


class SubjectKeyMissing(ApplicationError):
    """``CUSTODIAN_SUBJECT_KEY`` is not configured: identifiers cannot be digested."""

    status_code = 503


class InvalidIdentifiers(ApplicationError):
    """One or more identifiers cannot be used; the message never repeats a value."""


@dataclass(frozen=True)
class IdentifierInput:
    """An identifier as the officer typed it. ``value`` is never shown in a repr, a log or an error."""

    kind: str
    value: str = field(repr=False)


#
# Helpers
#
def require_officer(actor: Actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is a compliance officer (or a command, task or system)."""
    if actor.user is None and actor.channel in ("command", "task", "system"):
        return
    if actor.user is None or not roles.is_officer(actor.user):
        raise PermissionDenied("Only compliance officers may handle subject requests.")


def _deadline_policy() -> dict[str, Any]:
    """Optional Reg. 1182/71 Art. 3(4) reading: roll a deadline on a weekend or holiday to the next working day."""
    holidays = {date.fromisoformat(d) for d in settings.CUSTODIAN_DSR_HOLIDAYS}
    return {"roll_to_working_day": settings.CUSTODIAN_DSR_ROLL_TO_WORKING_DAY, "holidays": holidays}


def _key() -> bytes:
    try:
        return subject_key()
    except RuntimeError:
        raise SubjectKeyMissing(
            "Subject requests need CUSTODIAN_SUBJECT_KEY (the key of the subject-key index)."
        ) from None


@sensitive_variables()
def _coerce(item: IdentifierInput | Mapping[str, Any] | Sequence[str]) -> IdentifierInput:
    if isinstance(item, IdentifierInput):
        return item
    if isinstance(item, Mapping):
        return IdentifierInput(kind=str(item.get("kind", "")), value=str(item.get("value", "")))
    kind, value = item
    return IdentifierInput(kind=str(kind), value=str(value))


@sensitive_variables()
def _identifier_problem(kind: str, value: str) -> str | None:
    """Why an identifier cannot be used (never quoting it), or None."""
    if kind not in {k.value for k in IdentifierKind}:
        return f"Unknown identifier kind; use one of: {', '.join(k.value for k in IdentifierKind)}."
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return f"An identifier has at most {MAX_IDENTIFIER_LENGTH} characters."
    try:
        normalised = normalise_identifier(kind, value)
    except ValueError:
        return f"The {kind} is empty once normalised."
    if kind == IdentifierKind.EMAIL:
        local, at, domain = normalised.rpartition("@")
        if not (local and at and domain) or any(c.isspace() for c in normalised):
            return "This is not an e-mail address."
    if kind == IdentifierKind.PHONE and sum(c.isdigit() for c in normalised) < 6:
        return "A phone number has at least six digits."
    return None


@sensitive_variables()
def digest_identifiers(identifiers: Iterable[Any]) -> list[tuple[str, bytes, str]]:
    """
    ``(kind, digest, masked hint)`` for each identifier, normalised exactly as the scanner does, duplicates
    (same digest) dropped. Raises ``InvalidIdentifiers`` with one message per identifier (never the value).
    """
    items = [_coerce(item) for item in identifiers]
    if not items:
        raise InvalidIdentifiers(
            "Give at least one identifier of the subject.", extra={"identifiers": ["At least one identifier."]}
        )
    if len(items) > MAX_IDENTIFIERS:
        raise InvalidIdentifiers(
            f"At most {MAX_IDENTIFIERS} identifiers per request.",
            extra={"identifiers": [f"At most {MAX_IDENTIFIERS} identifiers."]},
        )
    problems = [_identifier_problem(item.kind, item.value) for item in items]
    if any(problems):
        raise InvalidIdentifiers(
            "Some identifiers cannot be used.",
            extra={"identifiers": [{"value": [p]} if p else {} for p in problems]},
        )
    key = _key()
    found: dict[bytes, tuple[str, bytes, str]] = {}
    for item in items:
        digest = bytes.fromhex(subject_digest(item.kind, item.value, key=key))
        found.setdefault(digest, (str(IdentifierKind(item.kind)), digest, mask_identifier(item.kind, item.value)))
    return list(found.values())


_TOKEN = re.compile(r"[^\s,;<>()\[\]{}\"'`|]+")
_TRIM = ".:!?"


@sensitive_variables()
def _candidates(text: str) -> list[str]:
    """Words of ``text`` and runs of up to seven adjacent words (spaced phone numbers, IBANs, card numbers)."""
    words = [w.strip(_TRIM) for w in _TOKEN.findall(text[:MAX_SCANNED_TEXT])]
    words = [w for w in words if w]
    found = set(words)
    for size in range(2, 8):
        for start in range(0, len(words) - size + 1):
            found.add(" ".join(words[start : start + size]))
    return sorted(found)


@sensitive_variables()
def mentions_subject(request: SubjectRequest, text: str) -> bool:
    """Whether ``text`` contains one of the request's identifiers (compared by digest, in any formatting)."""
    if not (text or "").strip():
        return False
    digests: dict[str, set[bytes]] = {}
    for kind, digest in request.identifiers.values_list("kind", "digest"):
        digests.setdefault(kind, set()).add(bytes(digest))
    if not digests:
        return False
    key = _key()
    words = _candidates(text)
    for kind, wanted in digests.items():
        if kind == IdentifierKind.EMAIL:
            pool = [w for w in words if "@" in w]
        elif kind == IdentifierKind.PHONE:
            pool = [w for w in words if sum(c.isdigit() for c in w) >= 6]
        else:
            pool = [w for w in words if any(c.isalnum() for c in w)]
        if pool and wanted & {bytes.fromhex(d) for d in subject_digests(kind, pool, key=key, skip_empty=True)}:
            return True
    return False


def _refuse_identifiers(request: SubjectRequest, texts: Mapping[str, str]) -> None:
    problems = {
        name: "This text contains one of the subject's identifiers: refer to the subject by the request number."
        for name, text in texts.items()
        if mentions_subject(request, text)
    }
    if problems:
        raise ApplicationError("Free text may not contain the subject's identifiers.", extra=problems)


def _request_state(request: SubjectRequest) -> dict[str, Any]:
    return model_state(request) | {
        "identifiers": [{"kind": i.kind, "hint": i.hint} for i in request.identifiers.order_by("id")]
    }


#
# Actions: what is recommended and allowed
#
def recommended_action(*, kind: str, target: str, reason: str) -> tuple[str, str]:
    """The recommended action and the initial status of an affected item."""
    if reason == ImpactReason.ANONYMISED or kind == SubjectRequestKind.ACCESS:
        return ActionKind.NONE, ActionStatus.NOT_REQUIRED
    if kind == SubjectRequestKind.RESTRICTION:
        return ActionKind.RESTRICT, ActionStatus.OPEN
    if kind == SubjectRequestKind.OBJECTION:
        return ActionKind.STOP_PROCESSING, ActionStatus.OPEN
    if target == ActionTarget.DATASET:
        return (ActionKind.DELETE_RECORDS if reason == ImpactReason.DIRECT else ActionKind.REBUILD), ActionStatus.OPEN
    if target == ActionTarget.MODEL:
        return ActionKind.RETRAIN, ActionStatus.OPEN
    return ActionKind.REDEPLOY, ActionStatus.OPEN


def allowed_actions(*, kind: str, target: str, reason: str) -> tuple[str, ...]:
    """The actions an officer may choose for an item (the recommended one first)."""
    recommended, _ = recommended_action(kind=kind, target=target, reason=reason)
    if recommended in (ActionKind.NONE, ActionKind.RESTRICT, ActionKind.STOP_PROCESSING):
        return (recommended,)
    if target == ActionTarget.DATASET:
        options = (ActionKind.DELETE_RECORDS, ActionKind.REBUILD) if reason == ImpactReason.DOWNSTREAM else ()
        return (recommended, *(o for o in options if o != recommended), ActionKind.EXEMPTION)
    if target == ActionTarget.MODEL:
        return (ActionKind.RETRAIN, ActionKind.UNLEARNING, ActionKind.EXEMPTION)
    return (ActionKind.REDEPLOY, ActionKind.RETIRE, ActionKind.EXEMPTION)


def action_change_problems(*, action: SubjectRequestAction, data: Mapping[str, Any]) -> dict[str, str]:
    """
    Why ``data`` may not be applied to ``action``, by field (empty when it may). The rules: the action must be one
    allowed for the item; an exemption needs an Art. 17(3) ground and a justification and makes the item
    exempted; "done" needs an evidence note; "verified" is set only by a later scan; an item that needs no action
    and a verified item keep their status.
    """
    problems: dict[str, str] = {}
    unknown = set(data) - set(ACTION_FIELDS)
    if unknown:
        problems["non_field_errors"] = f"Unknown field(s): {', '.join(sorted(unknown))}."
        return problems
    request = action.request
    allowed = allowed_actions(kind=request.kind, target=action.target, reason=action.reason)
    new_kind = data.get("action", action.action) or action.action
    if new_kind not in allowed:
        labels = ", ".join(str(ActionKind(a).label) for a in allowed)
        problems["action"] = f"For this item choose: {labels}."
        return problems
    status = data.get("status") or (ActionStatus.EXEMPTED if new_kind == ActionKind.EXEMPTION else None)
    if status is None:
        status = action.status
        if action.action == ActionKind.EXEMPTION and new_kind != ActionKind.EXEMPTION:
            status = ActionStatus.OPEN
    if status not in ActionStatus.values:
        problems["status"] = "Unknown status."
        return problems
    if action.status == ActionStatus.VERIFIED and (status != ActionStatus.VERIFIED or new_kind != action.action):
        problems["status"] = "A verified action stays verified: a later scan showed the subject gone."
    elif action.status == ActionStatus.NOT_REQUIRED and (status != ActionStatus.NOT_REQUIRED):
        problems["status"] = "No action is needed for this item."
        return problems
    elif status == ActionStatus.VERIFIED and action.status != ActionStatus.VERIFIED:
        problems["status"] = "Verified is set automatically when a later version's scan no longer holds the subject."
    elif status == ActionStatus.NOT_REQUIRED and action.status != ActionStatus.NOT_REQUIRED:
        problems["status"] = "Only items that need no action are not required; choose an exemption instead."
    elif new_kind == ActionKind.EXEMPTION and status != ActionStatus.EXEMPTED:
        problems["status"] = "An exemption makes the item exempted."
    elif new_kind != ActionKind.EXEMPTION and status == ActionStatus.EXEMPTED:
        problems["status"] = "Only an Art. 17(3) exemption makes an item exempted: choose the exemption action."
    if new_kind == ActionKind.EXEMPTION:
        ground = data.get("exemption_ground", action.exemption_ground)
        justification = data.get("justification", action.justification)
        if ground not in ExemptionGround.values:
            problems["exemption_ground"] = "Choose the Art. 17(3) ground (a)–(e)."
        if not (justification or "").strip():
            problems["justification"] = "An exemption needs a justification (why processing remains necessary)."
    if status == ActionStatus.DONE and not (data.get("evidence_note", action.evidence_note) or "").strip():
        problems["evidence_note"] = "Record what was done (job, counts, new version, ticket) before marking it done."
    return problems


def _action_for_item(request: SubjectRequest, item: Any, *, target: str, version=None, deployment=None):
    reason = getattr(item, "reason", ImpactReason.DOWNSTREAM)  # deployments serve affected model versions
    recommended, status = recommended_action(kind=request.kind, target=target, reason=reason)
    return SubjectRequestAction(
        request=request,
        target=target,
        version_id=version,
        deployment_id=deployment,
        reason=reason,
        path=list(item.path),
        runs=list(item.runs),
        depth=item.depth,
        was_current=getattr(item, "is_current", False),
        hit_scan_id=getattr(item, "hit_scan", None),
        recommended=recommended,
        action=recommended,
        status=status,
    )


def _apply_impact(request: SubjectRequest, *, actor: Actor, impact: Impact | None = None) -> list[SubjectRequestAction]:
    """Compute the request's impact and open an action for every affected item it has none for yet. Audited."""
    digests = [bytes(d) for d in request.identifiers.values_list("digest", flat=True)]
    impact = impact or subject_impact(digests=digests)
    have_versions = set(request.actions.filter(version__isnull=False).values_list("version_id", flat=True))
    have_deployments = set(request.actions.filter(deployment__isnull=False).values_list("deployment_id", flat=True))
    new: list[SubjectRequestAction] = []
    for item in impact.items:
        if item.version in have_versions:
            continue
        target = ActionTarget.MODEL if item.kind == AssetKind.MODEL else ActionTarget.DATASET
        new.append(_action_for_item(request, item, target=target, version=item.version))
    for deployment in impact.deployments:
        if deployment.deployment in have_deployments:
            continue
        new.append(
            _action_for_item(request, deployment, target=ActionTarget.DEPLOYMENT, deployment=deployment.deployment)
        )
    for action in new:
        action.full_clean(exclude=("request", "version", "deployment", "hit_scan"))
    created = SubjectRequestAction.objects.bulk_create(new)
    before = model_state(request)
    request.impact_computed_at = timezone.now()
    request.impact_is_partial = impact.is_partial
    request.save(update_fields=("impact_computed_at", "impact_is_partial", "updated_at"))
    entries = [{"action": AuditAction.CREATE, "obj": a, "after": model_state(a)} for a in created]
    entries.append(
        {
            "action": AuditAction.UPDATE,
            "obj": request,
            "before": before,
            "after": model_state(request) | {"actions_added": [a.pk for a in created]},
            "reason": f"impact computed: {len(impact.items)} version(s), {len(impact.deployments)} deployment(s)",
        }
    )
    audit_record_many(actor=actor, entries=entries)
    return created


def _lock(request: SubjectRequest) -> SubjectRequest:
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    return request


def _refuse_closed(request: SubjectRequest) -> None:
    if request.status == RequestStatus.CLOSED:
        raise Conflict(f"DSR-{request.pk} is closed.")


#
# Requests
#
@sensitive_variables()
@transaction.atomic
def subject_request_create(
    *,
    kind: str,
    identifiers: Iterable[Any],
    actor: Actor,
    received_on: date | None = None,
    channel: str = RequestChannel.EMAIL,
    electronic: bool = True,
    today: date | None = None,
) -> SubjectRequest:
    """
    Receive a subject request: digest and mask the identifiers (``IdentifierInput``, ``{"kind", "value"}`` or
    ``(kind, value)``), compute the due date, then the impact, opening one action per affected item. Officers
    only. Raises ``InvalidIdentifiers`` (no value quoted), ``ApplicationError`` for a bad kind or a receipt date
    in the future, ``SubjectKeyMissing`` without a subject key. Audited: the request (hints only) and each action.
    """
    require_officer(actor)
    if kind not in SubjectRequestKind.values:
        raise ApplicationError("Unknown request kind.", extra={"kind": [f"One of {', '.join(SubjectRequestKind)}."]})
    digested = digest_identifiers(identifiers)
    today = today or timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ApplicationError(
            "A request cannot be received in the future.", extra={"received_on": ["Not after today."]}
        )
    request = SubjectRequest(
        kind=kind,
        channel=channel,
        electronic=electronic,
        received_on=received_on,
        due_on=due_date(received_on, **_deadline_policy()),
        created_by=actor.user,
    )
    request.full_clean()
    request.save()
    SubjectIdentifier.objects.bulk_create(
        [SubjectIdentifier(request=request, kind=k, digest=d, hint=h) for k, d, h in digested]
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, after=_request_state(request))
    _apply_impact(request, actor=actor)
    return request


@transaction.atomic
def subject_request_refresh_impact(*, request: SubjectRequest, actor: Actor) -> list[SubjectRequestAction]:
    """
    Recompute the impact (e.g. after new lineage arrived) and open actions for newly affected items; existing
    actions stay as they are. Officers only; refused on a closed request. Audited. Returns the new actions.
    """
    require_officer(actor)
    request = _lock(request)
    _refuse_closed(request)
    return _apply_impact(request, actor=actor)


@transaction.atomic
def subject_request_update(*, request: SubjectRequest, data: Mapping[str, Any], actor: Actor) -> SubjectRequest:
    """
    Change the request's channel, electronic flag or identity-check dates (``identity_requested_on``,
    ``identity_confirmed_on``: confirmation not before the request, neither in the future). Officers only; refused
    on a closed request. Audited.
    """
    require_officer(actor)
    request = _lock(request)
    _refuse_closed(request)
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ApplicationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    before = model_state(request)
    for name, value in data.items():
        setattr(request, name, value)
    today = timezone.localdate()
    problems = {}
    for name in ("identity_requested_on", "identity_confirmed_on"):
        value = getattr(request, name)
        if value is not None and (value > today or value < request.received_on):
            problems[name] = "Between the day of receipt and today."
    if request.identity_confirmed_on and not request.identity_requested_on:
        problems["identity_requested_on"] = "Record when identity was asked for before its confirmation."
    elif request.identity_confirmed_on and request.identity_confirmed_on < request.identity_requested_on:
        problems["identity_confirmed_on"] = "Not before identity was asked for."
    if problems:
        raise ApplicationError("The request cannot be changed.", extra=problems)
    request.full_clean()
    request.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, before=before, after=model_state(request))
    return request


@transaction.atomic
def subject_request_extend(
    *,
    request: SubjectRequest,
    months: int,
    reason: str,
    notified_on: date | None,
    actor: Actor,
    today: date | None = None,
) -> SubjectRequest:
    """
    Extend the deadline once by one or two months (Art. 12(3)), recording the reason and the day the subject was
    told — both within the first month. The new deadline counts from receipt. Officers only; raises
    ``ApplicationError`` with a reason per field, ``Conflict`` on a closed request. Audited with the reason.
    """
    require_officer(actor)
    request = _lock(request)
    _refuse_closed(request)
    today = today or timezone.localdate()
    problems = extension_problems(
        first_due_on=request.due_on,
        months=months,
        reason=reason,
        notified_on=notified_on,
        today=today,
        already_extended=request.extension_months > 0,
    )
    if problems:
        raise ApplicationError("The deadline cannot be extended.", extra=problems)
    _refuse_identifiers(request, {"reason": reason})
    before = model_state(request)
    request.extension_months = months
    request.extension_reason = reason.strip()
    request.extension_recorded_on = today
    request.extension_notified_on = notified_on
    request.extended_due_on = extended_due_date(request.received_on, months=months, **_deadline_policy())
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        before=before,
        after=model_state(request),
        reason=f"deadline extended by {months} month(s): {request.extension_reason}",
    )
    return request


@transaction.atomic
def subject_request_action_update(
    *, action: SubjectRequestAction, data: Mapping[str, Any], actor: Actor
) -> SubjectRequestAction:
    """
    Work an action: choose among the allowed actions, assign it, move its status, record evidence, or record an
    Art. 17(3) exemption with its ground and justification (the item is then exempted). "Done" and "exempted"
    set the completion time. Officers only; raises ``ApplicationError`` with a reason per field (see
    :func:`action_change_problems`), ``Conflict`` on a closed request. Audited (the justification as the reason).
    """
    require_officer(actor)
    action = SubjectRequestAction.objects.select_for_update().select_related("request").get(pk=action.pk)
    _refuse_closed(action.request)
    data = dict(data)
    users = get_user_model()
    if "assignee" in data and data["assignee"] is not None and not isinstance(data["assignee"], users):
        found = users.objects.filter(pk=data["assignee"]).first() if str(data["assignee"]).isdigit() else None
        if found is None:
            raise ApplicationError("Unknown assignee.", extra={"assignee": ["No such user."]})
        data["assignee"] = found
    problems = action_change_problems(action=action, data=data)
    if problems:
        raise ApplicationError("The action cannot be changed.", extra=problems)
    _refuse_identifiers(
        action.request, {k: data[k] for k in ("evidence_note", "justification") if isinstance(data.get(k), str)}
    )
    before = model_state(action)
    new_kind = data.get("action") or action.action
    if new_kind != ActionKind.EXEMPTION:
        status = data.get("status") or (ActionStatus.OPEN if action.action == ActionKind.EXEMPTION else action.status)
        action.exemption_ground, action.justification = "", ""
    else:
        status = ActionStatus.EXEMPTED
        action.exemption_ground = data.get("exemption_ground", action.exemption_ground)
        action.justification = (data.get("justification", action.justification) or "").strip()
    action.action = new_kind
    if "assignee" in data:
        action.assignee = data["assignee"]
    if "evidence_note" in data:
        action.evidence_note = (data["evidence_note"] or "").strip()
    if status in (ActionStatus.DONE, ActionStatus.EXEMPTED) and action.status != status:
        action.completed_at = timezone.now()
    elif status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        action.completed_at = None
    action.status = status
    action.full_clean(exclude=("request", "version", "deployment", "hit_scan", "assignee"))
    action.save()
    audit_record(
        actor=actor,
        action=AuditAction.DECISION if status == ActionStatus.EXEMPTED else AuditAction.UPDATE,
        obj=action,
        before=before,
        after=model_state(action),
        reason=f"Art. 17(3)({action.exemption_ground}): {action.justification}" if action.justification else "",
    )
    return action


@transaction.atomic
def subject_request_close(*, request: SubjectRequest, outcome: str, actor: Actor, note: str = "") -> SubjectRequest:
    """
    Close a request with its outcome. Fulfilled (or partially fulfilled, with exemptions) only once every action
    is done, verified, exempted or not required — else ``Conflict`` naming the open actions; a request with
    exemptions closes as partial. A refusal or an unidentifiable subject needs the reasons given to the subject
    (Art. 12(4)). Officers only. Audited.
    """
    require_officer(actor)
    request = _lock(request)
    _refuse_closed(request)
    if outcome not in RequestOutcome.values or outcome == RequestOutcome.PENDING:
        choices = ", ".join(v for v in RequestOutcome.values if v)
        raise ApplicationError("Unknown outcome.", extra={"outcome": [f"One of {choices}."]})
    note = (note or "").strip()
    _refuse_identifiers(request, {"note": note})
    if outcome in (RequestOutcome.FULFILLED, RequestOutcome.PARTIAL):
        pending = list(
            request.actions.exclude(status__in=RESOLVED_STATUSES).order_by("id").values_list("pk", flat=True)
        )
        if pending:
            raise Conflict(
                f"{len(pending)} action(s) are still open: finish, verify or exempt them first.",
                extra={"open_actions": pending},
            )
        exempted = request.actions.filter(status=ActionStatus.EXEMPTED).exists()
        if outcome == RequestOutcome.FULFILLED and exempted:
            raise ApplicationError(
                "Some actions are exempted (Art. 17(3)): close the request as partially fulfilled.",
                extra={"outcome": ["partial"]},
            )
    elif not note:
        raise ApplicationError(
            "Give the reasons told to the subject (and their right to complain, Art. 12(4)).",
            extra={"note": ["Required for this outcome."]},
        )
    before = model_state(request)
    request.status = RequestStatus.CLOSED
    request.outcome = outcome
    request.outcome_note = note
    request.closed_at = timezone.now()
    request.closed_by = actor.user
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=request,
        before=before,
        after=model_state(request),
        reason=f"closed: {outcome}" + (f" — {note}" if note else ""),
    )
    return request


@transaction.atomic
def recipient_notification_record(
    *,
    request: SubjectRequest,
    recipient: Recipient,
    actor: Actor,
    notified_on: date | None = None,
    method: str = "",
    not_notified_reason: str = "",
) -> RecipientNotification:
    """
    Record the Art. 19 notice to a recipient of an affected dataset: when and how it was told, or why telling it
    proved impossible or disproportionate. One notice per recipient and request (recording again replaces it).
    Officers only; raises ``ApplicationError`` for a recipient of no affected dataset or a notice with neither a
    date nor a reason. Audited.
    """
    require_officer(actor)
    request = _lock(request)
    _refuse_closed(request)
    if recipient.pk not in {r["recipient"] for r in subject_request_recipients(request=request)}:
        raise ApplicationError(
            "This recipient received none of the affected datasets.", extra={"recipient": ["Not concerned."]}
        )
    if notified_on is None and not (not_notified_reason or "").strip():
        raise ApplicationError(
            "Give the day the recipient was told, or why telling it proved impossible or disproportionate.",
            extra={"notified_on": ["Or a reason."]},
        )
    if notified_on is not None and notified_on > timezone.localdate():
        raise ApplicationError("Not in the future.", extra={"notified_on": ["Not after today."]})
    _refuse_identifiers(request, {"method": method, "not_notified_reason": not_notified_reason})
    notice = RecipientNotification.objects.filter(request=request, recipient=recipient).first()
    before = model_state(notice) if notice else None
    notice = notice or RecipientNotification(request=request, recipient=recipient)
    notice.notified_on = notified_on
    notice.method = method.strip()
    notice.not_notified_reason = (not_notified_reason or "").strip()
    notice.recorded_by = actor.user
    notice.full_clean(exclude=("request", "recipient"))
    notice.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=notice,
        before=before,
        after=model_state(notice),
        reason="Art. 19 notice",
    )
    return notice


#
# Verification from later scans
#
def _hit_columns(actions: list[SubjectRequestAction], digests: dict[int, set[bytes]]) -> dict[int, set[str]]:
    """
    For each action: the names of the columns of its version where the subject's digests were found (from the
    version's subject keys and its latest published scan's findings). Absent when the version has no such keys any
    more. Two queries.
    """
    by_version = {a.version_id: a for a in actions}
    wanted = set().union(*digests.values()) if digests else set()
    ordinals: dict[int, set[tuple[int, int]]] = {}
    for version_id, scan_id, digest, ordinal in SubjectKey.objects.filter(
        version_id__in=list(by_version), digest__in=list(wanted)
    ).values_list("version_id", "scan_id", "digest", "column_ordinal"):
        action = by_version[version_id]
        if bytes(digest) in digests.get(action.request_id, ()):
            ordinals.setdefault(action.pk, set()).add((scan_id, ordinal))
    scans = {scan_id for pairs in ordinals.values() for scan_id, _ in pairs}
    names = {
        (scan_id, ordinal): column
        for scan_id, ordinal, column in ColumnFinding.objects.filter(scan_id__in=scans).values_list(
            "scan_id", "ordinal", "column"
        )
    }
    return {pk: {names[pair] for pair in pairs if pair in names} for pk, pairs in ordinals.items()}


def subject_request_verify_scan(*, scan: Scan, actor: Actor) -> list[ActionVerification]:
    """
    Called when a scan is published (inside ``scan_finish``'s transaction): check every open "delete records"
    action on an earlier version of the scanned dataset. The action is verified when the new version's
    subject-key index holds none of the subject's digests and the new scan looked where the subject was found:
    each column that held the subject is either gone from the new version or indexed by the new scan (a column
    indexed only in full mode, e.g. free text, needs a full scan). Otherwise a failed check is recorded, and a
    "done" action whose version still holds the subject is reopened (in progress). Audited per check. Returns the
    checks made (usually none, for one query).
    """
    version = AssetVersion.objects.only("pk", "asset_id", "produced_at", "version").get(pk=scan.version_id)
    earlier = Q(version__produced_at__lt=version.produced_at) | Q(
        version__produced_at=version.produced_at, version_id__lt=version.pk
    )
    candidates = list(
        SubjectRequestAction.objects.select_for_update(of=("self",))
        .filter(
            earlier,
            request__status=RequestStatus.OPEN,
            target=ActionTarget.DATASET,
            action=ActionKind.DELETE_RECORDS,
            status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE),
            version__asset_id=version.asset_id,
        )
        .select_related("hit_scan", "version")
        .order_by("id")
    )
    if not candidates:
        return []
    digests: dict[int, set[bytes]] = {}
    for request_id, digest in SubjectIdentifier.objects.filter(
        request_id__in={a.request_id for a in candidates}
    ).values_list("request_id", "digest"):
        digests.setdefault(request_id, set()).add(bytes(digest))
    wanted = set().union(*digests.values()) if digests else set()
    present = {
        bytes(d) for d in SubjectKey.objects.filter(scan=scan, digest__in=list(wanted)).values_list("digest", flat=True)
    }
    hit_columns = _hit_columns(candidates, digests)
    looked_at = dict(ColumnFinding.objects.filter(scan=scan).values_list("column", "indexed"))
    now = timezone.now()
    checks, changes = [], []
    for action in candidates:
        before = model_state(action)
        still = digests.get(action.request_id, set()) & present
        columns = hit_columns.get(action.pk)
        if columns is None:  # the hit version was re-scanned since: judge by the scan modes
            unchecked = ["(unknown)"] if action.hit_scan and action.hit_scan.full and not scan.full else []
        else:
            unchecked = sorted(c for c in columns if c in looked_at and not looked_at[c])
        if still:
            passed = False
            detail = (
                f"Version {version.version} (scan #{scan.pk}) still holds the subject "
                f"({len(still)} of {len(digests.get(action.request_id, ()))} identifier(s))."
            )
        elif unchecked:
            passed = False
            detail = (
                f"Scan #{scan.pk} of version {version.version} did not index "
                f"{', '.join(repr(c) for c in unchecked)}, where the subject was found: scan it in full mode to verify."
            )
        else:
            passed = True
            detail = f"Version {version.version} (scan #{scan.pk}) no longer holds the subject."
        checks.append(
            ActionVerification(
                action=action, scan=scan, version_id=version.pk, passed=passed, detail=detail[:500], checked_at=now
            )
        )
        if passed:
            action.status = ActionStatus.VERIFIED
            action.verified_at = now
            action.completed_at = action.completed_at or now
        elif still and action.status == ActionStatus.DONE:
            action.status = ActionStatus.IN_PROGRESS
            action.completed_at = None
        if action.status != before["status"]:
            action.save(update_fields=("status", "verified_at", "completed_at", "updated_at"))
            changes.append((action, before, detail))
    ActionVerification.objects.bulk_create(checks)
    entries: list[dict[str, Any]] = [
        {"action": AuditAction.CREATE, "obj": check, "after": model_state(check)} for check in checks
    ]
    entries.extend(
        {"action": AuditAction.STATUS_CHANGE, "obj": a, "before": b, "after": model_state(a), "reason": d}
        for a, b, d in changes
    )
    audit_record_many(actor=actor, entries=entries)
    return checks
