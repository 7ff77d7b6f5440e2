"""
Governance flags along lineage (issue 5, item 6): services that keep them materialised, and their selectors.

Three kinds of flag flow from an origin to every version derived from it — derived datasets, model versions,
fine-tuned, distilled and quantised descendants — and each says where it came from:

- ``personal_data``: origin = a version where the latest review of at least one column's finding is a
  confirmation (the officer's word, not the scanner's guess). One cause per origin asset.
- ``consent_withdrawn``: origin = the dataset versions in an active ``ConsentWithdrawal``'s scope (one dataset,
  or every dataset used for one purpose; all versions, or those produced before the withdrawal date). One cause
  per withdrawal.
- ``retention_expired``: origin = the versions of an asset past its ``retention_until`` date (found by the
  retention sweep, ``compliance.retention``). One cause per origin asset.

**Anonymisation.** A run of an anonymisation job, or a version whose privacy measure is *anonymised*, stops
personal-data flags: that version, and everything reached only through it, carries none from above (Recital 26:
anonymous data are outside the GDPR; Atlas's blocked edges). Consent and retention flags cross it, marked
``via_anonymisation``, because the anonymity claim is the producer's declaration, not an assessment: a mere
assertion of anonymity is not enough (EDPB Opinion 28/2024 §134; regulation.md §8 requires singling-out,
linkability and inference tests with a reviewer for a *claimed anonymous* state). A withdrawal (Art. 7(3),
17(1)(b)) or an expired retention (Art. 5(1)(e)) still concerns the anonymised derivative's *use* only if the
anonymisation does not hold — re-identification reasonably likely — which the officer decides, not the catalog:
the flag stays visible, says it crossed anonymisation, and is closed by confirming the assessment. (A retention
date may also be contractual — vendor data — and then binds derived data whatever its identifiability.)

**Materialisation.** Each trigger recomputes the causes it touches: a finding confirmed or dismissed (its asset's
personal-data cause), a withdrawal recorded or lifted (that withdrawal), the retention sweep (expired assets, and
assets no longer expired), new lineage (every cause flagged on the new edges' inputs, through
``lineage.signals.edges_recorded``) and a new version (the withdrawals and retention of its asset, through
``catalog.signals.version_registered``). A recomputation is one downstream ``lineage_closure`` over all origins
of the causes (one query per level), two queries for the anonymisation breakers, one walk per cause in memory, a
diff against the table and bulk writes, with one audit event per cause whose flags changed, in the caller's
transaction. ``flags_refresh_all`` (the nightly task) reconciles everything, including lineage that arrived
without a signal (OpenLineage bulk ingestion) and privacy measures changed after the fact.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.choices import AssetKind, PrivacyMeasure
from catalog.models import Asset, AssetVersion, Field, Purpose
from compliance.choices import FindingReview
from compliance.governance_filters import FlagFilterSet
from compliance.models import ColumnFinding, ConsentWithdrawal, FlagKind, GovernanceFlag, WithdrawalScope
from core import roles
from core.audit import Actor, AuditAction, audit_record, audit_record_many, model_state
from core.exceptions import ApplicationError, Conflict, PermissionDenied
from lineage.choices import JobType
from lineage.models import Edge, Run
from lineage.selectors import lineage_closure

__all__ = (
    "FlagChanges",
    "consent_withdrawal_lift",
    "consent_withdrawal_list",
    "consent_withdrawal_record",
    "flag_list",
    "flag_summary_by_asset",
    "flagged_versions",
    "flags_follow_lineage",
    "flags_follow_new_version",
    "flags_refresh_all",
    "flags_refresh_personal_data",
    "flags_refresh_retention",
    "flags_refresh_withdrawal",
    "versions_by_path",
)

FLAG_OBJECT = "compliance.governanceflag"
UPDATABLE = ("origin_version_id", "finding_id", "path", "runs", "depth", "via_anonymisation", "detail")


def _chunk_size() -> int:
    return 900 if connection.vendor == "sqlite" else 20_000


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = list(ids)
    size = _chunk_size()
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _require_officer(actor: Actor, what: str) -> None:
    # Commands and tasks act for the installation (as in catalog.services); people need the officer role.
    if actor.user is None and actor.channel in ("command", "task", "system"):
        return
    if actor.user is None or not roles.is_officer(actor.user):
        raise PermissionDenied(f"Only a compliance officer may {what}.")


#
# Causes and their origins
#
@dataclass(frozen=True)
class _Origin:
    version: int
    asset: int
    finding: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Cause:
    """Everything that raises one set of flags: a kind and its origin asset, or a withdrawal; its origin versions."""

    kind: str
    asset: int | None = None
    withdrawal: int | None = None
    origins: list[_Origin] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.withdrawal) if self.withdrawal is not None else (self.kind, self.asset)

    @property
    def label(self) -> str:
        if self.withdrawal is not None:
            return f"{self.kind}:withdrawal:{self.withdrawal}"
        return f"{self.kind}:asset:{self.asset}"


def _flag_cause_key(kind: str, origin_asset: int, withdrawal: int | None) -> tuple[str, int]:
    return (kind, withdrawal) if withdrawal is not None else (kind, origin_asset)


def _personal_data_causes(asset_ids: Iterable[int] | None) -> list[_Cause]:
    """
    Personal-data causes of ``asset_ids`` (all assets with reviewed findings when None). Per column, the latest
    review decides; a version with at least one confirmed column is an origin.
    """
    wanted = None if asset_ids is None else sorted(set(asset_ids))
    reviewed = ColumnFinding.objects.exclude(review=FindingReview.PENDING)
    rows: list[tuple] = []
    columns = ("pk", "version_id", "version__asset_id", "column", "review", "entities", "reviewed_at")
    if wanted is None:
        rows = list(reviewed.values_list(*columns))
    else:
        for part in _chunks(wanted):
            rows.extend(reviewed.filter(version__asset_id__in=part).values_list(*columns))
    rows.sort(key=lambda r: (r[6] or timezone.now(), r[0]))
    latest: dict[tuple[int, str], tuple] = {}
    for row in rows:
        latest[(row[1], row[3])] = row
    confirmed: dict[int, list[tuple]] = defaultdict(list)
    for row in latest.values():
        if row[4] == FindingReview.CONFIRMED:
            confirmed[row[1]].append(row)
    chosen: dict[tuple[int, str], list[str]] = {}
    if confirmed:
        for part in _chunks(sorted(confirmed)):
            for version_id, name, entities in Field.objects.filter(version_id__in=part).values_list(
                "version_id", "name", "pii_entities"
            ):
                chosen[(version_id, name)] = list(entities or [])
    causes: dict[int, _Cause] = {a: _Cause(kind=FlagKind.PERSONAL_DATA, asset=a) for a in wanted or ()}
    for version_id in sorted(confirmed):
        findings = sorted(confirmed[version_id], key=lambda r: r[0])
        asset_id = findings[0][2]
        entities: set[str] = set()
        for row in findings:
            entities.update(chosen.get((version_id, row[3])) or [e["type"] for e in row[5]])
        detail = {"columns": sorted(r[3] for r in findings), "entities": sorted(entities)}
        cause = causes.setdefault(asset_id, _Cause(kind=FlagKind.PERSONAL_DATA, asset=asset_id))
        cause.origins.append(_Origin(version=version_id, asset=asset_id, finding=findings[0][0], detail=detail))
    return list(causes.values())


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _withdrawal_versions(withdrawal: ConsentWithdrawal) -> QuerySet:
    """The dataset versions in a withdrawal's scope."""
    versions = AssetVersion.objects.filter(asset__kind=AssetKind.DATASET)
    if withdrawal.dataset_id:
        versions = versions.filter(asset_id=withdrawal.dataset_id)
    else:
        versions = versions.filter(asset__purposes=withdrawal.purpose_id)
    if withdrawal.scope == WithdrawalScope.BEFORE_DATE:
        versions = versions.filter(produced_at__lt=_start_of(withdrawal.withdrawn_on))
    return versions


