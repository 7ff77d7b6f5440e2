"""
Compliance writes: scans (request, progress, outcome, failure, sweeping), finding reviews, the subject-key index.

Every function is keyword-only, runs in one transaction with its audit event, and never stores a raw value: a
scan records verdicts with masked examples, the profile with personal-data ranges suppressed, and digests.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from catalog.choices import PersonalData
from catalog.models import Asset, AssetVersion
from catalog.readers import SourceReadError
from catalog.readers.errors import scrub_secrets
from catalog.services import asset_update, version_record_scan, version_register, version_set_field_pii
from compliance.choices import FindingReview, ScanStatus, Verdict
from compliance.models import ColumnFinding, Scan, SubjectKey
from compliance.propagation import flags_refresh_personal_data
from compliance.scanning import (
    IndexColumn,
    PartitionResult,
    ScanOutcome,
    classify_partials,
    digest_partition,
    open_partitions,
    sample_partition,
)
from compliance.services_requests import subject_request_verify_scan
from core.audit import Actor, AuditAction, audit_record, model_state
from core.exceptions import ApplicationError, Conflict

__all__ = (
    "finding_review",
    "scan_fail",
    "scan_finish",
    "scan_index_partition",
    "scan_plan",
    "scan_record_outcome",
    "scan_request",
    "scan_run_local",
    "scan_sample",
    "scan_sweep",
    "scan_upload",
)

logger = logging.getLogger(__name__)
LOCAL_SCHEMES = ("file://",)


class ScanNotPossible(ApplicationError):
    """The version has no location Custodian can read (e.g. an object-store URI): upload the file instead."""


def location_is_readable(location: str) -> bool:
    """Whether a location can be scanned from here: an existing local path / file:// URI, or a database URL."""
    if not location:
        return False
    if location.startswith(LOCAL_SCHEMES):
        return os.path.isfile(location[len("file://") :])
    if "://" in location:
        from catalog.readers.sql import is_database_url

        return is_database_url(location)
    return os.path.isfile(location)


def _enqueue_start(scan_id: int) -> None:
    from compliance.tasks import scan_start  # the task module imports this one

    scan_start.delay(scan_id)


@transaction.atomic
def scan_request(
    *,
    version: AssetVersion,
    actor: Actor,
    location: str | None = None,
    filename: str = "",
    query: str = "",
    full: bool = False,
    upload_path: str = "",
    enqueue: bool = True,
) -> Scan:
    """
    Queue a scan of ``version``'s source (its URI unless ``location`` or an uploaded temporary file is given).

    The scan runs after commit (on Celery workers, or in-process when no broker is configured) unless ``enqueue``
    is false (the caller then runs it, e.g. with :func:`scan_run_local`). An uploaded file
    is deleted when the scan ends. Raises ``ScanNotPossible`` for a location that cannot be read from here.
    Audited (the location with credentials scrubbed).
    """
    target = upload_path or location or version.uri
    if not upload_path and not location_is_readable(target):
        raise ScanNotPossible(
            f"Cannot read {scrub_secrets(target) or 'an empty location'!r} from here: give a local path, a file:// "
            "URI or a database URL, or upload the file.",
            extra={"location": ["Not readable from the catalog."]},
        )
    scan = Scan(
        version=version,
        location=scrub_secrets(filename or target),
        filename=filename,
        query=query,
        full=full,
        requested_by=actor.user,
        source_secret=target,
    )
    scan.full_clean(exclude=("source_secret",))
    scan.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=scan, after=model_state(scan))
    if enqueue:
        transaction.on_commit(partial(_enqueue_start, scan.pk))
    return scan


