"""
Subject-request reads: the impact of a subject on the catalog (direct hits in the subject-key index, then the
downstream lineage closure stopping at anonymised versions), request lists for officers and auditors, the stored
impact with its paths, the Art. 19 recipients, the Art. 15 access report and the case file of the evidence bundle.

Every function costs a fixed number of queries whatever the number of items (plus one per lineage level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.choices import AssetKind, VersionState
from catalog.models import Asset, AssetVersion, Deployment
from catalog.selectors import versions_by_ids
from compliance.choices import FindingReview, ScanStatus
from compliance.deadlines import due_date_with_identity_pause, is_overdue
from compliance.models import (
    ActionStatus,
    ActionTarget,
    ActionVerification,
    ColumnFinding,
    ImpactReason,
    Recipient,
    RecipientNotification,
    RequestStatus,
    Scan,
    SubjectIdentifier,
    SubjectRequest,
    SubjectRequestAction,
    SubjectRequestKind,
)
from compliance.models.requests import RESOLVED_STATUSES
from compliance.selectors import versions_holding_digests
from core import roles
from lineage.models import Run
from lineage.selectors import lineage_closure

__all__ = (
    "ARTICLES",
    "Impact",
    "ImpactDeployment",
    "ImpactItem",
    "can_handle_subject_requests",
    "can_read_subject_request_summaries",
    "subject_impact",
    "subject_request_access_report",
    "subject_request_case",
    "subject_request_get",
    "subject_request_impact",
    "subject_request_list",
    "subject_request_recipients",
    "subject_request_summaries",
)

ARTICLES = {
    SubjectRequestKind.ERASURE: "GDPR Art. 17",
    SubjectRequestKind.ACCESS: "GDPR Art. 15",
    SubjectRequestKind.RESTRICTION: "GDPR Art. 18",
    SubjectRequestKind.OBJECTION: "GDPR Art. 21",
}
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def can_handle_subject_requests(user: Any) -> bool:
    """Only compliance officers create, see and work on subject requests (identifier hints included)."""
    return roles.is_officer(user)


def can_read_subject_request_summaries(user: Any) -> bool:
    """Officers and auditors read request summaries (kinds, dates, statuses, counts, masked hints)."""
    return roles.has_role(user, roles.COMPLIANCE_OFFICER, roles.AUDITOR)


#
# Impact of a subject on the catalog
#
@dataclass(frozen=True)
class ImpactItem:
    """An affected version: why (``reason``), how it was reached (``path`` of version ids, ``runs`` between)."""

    version: int
    asset_id: int
    asset: str
    kind: str
    label: str
    reason: str
    path: list[int]
    runs: list[int]
    depth: int
    is_current: bool
    hit_scan: int | None = None


@dataclass(frozen=True)
class ImpactDeployment:
    """An active deployment of an affected model version; ``path`` ends with that model version."""

    deployment: int
    model_version: int
    asset: str
    environment: str
    endpoint: str
    path: list[int]
    runs: list[int]
    depth: int


@dataclass
class Impact:
    items: list[ImpactItem] = field(default_factory=list)
    deployments: list[ImpactDeployment] = field(default_factory=list)
    is_partial: bool = False


def _current_version_ids(asset_ids: Iterable[int]) -> set[int]:
    """The current version (newest produced, not erased) of each asset, in one query."""
    latest = (
        AssetVersion.objects.filter(asset=OuterRef("pk"))
        .exclude(state=VersionState.ERASED)
        .order_by("-produced_at", "-id")
        .values("pk")[:1]
    )
    rows = Asset.objects.filter(pk__in=list(asset_ids)).annotate(current=Subquery(latest)).values_list("current")
    return {current for (current,) in rows if current is not None}


@dataclass(frozen=True)
class _Identity:
    asset_id: int
    asset: str
    kind: str
    label: str


def _version_identities(version_ids: Iterable[int], *, chunk: int = 10_000) -> dict[int, _Identity]:
    """
    Asset and label of many versions, without their JSON columns (profiles, facets): the impact of a subject
    touches hundreds of versions and decoding what it does not show costs more than the whole lineage walk.
    """
    ids = list(version_ids)
    found: dict[int, _Identity] = {}
    for start in range(0, len(ids), chunk):
        rows = AssetVersion.objects.filter(pk__in=ids[start : start + chunk]).values_list(
            "pk", "asset_id", "asset__namespace", "asset__name", "asset__kind", "version"
        )
        for pk, asset_id, namespace, name, kind, label in rows:
            found[pk] = _Identity(asset_id=asset_id, asset=f"{namespace}/{name}", kind=kind, label=label)
    return found


def _latest_scans(version_ids: Iterable[int]) -> dict[int, int]:
    """The latest published scan of each version (the one whose subject keys are in the index)."""
    found: dict[int, int] = {}
    rows = (
        Scan.objects.filter(version_id__in=list(version_ids), status=ScanStatus.SUCCEEDED)
        .order_by("version_id", "-finished_at", "-id")
        .values_list("version_id", "pk")
    )
    for version_id, scan_id in rows:
        found.setdefault(version_id, scan_id)
    return found


def subject_impact(*, digests: Iterable[bytes]) -> Impact:
    """
    Everything a subject (known by ``digests``) touches: the versions whose published subject-key index holds one
    of the digests (``direct``), every version derived from them at any depth (``downstream``) — except that an
    anonymised descendant (an anonymisation run's output, or a version whose privacy measure is anonymised) is
    listed as ``anonymised`` and its own descendants are not affected — and the active deployments of the
    affected model versions. Each item carries one shortest path from a direct hit. Read-only; costs one query
    per lineage level plus five.
    """
    hits = versions_holding_digests(list(dict.fromkeys(bytes(d) for d in digests)))
    if not hits:
        return Impact()
    closure = lineage_closure(roots=sorted(hits), direction="downstream", mode="tree", stop_at_anonymised=True)
    versions = _version_identities(closure.depth)
    current = _current_version_ids({v.asset_id for v in versions.values()})
    scans = _latest_scans(hits)
    items: list[ImpactItem] = []
    for version_id, depth in closure.depth.items():
        version = versions[version_id]
        if version_id in hits:
            reason = ImpactReason.DIRECT
        elif version_id in closure.stopped:
            reason = ImpactReason.ANONYMISED
        else:
            reason = ImpactReason.DOWNSTREAM
        hops = closure.path_with_runs(version_id)
        items.append(
            ImpactItem(
                version=version_id,
                asset_id=version.asset_id,
                asset=version.asset,
                kind=version.kind,
                label=version.label,
                reason=reason,
                path=[hop[0] for hop in hops],
                runs=[hop[1] for hop in hops[1:]],
                depth=depth,
                is_current=version_id in current,
                hit_scan=scans.get(version_id) if reason == ImpactReason.DIRECT else None,
            )
        )
    items.sort(key=lambda item: (item.depth, item.asset, item.version))
    model_items = {
        item.version: item for item in items if item.kind == AssetKind.MODEL and item.reason != ImpactReason.ANONYMISED
    }
    rows = (
        Deployment.objects.filter(model_version_id__in=list(model_items), retired_at__isnull=True)
        .order_by("deployed_at", "id")
        .values_list("pk", "model_version_id", "environment", "endpoint")
    )
    deployments = [
        ImpactDeployment(
            deployment=pk,
            model_version=model_version,
            asset=model_items[model_version].asset,
            environment=environment,
            endpoint=endpoint,
            path=model_items[model_version].path,
            runs=model_items[model_version].runs,
            depth=model_items[model_version].depth + 1,
        )
        for pk, model_version, environment, endpoint in rows
    ]
    return Impact(items=items, deployments=deployments, is_partial=closure.is_partial)


#
# Requests
#
def _with_counts(qs: QuerySet) -> QuerySet:
    return (
        qs.annotate(
            effective_due=Coalesce("extended_due_on", "due_on"),
            actions_total=Count("actions", distinct=True),
            actions_open=Count("actions", filter=Q(actions__status__in=OPEN_STATUSES), distinct=True),
            versions_affected=Count(
                "actions",
                filter=Q(actions__version__isnull=False) & ~Q(actions__reason=ImpactReason.ANONYMISED),
                distinct=True,
            ),
            deployments_affected=Count("actions", filter=Q(actions__deployment__isnull=False), distinct=True),
        )
        .prefetch_related(Prefetch("identifiers", queryset=SubjectIdentifier.objects.order_by("id")))
        .order_by("-received_on", "-id")
    )


def _filtered(
    qs: QuerySet, *, status: str | None, kind: str | None, overdue: bool | None, today: date | None
) -> QuerySet:
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue is not None:
        today = today or timezone.localdate()
        late = Q(status=RequestStatus.OPEN, effective_due__lt=today)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs


def subject_request_list(
    *,
    user: Any,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet:
    """
    Requests for compliance officers (nobody else: an empty queryset), newest receipt first, with identifier hints
    and action counts loaded (``actions_total``, ``actions_open``, ``versions_affected``, ``deployments_affected``,
    ``effective_due``). ``overdue`` keeps (or drops) open requests past their effective deadline.
    """
    qs = SubjectRequest.objects.select_related("created_by", "closed_by")
    if not can_handle_subject_requests(user):
        return qs.none()
    return _filtered(_with_counts(qs), status=status, kind=kind, overdue=overdue, today=today)


def subject_request_summaries(
    *,
    user: Any,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> QuerySet:
    """The same requests for officers and auditors (who see kinds, dates, statuses, counts and hints only)."""
    qs = SubjectRequest.objects.all()
    if not can_read_subject_request_summaries(user):
        return qs.none()
    return _filtered(_with_counts(qs), status=status, kind=kind, overdue=overdue, today=today)


def subject_request_get(*, user: Any, pk: Any) -> SubjectRequest | None:
    """One request for an officer (None when absent or not allowed)."""
    return subject_request_list(user=user).filter(pk=pk).first()


def request_deadline_facts(request: SubjectRequest, *, today: date | None = None) -> dict[str, Any]:
    """Deadline facts shown by every door: due dates, overdue, days left, the identity-pause reading."""
    today = today or timezone.localdate()
    effective = request.effective_due_on
    closed = request.status == RequestStatus.CLOSED
    return {
        "received_on": request.received_on,
        "due_on": request.due_on,
        "extended_due_on": request.extended_due_on,
        "effective_due_on": effective,
        "is_overdue": is_overdue(effective_due_on=effective, today=today, closed=closed),
        "days_left": None if closed else (effective - today).days,
        "due_on_with_identity_pause": due_date_with_identity_pause(
            effective,
            identity_requested_on=request.identity_requested_on,
            identity_confirmed_on=request.identity_confirmed_on,
            today=today,
        ),
        "closed_on_time": (timezone.localdate(request.closed_at) <= effective) if request.closed_at else None,
    }


def _actions(request: SubjectRequest) -> list[SubjectRequestAction]:
    return list(
        request.actions.select_related("version__asset", "deployment__model_version__asset", "assignee").order_by(
            "depth", "id"
        )
    )


def _run_labels(run_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    runs = Run.objects.filter(pk__in=[r for r in set(run_ids) if r is not None]).select_related("job")
    return {
        run.pk: {"run": run.pk, "run_id": str(run.run_id), "job": str(run.job), "job_type": run.job.job_type}
        for run in runs
    }


def _hops(action: SubjectRequestAction, labels: dict[int, str], runs: dict[int, dict[str, Any]]) -> list[dict]:
    """The path as hops: the first version, then (run → version) pairs: ``hit → run → version → …``."""
    hops: list[dict[str, Any]] = []
    for index, version_id in enumerate(action.path):
        hop: dict[str, Any] = {"version": version_id, "label": labels.get(version_id, f"version {version_id}")}
        if index:
            run_id = action.runs[index - 1] if index - 1 < len(action.runs) else None
            hop["via"] = runs.get(run_id, {"run": run_id})
        hops.append(hop)
    return hops


def _action_row(action: SubjectRequestAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "target": action.target,
        "version": action.version_id,
        "deployment": action.deployment_id,
        "reason": action.reason,
        "recommended": action.recommended,
        "action": action.action,
        "status": action.status,
        "assignee": action.assignee.get_username() if action.assignee_id else None,
        "exemption_ground": action.exemption_ground,
        "justification": action.justification,
        "evidence_note": action.evidence_note,
        "completed_at": action.completed_at,
        "verified_at": action.verified_at,
    }


def subject_request_impact(*, request: SubjectRequest) -> dict[str, Any]:
    """
    The request's impact as stored when it was computed, with the current state of each item: ``items`` (one
    per affected version: asset, kind, reason, path of version ids and its hops with runs and jobs, whether it
    is the current version now and was then, action, status) and ``deployments``. Four queries.
    """
    actions = _actions(request)
    labels = {a.version_id: f"{a.version.asset.qualified_name}@{a.version.version}" for a in actions if a.version_id}
    runs = _run_labels(run for a in actions for run in a.runs)
    current = _current_version_ids({a.version.asset_id for a in actions if a.version_id})
    items, deployments = [], []
    for action in actions:
        row = _action_row(action)
        if action.version_id:
            version = action.version
            items.append(
                {
                    "version": version.pk,
                    "asset": version.asset.qualified_name,
                    "kind": version.asset.kind,
                    "version_label": version.version,
                    "reason": action.reason,
                    "path": list(action.path),
                    "hops": _hops(action, labels, runs),
                    "depth": action.depth,
                    "is_current": version.pk in current,
                    "was_current": action.was_current,
                    "state": version.state,
                    "action": action.action,
                    "status": action.status,
                    "action_id": action.pk,
                    "recommended": action.recommended,
                    "assignee": row["assignee"],
                }
            )
        else:
            deployment = action.deployment
            deployments.append(
                {
                    "deployment": deployment.pk,
                    "model_version": deployment.model_version_id,
                    "asset": deployment.model_version.asset.qualified_name,
                    "version_label": deployment.model_version.version,
                    "environment": deployment.environment,
                    "endpoint": deployment.endpoint,
                    "is_active": deployment.retired_at is None,
                    "path": list(action.path),
                    "hops": _hops(action, labels, runs),
                    "action": action.action,
                    "status": action.status,
                    "action_id": action.pk,
                    "recommended": action.recommended,
                    "assignee": row["assignee"],
                }
            )
    return {
        "request": request.pk,
        "computed_at": request.impact_computed_at,
        "is_partial": request.impact_is_partial,
        "items": items,
        "deployments": deployments,
    }


def _affected_dataset_assets(request: SubjectRequest) -> dict[int, list[int]]:
    """``{asset id: [affected version ids]}`` of datasets holding or derived from the subject (not anonymised)."""
    rows = (
        request.actions.filter(target=ActionTarget.DATASET)
        .exclude(reason=ImpactReason.ANONYMISED)
        .values_list("version__asset_id", "version_id")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for asset_id, version_id in rows:
        found[asset_id].append(version_id)
    return found


def subject_request_recipients(*, request: SubjectRequest) -> list[dict[str, Any]]:
    """
    Art. 19: every recipient of an affected dataset (holding or derived from the subject's data), with the
    datasets concerned and the notice recorded for this request, if any. Three queries.
    """
    assets = _affected_dataset_assets(request)
    if not assets:
        return []
    recipients = (
        Recipient.objects.filter(datasets__in=list(assets))
        .select_related("party")
        .prefetch_related(Prefetch("datasets", queryset=Asset.objects.filter(pk__in=list(assets))))
        .distinct()
        .order_by("party__name", "id")
    )
    notices = {n.recipient_id: n for n in RecipientNotification.objects.filter(request=request)}
    rows = []
    for recipient in recipients:
        notice = notices.get(recipient.pk)
        rows.append(
            {
                "recipient": recipient.pk,
                "party": recipient.party.name,
                "category": recipient.category,
                "country": recipient.party.country,
                "third_country": recipient.party.third_country,
                "datasets": sorted(a.qualified_name for a in recipient.datasets.all()),
                "notification": None
                if notice is None
                else {
                    "id": notice.pk,
                    "notified_on": notice.notified_on,
                    "method": notice.method,
                    "not_notified_reason": notice.not_notified_reason,
                },
            }
        )
    return rows


RIGHTS = (
    "to obtain rectification of inaccurate personal data (Art. 16)",
    "to obtain erasure (Art. 17)",
    "to restrict processing (Art. 18)",
    "to object to processing (Art. 21)",
    "to lodge a complaint with a supervisory authority (Art. 77)",
)


def subject_request_access_report(*, request: SubjectRequest) -> dict[str, Any]:
    """
    Art. 15: the datasets holding the subject's data (direct hits and datasets derived from them; anonymised ones
    left out) with their purposes and lawful bases (a), categories of data from confirmed PII findings (b),
    recipients (c), retention (d), source (g), and the model versions built on each with whether they are in use
    (an active deployment). Built from the request's stored impact plus one lineage traversal.
    """
    actions = [
        a
        for a in _actions(request)
        if a.target == ActionTarget.DATASET and a.reason in (ImpactReason.DIRECT, ImpactReason.DOWNSTREAM)
    ]
    version_ids = [a.version_id for a in actions]
    asset_ids = {a.version.asset_id for a in actions}
    assets = {
        a.pk: a
        for a in Asset.objects.filter(pk__in=asset_ids)
        .select_related("source")
        .prefetch_related("purposes", Prefetch("recipients", queryset=Recipient.objects.select_related("party")))
    }
    categories: dict[int, set[str]] = defaultdict(set)
    for version_id, entities in ColumnFinding.objects.filter(
        version_id__in=version_ids, review=FindingReview.CONFIRMED
    ).values_list("version_id", "entities"):
        categories[version_id].update(e["type"] for e in entities)
    models_of = _models_built_on(version_ids)
    current = _current_version_ids(asset_ids)
    datasets = []
    for action in actions:
        asset = assets[action.version.asset_id]
        datasets.append(
            {
                "asset": asset.qualified_name,
                "version": action.version_id,
                "version_label": action.version.version,
                "is_current": action.version_id in current,
                "holds_subject": action.reason == ImpactReason.DIRECT,
                "derived_from": action.path[0] if action.reason == ImpactReason.DOWNSTREAM else None,
                "purposes": [
                    {"name": p.name, "lawful_basis": p.lawful_basis}
                    for p in sorted(asset.purposes.all(), key=lambda p: p.name)
                ],
                "lawful_basis": asset.lawful_basis,
                "categories": sorted(categories.get(action.version_id, ())),
                "recipients": [
                    {
                        "party": r.party.name,
                        "category": r.category,
                        "country": r.party.country,
                        "third_country": r.party.third_country,
                    }
                    for r in sorted(asset.recipients.all(), key=lambda r: (r.party.name, r.pk))
                ],
                "retention_until": asset.retention_until,
                "source": None
                if asset.source is None
                else {"name": asset.source.name, "kind": asset.source.kind, "supplier": asset.source.supplier},
                "models": models_of.get(action.version_id, []),
                "models_in_use": any(m["in_use"] for m in models_of.get(action.version_id, [])),
            }
        )
    identifiers = list(request.identifiers.order_by("id"))
    return {
        "request": request.pk,
        "article": ARTICLES[SubjectRequestKind.ACCESS],
        "generated_at": timezone.now(),
        "subject": [{"kind": i.kind, "hint": i.hint} for i in identifiers],
        "confirmation": bool(datasets),
        "datasets": datasets,
        "rights": list(RIGHTS),
        "automated_decision_making": "not recorded in the catalog",
    }


def _models_built_on(version_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each dataset version: the model versions derived from it (not through anonymisation), with deployments."""
    if not version_ids:
        return {}
    closure = lineage_closure(roots=version_ids, direction="downstream", mode="edges", stop_at_anonymised=True)
    children: dict[int, set[int]] = defaultdict(set)
    for edge in closure.edges:
        children[edge.source].add(edge.target)
    versions = versions_by_ids(closure.depth)
    deployments: dict[int, list[Deployment]] = defaultdict(list)
    for deployment in Deployment.objects.filter(model_version_id__in=list(closure.depth), retired_at__isnull=True):
        deployments[deployment.model_version_id].append(deployment)
    found: dict[int, list[dict[str, Any]]] = {}
    for root in version_ids:
        seen, stack = {root}, [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen and child not in closure.stopped:
                    seen.add(child)
                    stack.append(child)
        found[root] = [
            {
                "asset": versions[v].asset.qualified_name,
                "version": v,
                "version_label": versions[v].version,
                "in_use": bool(deployments.get(v)),
                "deployments": [
                    {"environment": d.environment, "endpoint": d.endpoint, "deployed_at": d.deployed_at}
                    for d in deployments.get(v, [])
                ],
            }
            for v in sorted(seen, key=lambda v: (versions[v].asset.qualified_name, v))
            if versions[v].asset.kind == AssetKind.MODEL
        ]
    return found


def subject_request_case(*, request: SubjectRequest, today: date | None = None) -> dict[str, Any]:
    """
    The case file of the evidence bundle: the request (dates, deadlines, extension, outcome), the subject as
    digests and masked hints only, the impact with paths, the actions with their verifications, the Art. 19
    recipients and notices, and (for access requests) the access report.
    """
    identifiers = list(request.identifiers.order_by("id"))
    impact = subject_request_impact(request=request)
    actions = _actions(request)
    verifications: dict[int, list[ActionVerification]] = defaultdict(list)
    for check in ActionVerification.objects.filter(action__request=request).order_by("checked_at", "id"):
        verifications[check.action_id].append(check)
    action_rows = []
    for action in actions:
        row = _action_row(action)
        row["asset"] = (
            action.version.asset.qualified_name
            if action.version_id
            else action.deployment.model_version.asset.qualified_name
        )
        row["verifications"] = [
            {
                "scan": v.scan_id,
                "version": v.version_id,
                "passed": v.passed,
                "detail": v.detail,
                "checked_at": v.checked_at,
            }
            for v in verifications.get(action.pk, [])
        ]
        action_rows.append(row)
    facts = request_deadline_facts(request, today=today)
    case = {
        "format": "custodian-subject-request-case/1",
        "request": {
            "id": request.pk,
            "reference": f"DSR-{request.pk}",
            "kind": request.kind,
            "article": ARTICLES.get(request.kind, ""),
            "channel": request.channel,
            "electronic": request.electronic,
            "received_on": request.received_on,
            "due_on": request.due_on,
            "extension": None
            if not request.extension_months
            else {
                "months": request.extension_months,
                "reason": request.extension_reason,
                "recorded_on": request.extension_recorded_on,
                "subject_notified_on": request.extension_notified_on,
                "extended_due_on": request.extended_due_on,
            },
            "effective_due_on": facts["effective_due_on"],
            "is_overdue": facts["is_overdue"],
            "closed_on_time": facts["closed_on_time"],
            "identity_requested_on": request.identity_requested_on,
            "identity_confirmed_on": request.identity_confirmed_on,
            "status": request.status,
            "outcome": request.outcome,
            "outcome_note": request.outcome_note,
            "created_at": request.created_at,
            "created_by": request.created_by.get_username() if request.created_by_id else None,
            "closed_at": request.closed_at,
            "closed_by": request.closed_by.get_username() if request.closed_by_id else None,
        },
        "subject": [
            {
                "kind": i.kind,
                "hint": i.hint,
                "digest": bytes(i.digest).hex(),
                "digest_method": "HMAC-SHA256 of '<kind>:<normalised identifier>' under CUSTODIAN_SUBJECT_KEY",
            }
            for i in identifiers
        ],
        "impact": impact,
        "actions": action_rows,
        "recipients": subject_request_recipients(request=request),
    }
    if request.kind == SubjectRequestKind.ACCESS:
        case["access_report"] = subject_request_access_report(request=request)
    return case


def request_is_ready_to_close(request: SubjectRequest) -> bool:
    """Every action is done, verified, exempted or not required (an access request with no action is ready)."""
    return not request.actions.exclude(status__in=RESOLVED_STATUSES).exists()