def _withdrawal_causes(withdrawals: Iterable[ConsentWithdrawal]) -> list[_Cause]:
    """One cause per withdrawal; a lifted withdrawal has no origins (its flags are cleared)."""
    causes = []
    for withdrawal in withdrawals:
        cause = _Cause(kind=FlagKind.CONSENT_WITHDRAWN, withdrawal=withdrawal.pk)
        if withdrawal.is_active:
            detail = {
                "withdrawn_on": withdrawal.withdrawn_on.isoformat(),
                "scope": withdrawal.scope,
                "dataset": withdrawal.dataset_id,
                "purpose": withdrawal.purpose_id,
            }
            rows = _withdrawal_versions(withdrawal).values_list("pk", "asset_id").order_by("pk")
            cause.origins = [_Origin(version=v, asset=a, detail=detail) for v, a in rows]
        causes.append(cause)
    return causes


def _retention_causes(asset_ids: Iterable[int] | None, *, today: date) -> list[_Cause]:
    """
    Retention causes: one per asset past its retention date (``retention_until < today``), with all its versions
    as origins; assets asked for (or, when None, assets still flagged) that are no longer expired get none.
    """
    expired = Asset.objects.filter(retention_until__lt=today)
    if asset_ids is None:
        candidates = set(
            GovernanceFlag.objects.filter(kind=FlagKind.RETENTION_EXPIRED).values_list("origin_asset_id", flat=True)
        )
        found = dict(expired.values_list("pk", "retention_until"))
    else:
        candidates = set(asset_ids)
        found = {}
        for part in _chunks(sorted(candidates)):
            found.update(expired.filter(pk__in=part).values_list("pk", "retention_until"))
    causes = {a: _Cause(kind=FlagKind.RETENTION_EXPIRED, asset=a) for a in sorted(candidates | set(found))}
    for part in _chunks(sorted(found)):
        for version_id, asset_id in (
            AssetVersion.objects.filter(asset_id__in=part).order_by("pk").values_list("pk", "asset_id")
        ):
            detail = {"retention_until": found[asset_id].isoformat()}
            causes[asset_id].origins.append(_Origin(version=version_id, asset=asset_id, detail=detail))
    return list(causes.values())