def scan_upload(
    *, asset: Asset, upload: Any, filename: str, actor: Actor, label: str | None = None, full: bool = False
) -> Scan:
    """
    Register an uploaded file as a new version of ``asset`` (content hash and size recorded) and scan it from a
    temporary copy in ``CUSTODIAN_UPLOAD_DIR`` that is deleted when the scan ends. ``label`` defaults to the first
    12 hex digits of the content hash. Raises ``ValidationError`` for a duplicate label.
    """
    upload_dir = Path(settings.CUSTODIAN_UPLOAD_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(filename))[-120:] or "upload"
    handle, path = tempfile.mkstemp(prefix="scan-", suffix=f"-{safe_name}", dir=upload_dir)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
                digest.update(piece)
                size += len(piece)
                out.write(piece)
        with transaction.atomic():
            version = version_register(
                actor=actor,
                asset=asset,
                version=label or digest.hexdigest()[:12],
                uri="",
                content_hash=f"sha256:{digest.hexdigest()}",
                size_bytes=size,
                description=f"Uploaded file {os.path.basename(filename)}",
            )
            return scan_request(version=version, actor=actor, filename=filename, upload_path=path, full=full)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def _cleanup(scan: Scan) -> None:
    """Delete an uploaded temporary file and forget the secret location."""
    secret = scan.source_secret
    upload_dir = str(settings.CUSTODIAN_UPLOAD_DIR)
    if secret and os.path.abspath(secret).startswith(os.path.abspath(upload_dir) + os.sep):
        with contextlib.suppress(FileNotFoundError):
            os.remove(secret)
    Scan.objects.filter(pk=scan.pk).update(source_secret="")


def scan_plan(*, scan: Scan) -> dict[str, Any]:
    """
    Start a queued scan: look at the source, record its size and partitions, mark it running.

    Returns the source facts with the partition descriptors (which hold the secret location: never stored).
    Raises ``SourceReadError`` (the caller fails the scan with it).
    """
    facts = open_partitions(location=scan.source_secret, filename=scan.filename, query=scan.query, format=scan.format)
    now = timezone.now()
    Scan.objects.filter(pk=scan.pk).update(
        status=ScanStatus.RUNNING,
        format=facts["format"] or "",
        rows_total=facts["rows_estimate"],
        rows_done=0,
        partitions_total=len(facts["partitions"]),
        partitions_done=0,
        started_at=now,
        heartbeat_at=now,
        updated_at=now,
    )
    return facts


def scan_progress(*, scan_id: int, rows: int) -> None:
    """Count rows done and refresh the heartbeat (the sweeper fails scans whose heartbeat stops)."""
    Scan.objects.filter(pk=scan_id).update(rows_done=F("rows_done") + rows, heartbeat_at=timezone.now())


def scan_sample(
    *, scan: Scan, descriptor: Mapping[str, Any], progress: Callable[[int], None] | None = None
) -> PartitionResult:
    """First pass over one partition; rows done and the heartbeat are updated per chunk. Raises ``SourceReadError``."""

    def tick(rows: int) -> None:
        scan_progress(scan_id=scan.pk, rows=rows)
        if progress:
            progress(rows)

    result = sample_partition(descriptor, location=scan.source_secret, progress=tick)
    Scan.objects.filter(pk=scan.pk).update(partitions_done=F("partitions_done") + 1, heartbeat_at=timezone.now())
    return result


def scan_record_outcome(*, scan: Scan, outcome: ScanOutcome, facts: Mapping[str, Any]) -> None:
    """Keep the merged first pass on the scan (masked verdicts and profile only) until the scan finishes."""
    scan.result = {
        "verdicts": outcome.columns_document(),
        "stages": {v.name: v.stage for v in outcome.verdicts},
        "profile": outcome.profile,
        "plan": [c.to_dict() for c in outcome.index_plan],
        "rows": outcome.rows,
        "size_bytes": facts.get("size_bytes"),
        "content_hash": facts.get("content_hash"),
        "columns": facts.get("columns"),
    }
    Scan.objects.filter(pk=scan.pk).update(
        rows_total=outcome.rows, timings=outcome.timings, result=scan.result, heartbeat_at=timezone.now()
    )


def _insert_keys(scan: Scan, keys: Mapping[bytes, tuple[str, int]]) -> int:
    """Bulk-insert digests for ``scan`` (duplicates across partitions ignored). COPY on PostgreSQL."""
    if not keys:
        return 0
    table = SubjectKey._meta.db_table
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _subject_keys_in (digest bytea, kind varchar(16), col smallint) "
                "ON COMMIT DELETE ROWS"
            )
            # Rows of an earlier insert in the same outer transaction are still there until commit.
            cursor.execute("TRUNCATE _subject_keys_in")
            with cursor.copy("COPY _subject_keys_in (digest, kind, col) FROM STDIN") as copy:
                for digest, (kind, ordinal) in keys.items():
                    copy.write_row((digest, kind, ordinal))
            cursor.execute(
                f"INSERT INTO {table} (version_id, scan_id, digest, kind, column_ordinal) "  # noqa: S608
                "SELECT %s, %s, digest, kind, col FROM _subject_keys_in ON CONFLICT DO NOTHING",
                [scan.version_id, scan.pk],
            )
            return cursor.rowcount
    rows = [
        SubjectKey(version_id=scan.version_id, scan_id=scan.pk, digest=d, kind=k, column_ordinal=o)
        for d, (k, o) in keys.items()
    ]
    before = SubjectKey.objects.filter(scan=scan).count()
    SubjectKey.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return SubjectKey.objects.filter(scan=scan).count() - before


