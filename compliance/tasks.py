"""
Celery tasks for scans: thin wrappers that load by id and call ``compliance.services``.

A scan fans out: ``scan_start`` plans partitions → one ``scan_sample_partition`` per partition (in parallel on
every running worker) → ``scan_classify`` merges and classifies → one ``scan_index_partition`` per partition for
the identifier columns → ``scan_complete`` publishes. Partial results are sealed before they reach the result
backend. With no broker configured the whole scan runs in-process. ``scan_sweep`` (beat) fails scans whose workers
died; tasks are ``acks_late`` so a task on a killed worker is redelivered.
"""

from __future__ import annotations

import logging

from celery import chord, group, shared_task

from catalog.readers import SourceReadError
from compliance import services
from compliance.choices import ScanStatus
from compliance.models import Scan
from compliance.scanning import IndexColumn, PartitionResult, classify_partials, seal, unseal
from core.audit import Actor

logger = logging.getLogger(__name__)
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True}


def _reason(exc: Exception) -> str:
    if isinstance(exc, SourceReadError):
        return getattr(exc, "reason", None) or str(exc)
    logger.exception("scan step failed")
    return f"internal error: {type(exc).__name__}"


def _public(descriptor: dict) -> dict:
    """A descriptor without the location (a temp path or a database URL with its password stays in the DB)."""
    return {key: value for key, value in descriptor.items() if key != "location"}


def _live_scan(scan_id: int) -> Scan | None:
    scan = Scan.objects.filter(pk=scan_id).first()
    return scan if scan is not None and not scan.is_finished else None


@shared_task(**TASK_OPTIONS)
def scan_start(self, scan_id: int) -> None:
    scan = Scan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED).first()
    if scan is None:
        return
    actor = Actor.task(self.request.id, user=scan.requested_by)
    if self.request.is_eager:
        services.scan_run_local(scan=scan, actor=actor)
        return
    try:
        facts = services.scan_plan(scan=scan)
    except Exception as exc:
        services.scan_fail(scan=scan, reason=_reason(exc), actor=actor)
        return
    descriptors = [_public(d) for d in facts["partitions"]]
    public_facts = {k: facts[k] for k in ("columns", "size_bytes", "content_hash", "format")}
    chord(
        group(scan_sample_partition.s(scan_id, d) for d in descriptors),
        scan_classify.s(scan_id, descriptors, public_facts),
    ).delay()


@shared_task(**TASK_OPTIONS)
def scan_sample_partition(self, scan_id: int, descriptor: dict) -> dict:
    scan = _live_scan(scan_id)
    if scan is None:
        return {"skipped": True}
    try:
        return {"sealed": seal(services.scan_sample(scan=scan, descriptor=descriptor).to_payload())}
    except Exception as exc:
        return {"error": _reason(exc)}


@shared_task(**TASK_OPTIONS)
def scan_classify(self, partials: list[dict], scan_id: int, descriptors: list[dict], facts: dict) -> None:
    scan = _live_scan(scan_id)
    if scan is None:
        return
    actor = Actor.task(self.request.id, user=scan.requested_by)
    errors = [p["error"] for p in partials if "error" in p]
    if errors or any("skipped" in p for p in partials):
        services.scan_fail(scan=scan, reason=errors[0] if errors else "scan was stopped", actor=actor)
        return
    try:
        results = [PartitionResult.from_payload(unseal(p["sealed"])) for p in partials]
        outcome = classify_partials(results, columns=facts["columns"], full=scan.full)
        services.scan_record_outcome(scan=scan, outcome=outcome, facts=facts)
    except Exception as exc:
        services.scan_fail(scan=scan, reason=_reason(exc), actor=actor)
        return
    if not outcome.index_plan:
        services.scan_finish(scan=scan, actor=actor)
        return
    plan = [c.to_dict() for c in outcome.index_plan]
    chord(group(scan_index_partition.s(scan_id, d, plan) for d in descriptors), scan_complete.s(scan_id)).delay()


@shared_task(**TASK_OPTIONS)
def scan_index_partition(self, scan_id: int, descriptor: dict, plan: list[dict]) -> dict:
    scan = _live_scan(scan_id)
    if scan is None:
        return {"skipped": True}
    try:
        columns = [IndexColumn.from_dict(c) for c in plan]
        return {"inserted": services.scan_index_partition(scan=scan, descriptor=descriptor, plan=columns)}
    except Exception as exc:
        return {"error": _reason(exc)}


@shared_task(**TASK_OPTIONS)
def scan_complete(self, counts: list[dict], scan_id: int) -> None:
    scan = _live_scan(scan_id)
    if scan is None:
        return
    actor = Actor.task(self.request.id, user=scan.requested_by)
    errors = [c["error"] for c in counts if "error" in c]
    if errors:
        services.scan_fail(scan=scan, reason=errors[0], actor=actor)
        return
    services.scan_finish(scan=scan, actor=actor)


@shared_task(bind=True)
def scan_sweep(self) -> list[int]:
    """Fail scans whose workers stopped reporting (run by Celery beat)."""
    return services.scan_sweep(actor=Actor.task(self.request.id))


@shared_task(bind=True)
def retention_check(self) -> dict:
    """Flag the assets past their retention date and everything derived from them (Celery beat, daily)."""
    from compliance.retention import retention_sweep

    sweep = retention_sweep(actor=Actor.task(self.request.id))
    return {
        "expired": [e.asset.pk for e in sweep.expired],
        "newly_expired": sweep.newly_expired,
        "raised": sweep.changes.raised,
        "cleared": sweep.changes.cleared,
    }


@shared_task(bind=True)
def flags_reconcile(self) -> dict:
    """Recompute every governance flag from its causes (lineage that arrived without a signal, edited versions)."""
    from compliance.propagation import flags_refresh_all

    changes = flags_refresh_all(actor=Actor.task(self.request.id))
    return {"raised": changes.raised, "cleared": changes.cleared, "rerouted": changes.rerouted}