#
# Walking and writing
#
@dataclass
class _Graph:
    """The downstream closure of all origins: adjacency in id order and the anonymisation breakers."""

    adjacency: dict[int, list[tuple[int, int]]]
    anonymising_runs: set[int]
    anonymised_versions: set[int]


def _graph(roots: Iterable[int]) -> _Graph:
    roots = sorted(set(roots))
    if not roots:
        return _Graph({}, set(), set())
    closure = lineage_closure(roots=roots, direction="downstream", mode="edges")
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for edge in closure.edges:
        adjacency[edge.source].append((edge.target, edge.run))
    for targets in adjacency.values():
        targets.sort()
    anonymising: set[int] = set()
    runs = sorted({edge.run for edge in closure.edges})
    for part in _chunks(runs):
        anonymising.update(
            Run.objects.filter(pk__in=part, job__job_type=JobType.ANONYMISATION).values_list("pk", flat=True)
        )
    anonymised: set[int] = set()
    for part in _chunks(sorted(closure.depth)):
        anonymised.update(
            AssetVersion.objects.filter(pk__in=part, privacy_measure=PrivacyMeasure.ANONYMISED).values_list(
                "pk", flat=True
            )
        )
    return _Graph(dict(adjacency), anonymising, anonymised)


def _walk(cause: _Cause, graph: _Graph) -> dict[int, tuple[int, int | None, bool]]:
    """
    ``{version: (previous version or itself, run or None, crossed anonymisation)}`` for everything the cause
    reaches. Breadth first from all origins without crossing anonymisation; then — except for personal data,
    which stops there — on across it from everything reached, so a version keeps a clean path when it has one.
    """
    reached: dict[int, tuple[int, int | None, bool]] = {}
    queue: deque[int] = deque()
    for origin in sorted(cause.origins, key=lambda o: o.version):
        if origin.version not in reached:
            reached[origin.version] = (origin.version, None, origin.version in graph.anonymised_versions)
            queue.append(origin.version)
    crossings: list[tuple[int, int, int]] = []
    while queue:
        current = queue.popleft()
        for target, run in graph.adjacency.get(current, ()):
            if target in reached:
                continue
            if run in graph.anonymising_runs or target in graph.anonymised_versions:
                crossings.append((current, target, run))
                continue
            reached[target] = (current, run, reached[current][2])
            queue.append(target)
    if cause.kind == FlagKind.PERSONAL_DATA:
        return reached
    for current, target, run in crossings:
        if target not in reached:
            reached[target] = (current, run, True)
            queue.append(target)
    while queue:
        current = queue.popleft()
        for target, run in graph.adjacency.get(current, ()):
            if target not in reached:
                reached[target] = (current, run, True)
                queue.append(target)
    return reached