def scan_index_partition(*, scan: Scan, descriptor: Mapping[str, Any], plan: Iterable[IndexColumn]) -> int:
    """Second pass over one partition: insert the planned columns' digests. Returns how many were new."""
    keys = digest_partition(
        descriptor,
        plan,
        location=scan.source_secret,
        progress=lambda rows: Scan.objects.filter(pk=scan.pk).update(heartbeat_at=timezone.now()),
    )
    return _insert_keys(scan, keys)


@transaction.atomic
def scan_finish(*, scan: Scan, actor: Actor) -> Scan:
    """
    Publish a scan's outcome in one transaction: findings (masked), the version's profile and PII summary, its
    discovered facts and schema, the subject-key count; keys of older scans of the version are replaced. Audited.
    """
    scan = Scan.objects.select_for_update().get(pk=scan.pk)
    if scan.status != ScanStatus.RUNNING:
        return scan
    result = scan.result
    indexed = {c["name"] for c in result["plan"]}
    stages = result.get("stages", {})
    columns = result.get("columns") or [v["name"] for v in result["verdicts"]]
    findings = [
        ColumnFinding(
            scan=scan,
            version_id=scan.version_id,
            column=v["name"],
            ordinal=columns.index(v["name"]) if v["name"] in columns else i,
            verdict=v["verdict"],
            entities=v["entities"],
            sampled=v["sampled"],
            masked_examples=v["masked_examples"][:3],
            stage=stages.get(v["name"], 1),
            indexed=v["name"] in indexed,
        )
        for i, v in enumerate(result["verdicts"])
    ]
    ColumnFinding.objects.bulk_create(findings)
    SubjectKey.objects.filter(version_id=scan.version_id).exclude(scan=scan).delete()
    key_count = SubjectKey.objects.filter(scan=scan).count()
    summary = pii_summary(result["verdicts"], scan=scan, subject_keys=key_count)
    profile_types = result["profile"].get("columns", {})
    version_record_scan(
        version=scan.version,
        actor=actor,
        quality_profile=result["profile"],
        pii_summary=summary,
        columns=[{"name": c, "data_type": profile_types.get(c, {}).get("type", "")} for c in columns],
        row_count=result.get("rows"),
        size_bytes=result.get("size_bytes"),
        content_hash=result.get("content_hash"),
    )
    before = model_state(scan)
    now = timezone.now()
    scan.status = ScanStatus.SUCCEEDED
    scan.rows_done = result.get("rows") or scan.rows_done
    scan.rows_total = result.get("rows") or scan.rows_total
    scan.subject_keys = key_count
    scan.result = {}
    scan.finished_at = now
    scan.heartbeat_at = now
    scan.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=scan,
        before=before,
        after=model_state(scan),
        reason="scan succeeded",
    )
    subject_request_verify_scan(scan=scan, actor=actor)
    transaction.on_commit(partial(_cleanup, scan))
    return scan


def pii_summary(verdicts: Iterable[Mapping[str, Any]], *, scan: Scan, subject_keys: int) -> dict[str, Any]:
    """The version's PII summary: verdicts per column (masked examples only) and the index size."""
    columns = [
        {"name": v["name"], "verdict": v["verdict"], "entities": [e["type"] for e in v["entities"]]} for v in verdicts
    ]
    return {
        "scan": scan.pk,
        "columns": columns,
        "personal_data_columns": [c["name"] for c in columns if c["verdict"] != Verdict.NONE],
        "subject_keys": subject_keys,
    }


def scan_fail(*, scan: Scan, reason: str, actor: Actor) -> Scan:
    """
    End a scan as failed with a one-line reason; remove anything it had written (its digests). Idempotent: a
    finished scan stays as it is. Audited.
    """
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan.pk)
        if scan.is_finished:
            return scan
        before = model_state(scan)
        SubjectKey.objects.filter(scan=scan).delete()
        ColumnFinding.objects.filter(scan=scan).delete()
        scan.result = {}
        scan.status = ScanStatus.FAILED
        scan.error = " ".join(str(reason).split())[:2000] or "scan failed"
        scan.finished_at = timezone.now()
        scan.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=scan,
            before=before,
            after=model_state(scan),
            reason="scan failed",
        )
    _cleanup(scan)
    return scan