def _desired(causes: list[_Cause], graph: _Graph) -> dict[tuple, dict[str, Any]]:
    """The flag rows the causes should have, keyed by ``(version, cause key)``."""
    rows: dict[tuple, dict[str, Any]] = {}
    for cause in causes:
        if not cause.origins:
            continue
        origins = {o.version: o for o in cause.origins}
        reached = _walk(cause, graph)
        for version in reached:
            path, runs = [version], []
            current = version
            while reached[current][0] != current:
                previous, run, _crossed = reached[current]
                path.append(previous)
                runs.append(run)
                current = previous
            origin = origins[current]
            rows[(version, cause.key)] = {
                "version_id": version,
                "kind": cause.kind,
                "origin_asset_id": cause.asset if cause.asset is not None else origin.asset,
                "origin_version_id": origin.version,
                "withdrawal_id": cause.withdrawal,
                "finding_id": origin.finding,
                "path": list(reversed(path)),
                "runs": list(reversed(runs)),
                "depth": len(path) - 1,
                "via_anonymisation": reached[version][2],
                "detail": dict(origin.detail),
            }
    return rows


@dataclass
class FlagChanges:
    """What a recomputation changed: flags raised, cleared and re-routed (new origin or path), per cause."""

    raised: int = 0
    cleared: int = 0
    rerouted: int = 0
    causes: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.raised or self.cleared or self.rerouted)

    def merge(self, other: FlagChanges) -> FlagChanges:
        self.raised += other.raised
        self.cleared += other.cleared
        self.rerouted += other.rerouted
        self.causes.update(other.causes)
        return self


def _lock(causes: list[_Cause]) -> None:
    """Serialise recomputations of the same causes (their assets or withdrawals, locked in id order)."""
    assets = sorted({c.asset for c in causes if c.asset is not None})
    withdrawals = sorted({c.withdrawal for c in causes if c.withdrawal is not None})
    if connection.vendor == "sqlite":
        return
    for part in _chunks(assets):
        list(Asset.objects.select_for_update().filter(pk__in=part).order_by("pk").values_list("pk", flat=True))
    for part in _chunks(withdrawals):
        locked = ConsentWithdrawal.objects.select_for_update().filter(pk__in=part).order_by("pk")
        list(locked.values_list("pk", flat=True))


def _scope(causes: list[_Cause]) -> Q:
    by_kind: dict[str, set[int]] = defaultdict(set)
    withdrawals: set[int] = set()
    for cause in causes:
        if cause.withdrawal is not None:
            withdrawals.add(cause.withdrawal)
        else:
            by_kind[cause.kind].add(cause.asset)
    scope = Q(pk__in=[])
    if withdrawals:
        scope |= Q(withdrawal_id__in=sorted(withdrawals))
    for kind, assets in by_kind.items():
        scope |= Q(kind=kind, withdrawal__isnull=True, origin_asset_id__in=sorted(assets))
    return scope