def scan_run_local(*, scan: Scan, actor: Actor, progress: Callable[[int, int | None], None] | None = None) -> Scan:
    """
    Run a whole scan in this process, partition after partition (the ``scan`` command and eager mode).
    Ends succeeded or failed with a reason; never raises for bad input.
    """
    scan = Scan.objects.get(pk=scan.pk)
    if scan.status != ScanStatus.QUEUED:
        return scan
    done = [0]
    total: list[int | None] = [None]

    def tick(rows: int) -> None:
        done[0] += rows
        if progress:
            progress(done[0], total[0])

    try:
        facts = scan_plan(scan=scan)
        total[0] = facts["rows_estimate"]
        partials = [scan_sample(scan=scan, descriptor=d, progress=tick) for d in facts["partitions"]]
        outcome = classify_partials(partials, columns=facts["columns"], full=scan.full)
        scan_record_outcome(scan=scan, outcome=outcome, facts=facts)
        for descriptor in facts["partitions"] if outcome.index_plan else ():
            scan_index_partition(scan=scan, descriptor=descriptor, plan=outcome.index_plan)
        return scan_finish(scan=scan, actor=actor)
    except SourceReadError as exc:
        return scan_fail(scan=scan, reason=exc.reason if hasattr(exc, "reason") else str(exc), actor=actor)
    except Exception as exc:  # a scan never stays running: any failure ends it with a reason
        logger.exception("scan %s failed", scan.pk)
        return scan_fail(scan=scan, reason=f"internal error: {type(exc).__name__}", actor=actor)


def scan_sweep(*, actor: Actor, stale_after: timedelta | None = None) -> list[int]:
    """
    Fail running scans whose workers stopped reporting (no heartbeat for ``stale_after``, default
    ``CUSTODIAN_SCAN_STALE_SECONDS``). Returns the ids failed. Run periodically by Celery beat.
    """
    stale_after = stale_after or timedelta(seconds=settings.CUSTODIAN_SCAN_STALE_SECONDS)
    cutoff = timezone.now() - stale_after
    stale = list(Scan.objects.filter(status=ScanStatus.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True))
    for scan_id in stale:
        scan_fail(
            scan=Scan(pk=scan_id), reason=f"worker stopped responding (no progress for {stale_after})", actor=actor
        )
    return stale


#
# Finding reviews
#
@transaction.atomic
def finding_review(
    *, finding: ColumnFinding, decision: str, actor: Actor, note: str = "", entities: Iterable[str] | None = None
) -> ColumnFinding:
    """
    Confirm or dismiss a column finding (officers). A confirmation makes the finding's entity types (or the given
    ``entities``) the field's PII classification and marks the asset as containing personal data; a dismissal
    clears the field's classification. Audited with the reviewer's note.
    """
    if decision not in (FindingReview.CONFIRMED, FindingReview.DISMISSED):
        raise ApplicationError(f"Unknown review decision {decision!r}: confirm or dismiss.")
    finding = ColumnFinding.objects.select_for_update().select_related("version__asset").get(pk=finding.pk)
    if finding.review != FindingReview.PENDING and finding.review == decision:
        raise Conflict(f"The finding is already {finding.review}.")
    before = model_state(finding)
    chosen = sorted(set(entities)) if entities is not None else finding.entity_types
    finding.review = decision
    finding.reviewed_by = actor.user
    finding.reviewed_at = timezone.now()
    finding.review_note = note
    finding.save()
    confirmed = decision == FindingReview.CONFIRMED
    version_set_field_pii(
        version=finding.version,
        column=finding.column,
        entities=chosen if confirmed else [],
        actor=actor,
        reason=f"finding {decision}",
    )
    asset: Asset = finding.version.asset
    if confirmed and chosen and asset.contains_personal_data != PersonalData.YES:
        asset_update(
            asset=asset,
            data={"contains_personal_data": PersonalData.YES},
            actor=actor,
            reason=f"confirmed PII in column {finding.column}",
        )
    audit_record(
        actor=actor, action=AuditAction.DECISION, obj=finding, before=before, after=model_state(finding), reason=note
    )
    flags_refresh_personal_data(actor=actor, assets=[asset.pk], reason=f"finding {decision}")
    return finding