def _sync(causes: list[_Cause], *, actor: Actor, reason: str) -> FlagChanges:
    """Make the table hold exactly the causes' flags: insert, delete and re-route in bulk; audit per cause."""
    changes = FlagChanges()
    if not causes:
        return changes
    _lock(causes)
    keys = {c.key for c in causes}
    existing: dict[tuple, dict[str, Any]] = {}
    fields = ("pk", "version_id", "kind", "origin_asset_id", "withdrawal_id", *UPDATABLE)
    for row in GovernanceFlag.objects.filter(_scope(causes)).values(*fields):
        key = _flag_cause_key(row["kind"], row["origin_asset_id"], row["withdrawal_id"])
        if key in keys:
            existing[(row["version_id"], key)] = row
    desired = _desired(causes, _graph(o.version for c in causes for o in c.origins))
    now = timezone.now()
    per_cause: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: {"raised": [], "cleared": [], "rerouted": []})
    stale = [row["pk"] for k, row in existing.items() if k not in desired]
    for k in existing.keys() - desired.keys():
        per_cause[k[1]]["cleared"].append(k[0])
    new = []
    for k, row in desired.items():
        if k not in existing:
            new.append(GovernanceFlag(**row, since=now, updated_at=now))
            per_cause[k[1]]["raised"].append(k[0])
    moved = []
    for k, row in desired.items():
        old = existing.get(k)
        if old is not None and any(old[name] != row[name] for name in UPDATABLE):
            flag = GovernanceFlag(pk=old["pk"], updated_at=now, **{name: row[name] for name in UPDATABLE})
            moved.append(flag)
            per_cause[k[1]]["rerouted"].append(k[0])
    for part in _chunks(stale):
        GovernanceFlag.objects.filter(pk__in=part).delete()
    GovernanceFlag.objects.bulk_create(new, batch_size=1000)
    if moved:
        GovernanceFlag.objects.bulk_update(moved, [*UPDATABLE, "updated_at"], batch_size=1000)
    labels = {c.key: c for c in causes}
    entries = []
    for key in sorted(per_cause, key=lambda k: (k[0], k[1])):
        lists = {name: sorted(ids) for name, ids in per_cause[key].items()}
        cause = labels[key]
        changes.causes[cause.label] = lists
        entries.append(
            {
                "action": AuditAction.UPDATE,
                "obj": (FLAG_OBJECT, cause.label),
                "after": {
                    "kind": cause.kind,
                    "origin_asset": cause.asset,
                    "withdrawal": cause.withdrawal,
                    "origin_versions": sorted(o.version for o in cause.origins),
                    **lists,
                },
                "reason": reason,
            }
        )
    changes.raised, changes.cleared, changes.rerouted = len(new), len(stale), len(moved)
    if entries:
        audit_record_many(actor=actor, entries=entries)
    return changes


#
# Services: the triggers
#
def _ids(items: Iterable[Any]) -> list[int]:
    return sorted({item if isinstance(item, int) else item.pk for item in items})


@transaction.atomic
def flags_refresh_personal_data(
    *, actor: Actor, assets: Iterable[Asset | int] | None = None, reason: str = ""
) -> FlagChanges:
    """
    Recompute the personal-data flags raised by ``assets`` (every asset with reviewed findings, and every asset
    already flagged, when None). Called after every finding review. Audited per changed cause.
    """
    if assets is None:
        flagged = set(
            GovernanceFlag.objects.filter(kind=FlagKind.PERSONAL_DATA).values_list("origin_asset_id", flat=True)
        )
        causes = _personal_data_causes(None)
        known = {c.asset for c in causes}
        causes += [_Cause(kind=FlagKind.PERSONAL_DATA, asset=a) for a in sorted(flagged - known)]
    else:
        causes = _personal_data_causes(_ids(assets))
    return _sync(causes, actor=actor, reason=reason or "personal data recomputed")


@transaction.atomic
def flags_refresh_withdrawal(*, withdrawal: ConsentWithdrawal, actor: Actor, reason: str = "") -> FlagChanges:
    """Recompute one withdrawal's flags (none once it is lifted). Audited per changed cause."""
    withdrawal = ConsentWithdrawal.objects.get(pk=withdrawal.pk)
    return _sync(_withdrawal_causes([withdrawal]), actor=actor, reason=reason or "consent withdrawal recomputed")


@transaction.atomic
def flags_refresh_retention(
    *, actor: Actor, assets: Iterable[Asset | int] | None = None, today: date | None = None, reason: str = ""
) -> FlagChanges:
    """
    Recompute retention-expired flags of ``assets`` (when None: every asset past its date, and every asset still
    flagged). ``today`` defaults to the local date. Audited per changed cause.
    """
    today = today or timezone.localdate()
    ids = None if assets is None else _ids(assets)
    return _sync(_retention_causes(ids, today=today), actor=actor, reason=reason or "retention recomputed")


@transaction.atomic
def flags_follow_lineage(*, runs: Iterable[Run | int], actor: Actor) -> FlagChanges:
    """
    New lineage under a flagged version gets flagged: recompute every cause flagged on the inputs of ``runs``'
    edges. Two queries when none of the inputs is flagged. Audited per changed cause.
    """
    run_ids = _ids(runs)
    sources: set[int] = set()
    for part in _chunks(run_ids):
        sources.update(Edge.objects.filter(run_id__in=part).values_list("source_id", flat=True))
    flagged: set[tuple[str, int, int | None]] = set()
    for part in _chunks(sorted(sources)):
        flagged.update(
            GovernanceFlag.objects.filter(version_id__in=part)
            .values_list("kind", "origin_asset_id", "withdrawal_id")
            .distinct()
        )
    if not flagged:
        return FlagChanges()
    pd = sorted({a for k, a, _w in flagged if k == FlagKind.PERSONAL_DATA})
    expired = sorted({a for k, a, _w in flagged if k == FlagKind.RETENTION_EXPIRED})
    withdrawal_ids = sorted({w for k, _a, w in flagged if k == FlagKind.CONSENT_WITHDRAWN})
    causes = _personal_data_causes(pd) if pd else []
    causes += _retention_causes(expired, today=timezone.localdate()) if expired else []
    causes += _withdrawal_causes(ConsentWithdrawal.objects.filter(pk__in=withdrawal_ids).order_by("pk"))
    return _sync(causes, actor=actor, reason="new lineage")


@transaction.atomic
def flags_follow_new_version(*, version: AssetVersion, actor: Actor) -> FlagChanges:
    """
    A new version of a dataset under an active withdrawal, or of an asset past its retention date, gets that
    flag. One query when neither applies. Audited per changed cause.
    """
    asset = version.asset
    withdrawals = ConsentWithdrawal.objects.none()
    if asset.kind == AssetKind.DATASET:
        withdrawals = ConsentWithdrawal.objects.filter(lifted_at__isnull=True).filter(
            Q(dataset_id=asset.pk) | Q(purpose__in=Purpose.objects.filter(assets=asset.pk))
        )
    causes = _withdrawal_causes(withdrawals.order_by("pk"))
    if asset.retention_until is not None and asset.retention_until < timezone.localdate():
        causes += _retention_causes([asset.pk], today=timezone.localdate())
    return _sync(causes, actor=actor, reason="new version") if causes else FlagChanges()


@transaction.atomic
def flags_refresh_all(*, actor: Actor, today: date | None = None) -> FlagChanges:
    """
    Reconcile every flag with its causes: personal data, every withdrawal (active or lifted, so stale flags go),
    retention. Catches lineage and privacy measures that changed without a signal. Audited per changed cause.
    """
    changes = flags_refresh_personal_data(actor=actor, reason="reconciliation")
    flagged = GovernanceFlag.objects.filter(withdrawal__isnull=False).values("withdrawal")
    withdrawals = ConsentWithdrawal.objects.filter(Q(lifted_at__isnull=True) | Q(pk__in=flagged)).order_by("pk")
    changes.merge(_sync(_withdrawal_causes(withdrawals), actor=actor, reason="reconciliation"))
    return changes.merge(flags_refresh_retention(actor=actor, today=today, reason="reconciliation"))


#
# Consent withdrawals
#
@transaction.atomic
def consent_withdrawal_record(
    *,
    actor: Actor,
    withdrawn_on: date,
    reason: str,
    dataset: Asset | None = None,
    purpose: Purpose | None = None,
    scope: str = WithdrawalScope.ALL_VERSIONS,
    reference: str = "",
) -> ConsentWithdrawal:
    """
    Record that consent was withdrawn for ``dataset`` or ``purpose`` (officers only), and flag every version in
    scope and everything derived from it. Raises ``PermissionDenied``, ``ValidationError``. Audited, with the
    flags raised.
    """
    _require_officer(actor, "record a consent withdrawal")
    withdrawal = ConsentWithdrawal(
        dataset=dataset,
        purpose=purpose,
        withdrawn_on=withdrawn_on,
        scope=scope,
        reason=reason,
        reference=reference,
        recorded_by=actor.user,
    )
    withdrawal.full_clean()
    withdrawal.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=withdrawal, after=model_state(withdrawal), reason=reason)
    flags_refresh_withdrawal(withdrawal=withdrawal, actor=actor, reason="consent withdrawal recorded")
    return withdrawal


@transaction.atomic
def consent_withdrawal_lift(*, withdrawal: ConsentWithdrawal, actor: Actor, reason: str) -> ConsentWithdrawal:
    """
    Lift a withdrawal (recorded in error, or consent given again): the record stays, its flags go. Officers only;
    a reason is required. Raises ``PermissionDenied``, ``Conflict`` when already lifted. Audited.
    """
    _require_officer(actor, "lift a consent withdrawal")
    if not (reason or "").strip():
        raise ApplicationError("Say why the withdrawal is lifted.", extra={"reason": ["This field is required."]})
    withdrawal = ConsentWithdrawal.objects.select_for_update().get(pk=withdrawal.pk)
    if not withdrawal.is_active:
        raise Conflict("This withdrawal was already lifted.")
    before = model_state(withdrawal)
    withdrawal.lifted_at = timezone.now()
    withdrawal.lifted_by = actor.user
    withdrawal.lift_reason = reason
    withdrawal.save()
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=withdrawal,
        before=before,
        after=model_state(withdrawal),
        reason=reason,
    )
    flags_refresh_withdrawal(withdrawal=withdrawal, actor=actor, reason="consent withdrawal lifted")
    return withdrawal


#
# Selectors
#
def _visible(qs: QuerySet, user: Any) -> QuerySet:
    """Every role reads flags and withdrawals (they hold no personal data); users without a role see nothing."""
    return qs if user is None or roles.can_read(user) else qs.none()


def flag_list(*, user: Any = None, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """
    Flags with their version, origin and cause loaded, newest version first, filtered by ``FlagFilterSet``
    (``kind``, ``asset_kind``, ``version``, ``asset``, ``origin_asset``, ``origin_version``, ``withdrawal``,
    ``via_anonymisation``, ``state``).
    """
    qs = GovernanceFlag.objects.select_related(
        "version__asset", "origin_version__asset", "withdrawal__dataset", "withdrawal__purpose", "finding"
    )
    qs = _visible(qs.order_by("-version_id", "kind", "depth", "pk"), user)
    return FlagFilterSet(filters, queryset=qs).qs if filters else qs


def flagged_versions(
    *,
    user: Any = None,
    flag: str | None = None,
    asset_kind: str | None = None,
    withdrawal: int | None = None,
) -> QuerySet:
    """
    Versions carrying a flag (of kind ``flag``; from ``withdrawal``), of ``asset_kind``, each with those flags
    prefetched — e.g. "models affected by a consent withdrawal". Newest first.
    """
    flags = GovernanceFlag.objects.select_related("origin_version__asset", "withdrawal").order_by("kind", "depth", "pk")
    if flag:
        flags = flags.filter(kind=flag)
    if withdrawal:
        flags = flags.filter(withdrawal_id=withdrawal)
    qs = AssetVersion.objects.select_related("asset").filter(Exists(flags.filter(version_id=OuterRef("pk"))))
    if asset_kind:
        qs = qs.filter(asset__kind=asset_kind)
    qs = qs.prefetch_related(Prefetch("governance_flags", queryset=flags, to_attr="selected_flags"))
    return _visible(qs.order_by("-produced_at", "-pk"), user)


def flag_summary_by_asset(asset_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{asset id: {flag kind: number of its versions flagged}}`` in one query (admin changelists)."""
    summary: dict[int, dict[str, int]] = defaultdict(dict)
    ids = _ids(asset_ids)
    if not ids:
        return {}
    rows = (
        GovernanceFlag.objects.filter(version__asset_id__in=ids)
        .values_list("version__asset_id", "kind", "version_id")
        .distinct()
    )
    counts: dict[tuple[int, str], set[int]] = defaultdict(set)
    for asset_id, kind, version_id in rows:
        counts[(asset_id, kind)].add(version_id)
    for (asset_id, kind), versions in counts.items():
        summary[asset_id][kind] = len(versions)
    return dict(summary)


def versions_by_path(flags: Iterable[GovernanceFlag]) -> dict[int, str]:
    """``{version id: "namespace/name@label"}`` for every version on the flags' paths, in one query."""
    ids = sorted({v for flag in flags for v in flag.path})
    labels: dict[int, str] = {}
    for part in _chunks(ids):
        for pk, namespace, name, label in AssetVersion.objects.filter(pk__in=part).values_list(
            "pk", "asset__namespace", "asset__name", "version"
        ):
            labels[pk] = f"{namespace}/{name}@{label}"
    return labels


def consent_withdrawal_list(*, user: Any = None, active: bool | None = None) -> QuerySet:
    """Withdrawals with their dataset or purpose and recorder loaded, and ``flagged_versions``; newest first."""
    qs = ConsentWithdrawal.objects.select_related("dataset", "purpose", "recorded_by", "lifted_by").annotate(
        flagged_versions=Count("flags")
    )
    if active is not None:
        qs = qs.filter(lifted_at__isnull=active)
    return _visible(qs.order_by("-withdrawn_on", "-pk"), user)
