"""
OpenLineage ingestion: every event is stored raw first, then projected into the one graph, in one transaction.

Entry points (services, keyword-only):

- :func:`openlineage_event_prepare` — validate, parse and hash one decoded event (no database access);
- :func:`openlineage_events_ingest` — store and project prepared events; ``atomic=True`` is the single endpoint's
  all-or-nothing answer, ``atomic=False`` the batch endpoint's partial success. One transaction per call, bulk
  writes throughout, so a batch of 1,000 events costs a few dozen queries, not thousands.

Projection rules (``../shared/reference/openlineage-backend.md`` §7–§11), all idempotent:

- the raw row is unique by content hash: a re-sent event is a duplicate and projects nothing;
- jobs and datasets by ``(namespace, name)``, runs by ``runId``; unknown parent runs become placeholder runs;
- a run's inputs and outputs are the union over its events (the semantics of ``lineage.services.run_add_io``:
  an input keeps its role unless one is stated; edges are input × output of the run);
- each output-producing run gets one version of each output (label: the ``version`` facet, else
  ``run-<runId>``); an input binds to the version named by its ``version`` facet, else to the version current
  at the event's ``eventTime`` (never one the same run produced), else to a placeholder ``unversioned``;
- facets replace earlier values of the same key unless older by ``eventTime`` (``FacetClock``), ``_deleted``
  removes one; run state follows terminal-state precedence by ``eventTime`` (``RunStateChange`` keeps the
  history, one row per event with an ``eventType``);
- ``datasetType: MODEL`` makes a model asset; model inputs are base models (teacher models for distillation)
  unless ``custodian_inputRole`` says otherwise; ``jobType``/``custodian_modelDerivation`` set the job type;
- schema → ``Field`` rows, ``columnLineage`` → ``ColumnEdge`` (kept when the output field is not in the
  schema), ``symlinks`` → aliases, ``ownership``/``documentation``/``tags`` → asset metadata (PII tags become
  review suggestions), ``dataSource`` → ``Source``, ``lifecycleStateChange`` DROP/RENAME → dropped/aliases;
- one ``AuditEvent`` (action ``ingest``) per stored event, appended last in the same transaction.

This module writes catalog rows directly (in bulk) instead of calling ``catalog.services`` once per row: the
batch endpoint's throughput target rules that out, and ingestion audits each *event* rather than each row.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, DataError, IntegrityError, OperationalError, connection, models, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from catalog.choices import AssetKind, SourceKind, VersionState
from catalog.models import Asset, AssetVersion, Field, Licence, Source
from core.audit import Actor, AuditAction, audit_record_many
from core.exceptions import ApplicationError
from lineage import openlineage as ol
from lineage.choices import TERMINAL_STATES, InputRole, JobType, RunOrigin, RunState
from lineage.models import (
    ColumnEdge,
    Edge,
    FacetClock,
    Job,
    JobDataset,
    OpenLineageEvent,
    Run,
    RunInput,
    RunOutput,
    RunStateChange,
)
from lineage.services import default_input_role
from lineage.signals import edges_recorded

__all__ = (
    "EventOutcome",
    "IngestResult",
    "IngestUnavailable",
    "PLACEHOLDER_VERSION",
    "PreparedEvent",
    "Rejection",
    "derived_version_label",
    "map_job_type",
    "no_gc_pauses",
    "openlineage_event_prepare",
    "openlineage_events_ingest",
)

logger = logging.getLogger(__name__)

PLACEHOLDER_VERSION = "unversioned"
"""Label of the version an input binds to when its dataset has no version at the event's time."""

RAW_CHUNK = 500
MAX_NAMESPACE = 512
MAX_NAME = 1024
MAX_LABEL = 255
RETRIES = 3

# OpenLineage jobType.jobType (and custodian_modelDerivation kinds) → Custodian job type.
_JOB_TYPES = {
    "TRAINING": JobType.TRAINING,
    "TRAIN": JobType.TRAINING,
    "FINE_TUNING": JobType.FINE_TUNING,
    "FINETUNING": JobType.FINE_TUNING,
    "FINE_TUNE": JobType.FINE_TUNING,
    "ADAPTER": JobType.FINE_TUNING,
    "TRANSFER_LEARNING": JobType.TRANSFER_LEARNING,
    "DISTILLATION": JobType.DISTILLATION,
    "QUANTISATION": JobType.QUANTISATION,
    "QUANTIZATION": JobType.QUANTISATION,
    "PRUNING": JobType.PRUNING,
    "MERGE": JobType.MERGE,
    "EVALUATION": JobType.EVALUATION,
    "ANONYMISATION": JobType.ANONYMISATION,
    "ANONYMIZATION": JobType.ANONYMISATION,
    "DEPLOYMENT": JobType.DEPLOYMENT,
    # Data processing (Spark, SQL, dbt models, Airflow tasks): ETL. DAGs orchestrate and stay "other".
    "QUERY": JobType.ETL,
    "COMMAND": JobType.ETL,
    "TASK": JobType.ETL,
    "JOB": JobType.ETL,
    "MODEL": JobType.ETL,
    "SNAPSHOT": JobType.ETL,
    "SEED": JobType.ETL,
}
_STATE_OF = {
    "START": RunState.START,
    "RUNNING": RunState.RUNNING,
    "COMPLETE": RunState.COMPLETE,
    "FAIL": RunState.FAIL,
    "ABORT": RunState.ABORT,
}


class IngestUnavailable(ApplicationError):
    """The database refused or timed out (lock timeout, overload, connection lost): retry later. Nothing stored."""

    status_code = 503


class EventOutcome:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Rejection:
    """Why an event was refused: a one-line reason and the violations (path, message, code)."""

    reason: str
    violations: list[dict[str, str]]


@dataclass(frozen=True)
class PreparedEvent:
    """A validated, parsed event with its idempotency key, ready to store."""

    payload: dict[str, Any]
    parsed: ol.ParsedEvent
    content_hash: str
    warnings: list[dict[str, str]]
    canonical: str = ""  # the canonical JSON text the hash is taken of (also what the raw row stores)


@dataclass
class IngestResult:
    """
    Per event (request order): ``outcomes[i]`` is accepted, duplicate or rejected; ``rejections[i]`` says why;
    ``event_ids[i]`` is the raw row's id for accepted events.
    """

    outcomes: list[str]
    rejections: dict[int, Rejection] = field(default_factory=dict)
    event_ids: dict[int, int] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.outcomes if item == outcome)

    @property
    def accepted(self) -> int:
        return self.count(EventOutcome.ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(EventOutcome.DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(EventOutcome.REJECTED)


#
# Preparation (no database)
#


def _map_non_uuid() -> bool:
    return bool(getattr(settings, "CUSTODIAN_OPENLINEAGE_MAP_NON_UUID_RUN_IDS", False))


def _length_violations(payload: Mapping[str, Any]) -> list[dict[str, str]]:
    """Identities longer than the catalog's columns: refused with a reason instead of failing in the database."""
    found = []

    def check(obj: Any, path: str) -> None:
        if not isinstance(obj, dict):
            return
        for key, limit in (("namespace", MAX_NAMESPACE), ("name", MAX_NAME)):
            value = obj.get(key)
            if isinstance(value, str) and len(value) > limit:
                found.append({"path": f"{path}.{key}", "message": f"is longer than {limit} characters", "code": "max"})

    check(payload.get("job"), "job")
    check(payload.get("dataset"), "dataset")
    for key in ("inputs", "outputs"):
        items = payload.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                check(item, f"{key}[{index}]")
    return found


def openlineage_event_prepare(payload: Any) -> PreparedEvent | Rejection:
    """
    Validate, parse and hash one decoded event. Returns a ``PreparedEvent`` or a ``Rejection`` (never raises for
    any JSON value). Touches no database.
    """
    map_non_uuid = _map_non_uuid()
    result = ol.validate_event(payload, map_non_uuid_run_ids=map_non_uuid)
    if not result.ok:
        return Rejection(reason=result.reason(), violations=[v.to_dict() for v in result.violations])
    too_long = _length_violations(payload)
    if too_long:
        return Rejection(reason="; ".join(f"{v['path']} {v['message']}" for v in too_long), violations=too_long)
    try:
        canonical = _canonical_json(payload)
    except (ValueError, TypeError) as exc:
        violation = {"path": "", "message": f"cannot be serialised as JSON: {exc}", "code": "type"}
        return Rejection(reason=violation["message"], violations=[violation])
    content_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if "\\u0000" in canonical and _has_nul(payload):  # JSON always escapes NUL: the walk runs only if one may be
        message = "contains a NUL character (\\u0000), which cannot be stored"
        violation = {"path": "", "message": message, "code": "type"}
        return Rejection(reason=violation["message"], violations=[violation])
    try:
        parsed = ol.parse_event(payload, map_non_uuid_run_ids=map_non_uuid)
    except ValueError as exc:  # validate_event accepted it, so this is a bug in the pair: refuse, don't crash
        violation = {"path": "", "message": str(exc), "code": "invalid"}
        return Rejection(reason=str(exc), violations=[violation])
    return PreparedEvent(
        payload=payload,
        parsed=parsed,
        content_hash=content_hash,
        warnings=[w.to_dict() for w in result.warnings],
        canonical=canonical,
    )


def _canonical_json(payload: Any) -> str:
    """
    The canonical JSON of ``lineage.openlineage.event_content_hash`` (sorted keys, compact, UTF-8): serialised once
    and used for the hash, the NUL check and the stored payload. A test pins the equality of both hashes.
    """
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _has_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


#
# Ingestion
#


@contextmanager
def no_gc_pauses():
    """
    Run a block that allocates tens of thousands of short-lived containers (a batch projection, a large lineage
    answer) without the cyclic garbage collector: reference counting frees them, while collections triggered by
    the allocations would walk the whole process heap (a third of a batch's CPU time, measured).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def openlineage_events_ingest(
    *,
    payloads: Sequence[Any],
    actor: Actor,
    atomic: bool,
    prepared: Sequence[PreparedEvent | Rejection] | None = None,
) -> IngestResult:
    """
    Store and project ``payloads`` (decoded JSON values, request order) in one transaction.

    ``atomic``: if any event is invalid, nothing is stored and every valid event is reported ``rejected`` too
    (with reason "not stored: another event of the request is invalid"). Otherwise valid events are stored
    (duplicates of stored events are no-ops) and invalid ones reported. Appends one audit event (action
    ``ingest``, channel of ``actor``) per stored event. Retries transient conflicts (deadlock, serialisation)
    and raises ``IngestUnavailable`` when the database stays unavailable: nothing is stored then.
    """
    with no_gc_pauses():
        return _ingest(payloads=payloads, actor=actor, atomic=atomic, prepared=prepared)


def _ingest(*, payloads, actor, atomic, prepared) -> IngestResult:
    if prepared is None:
        prepared = [openlineage_event_prepare(payload) for payload in payloads]
    result = IngestResult(outcomes=[EventOutcome.REJECTED] * len(prepared))
    valid: list[tuple[int, PreparedEvent]] = []
    for index, item in enumerate(prepared):
        if isinstance(item, Rejection):
            result.rejections[index] = item
        else:
            valid.append((index, item))
    if atomic and result.rejections:
        for index, _ in valid:
            result.rejections[index] = Rejection(
                reason="not stored: another event of the request is invalid", violations=[]
            )
        return result
    if not valid:
        return result
    try:
        stored = _with_retries(lambda: _store_and_project(valid, actor))
    except DataError as exc:
        # A value the database refuses (out of range, bad encoding) that validation let through: no 500. A batch
        # is retried event by event so that only the offending events are refused.
        if atomic or len(valid) == 1:
            reason = f"the database refused a value of this event: {str(exc).splitlines()[0][:200]}"
            for index, _item in valid:
                result.rejections[index] = Rejection(reason=reason, violations=[])
            return result
        stored = {}
        for index, item in valid:
            single = openlineage_events_ingest(payloads=[item.payload], actor=actor, atomic=True, prepared=[item])
            if single.rejections:
                result.rejections[index] = single.rejections[0]
            elif single.event_ids:
                stored[index] = single.event_ids[0]
            else:
                stored[index] = None
    for index, _item in valid:
        if index in result.rejections:
            continue
        event_id = stored.get(index)
        if event_id is None:
            result.outcomes[index] = EventOutcome.DUPLICATE
        else:
            result.outcomes[index] = EventOutcome.ACCEPTED
            result.event_ids[index] = event_id
    return result


def _with_retries(work):
    delay = 0.05
    for attempt in range(1, RETRIES + 1):
        try:
            return work()
        except OperationalError as exc:
            transient = _is_transient(exc)
            if not transient or attempt == RETRIES:
                logger.warning("OpenLineage ingestion unavailable: %s", exc)
                raise IngestUnavailable("The database is busy or unavailable; retry later.") from exc
        except IntegrityError as exc:
            # A concurrent writer created the same row between our read and our insert: run again.
            if attempt == RETRIES:
                logger.warning("OpenLineage ingestion conflict persisted: %s", exc)
                raise IngestUnavailable("Concurrent writes conflicted; retry later.") from exc
        except DataError:
            raise
        except DatabaseError as exc:
            if not _is_transient(exc):
                raise
            if attempt == RETRIES:
                raise IngestUnavailable("The database is busy or unavailable; retry later.") from exc
        time.sleep(delay)
        delay *= 4
    raise AssertionError("unreachable")


def _is_transient(exc: Exception) -> bool:
    """Deadlocks, serialisation failures, lock timeouts and lost connections: worth a retry."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if sqlstate:
        # 40001 serialization, 40P01 deadlock, 55P03 lock not available, 57014 canceled (lock/statement timeout),
        # 08xxx connection exceptions, 53xxx insufficient resources, 57P0x shutdown.
        return sqlstate in {"40001", "40P01", "55P03", "57014"} or sqlstate[:2] in {"08", "53", "57"}
    text = str(exc).lower()
    return "locked" in text or "deadlock" in text or "timeout" in text or "connection" in text


def _store_and_project(valid: list[tuple[int, PreparedEvent]], actor: Actor) -> dict[int, int]:
    """Insert raw rows, project the new ones, audit them; returns request index → raw id of stored events."""
    with transaction.atomic():
        first: dict[str, int] = {}
        for index, item in valid:
            first.setdefault(item.content_hash, index)
        candidates = [(index, item) for index, item in valid if first[item.content_hash] == index]
        projection = _Projection(
            events=[_Event(index=i, event_id=0, prepared=item) for i, item in candidates], actor=actor
        )
        if connection.vendor == "postgresql":
            # One round trip: lock timeout, raw rows, and every row the projection will read (Ref: single-event
            # latency is round trips, not work).
            timeout = int(getattr(settings, "CUSTODIAN_OPENLINEAGE_LOCK_TIMEOUT_MS", 3000))
            raw_sql, raw_params = _raw_insert_statement([item for _, item in candidates], actor)
            results = _pipeline(
                [(f"SET LOCAL lock_timeout = {timeout}", []), (raw_sql, raw_params), *projection.prefetch_statements()]
            )
            inserted = {content_hash: pk for pk, content_hash in results[1]}
            projection.take_prefetched(results[2:])
        else:
            inserted = _insert_raw([item for _, item in candidates], actor)
        stored: dict[int, int] = {}
        new_events: list[_Event] = []
        for index, item in candidates:
            event_id = inserted.get(item.content_hash)
            if event_id is not None:
                stored[index] = event_id
                new_events.append(_Event(index=index, event_id=event_id, prepared=item))
        if new_events:
            projection.keep(new_events)
            summaries = projection.run()
            if projection.edge_runs:
                # Flags (personal data, consent, retention) follow new lineage in this transaction.
                edges_recorded.send(sender=Run, runs=sorted(projection.edge_runs), actor=actor)
            audit_record_many(
                actor=actor,
                entries=[
                    {
                        "action": AuditAction.INGEST,
                        "obj": ("lineage.openlineageevent", event.event_id),
                        "after": summaries[event.event_id],
                    }
                    for event in new_events
                ],
            )
        return stored


_RAW_COLUMNS = (
    "content_hash",
    "kind",
    "event_type",
    "event_time",
    "run_id",
    "producer",
    "schema_url",
    "job_namespace",
    "job_name",
    "dataset_namespace",
    "dataset_name",
    "payload",
    "received_at",
    "principal_id",
    "principal_label",
    "channel",
)


def _raw_rows(items: list[PreparedEvent], actor: Actor) -> list[tuple]:
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None else None
    rows = []
    for item in items:
        event = item.parsed
        job, dataset = event.job, event.dataset
        rows.append(
            (
                item.content_hash,
                event.kind,
                event.event_type or "",
                event.event_time,
                event.run_id,
                event.producer or "",
                event.schema_url or "",
                job.namespace if job else "",
                job.name if job else "",
                dataset.namespace if dataset else "",
                dataset.name if dataset else "",
                _JsonText(item.canonical) if item.canonical and connection.vendor == "postgresql" else item.payload,
                now,
                user_id,
                actor.label[:255],
                actor.channel,
            )
        )
    return rows


def _raw_insert_statement(items: list[PreparedEvent], actor: Actor) -> tuple[str, list[Any]]:
    """The PostgreSQL statement inserting every raw row at once and returning the ones it inserted."""
    return _insert_statement(
        OpenLineageEvent,
        _RAW_COLUMNS,
        _raw_rows(items, actor),
        conflict_fields=("content_hash",),
        returning=("id", "content_hash"),
    )


def _insert_raw(items: list[PreparedEvent], actor: Actor) -> dict[str, int]:
    """
    ``INSERT … ON CONFLICT (content_hash) DO NOTHING RETURNING``: the hashes this transaction inserted (a hash
    stored by anyone else, even concurrently, is a duplicate). Returns content hash → id.
    """
    rows = _raw_rows(items, actor)
    found: dict[str, int] = {}
    for start in range(0, len(rows), RAW_CHUNK):
        returned = _insert_rows(
            OpenLineageEvent,
            _RAW_COLUMNS,
            rows[start : start + RAW_CHUNK],
            conflict_fields=("content_hash",),
            returning=("id", "content_hash"),
        )
        found.update((content_hash, pk) for pk, content_hash in returned)
    return found


#
# Bulk writes: on PostgreSQL one statement with one array parameter per column (unnest) and server-side
# binding, instead of Django's rows × columns parameters rendered client-side and its CASE-per-row updates,
# which together cost more than the rest of a batch. Other databases go through Django's bulk methods.
#


class _JsonText(str):
    """JSON already serialised (written to a ``jsonb`` column as is)."""


def _jsonify(values: list[Any]) -> list[Any]:
    encoded = []
    for value in values:
        if value is not None and not isinstance(value, _JsonText):
            value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        encoded.append(value)
    return encoded


_PENDING: ContextVar[list[tuple[str, list[Any]]] | None] = ContextVar("openlineage_pending_writes", default=None)


def _execute(sql: str, params: list[Any], *, fetch: bool = False) -> list[tuple]:
    """
    Run ``sql`` with server-side binding on the Django connection (same transaction, Django's error classes).
    Array parameters are written ``%b`` (binary): the text format quotes every element with a regex. Inside
    ``_deferred_writes`` a statement whose result is not needed is queued instead.
    """
    import psycopg

    pending = _PENDING.get()
    if pending is not None and not fetch:
        pending.append((sql, params))
        return []
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=_prepare(sql))
        return cursor.fetchall() if fetch else []


def _prepare(sql: str) -> bool:
    """
    Prepare the statement server-side (planned once per connection): Django turns psycopg's automatic preparation
    off, and planning these statements costs more than running them. ``SET`` cannot be prepared.
    """
    return not sql.startswith("SET ")


def _pipeline(statements: list[tuple[str, list[Any]]]) -> list[list[tuple]]:
    """Run ``statements`` in one PostgreSQL pipeline (one round trip); every statement's rows, in order."""
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    cursors = []
    with connection.wrap_database_errors:
        with raw.pipeline():
            for sql, params in statements:
                cursor = psycopg.Cursor(raw)
                cursor.execute(sql, params, prepare=_prepare(sql))
                cursors.append(cursor)
        results = []
        for cursor in cursors:
            results.append(cursor.fetchall() if cursor.description is not None else [])
            cursor.close()
    return results


@contextmanager
def _deferred_writes():
    """
    Queue the writes whose answer nobody reads and send them in one pipeline when the block succeeds: one round
    trip for a dozen statements (PostgreSQL; elsewhere statements run at once).
    """
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg

    pending: list[tuple[str, list[Any]]] = []
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    if not pending:
        return
    connection.ensure_connection()
    raw = connection.connection
    with connection.wrap_database_errors, raw.pipeline(), psycopg.Cursor(raw) as cursor:
        for sql, params in pending:
            cursor.execute(sql, params, prepare=_prepare(sql))


def _insert_statement(
    model, columns, rows, *, conflict_fields=None, update_fields=None, returning=None
) -> tuple[str, list[Any]]:
    """PostgreSQL ``INSERT … SELECT * FROM unnest(…)`` for ``rows``: the text and one array per column."""
    sql, json_columns = _insert_sql(
        model, tuple(columns), tuple(conflict_fields or ()), tuple(update_fields or ()), tuple(returning or ())
    )
    arrays = []
    for index in range(len(columns)):
        values = [row[index] for row in rows]
        arrays.append(_jsonify(values) if index in json_columns else values)
    return sql, arrays


@lru_cache(maxsize=256)
def _insert_sql(model, columns: tuple, conflict_fields: tuple, update_fields: tuple, returning: tuple):
    """PostgreSQL ``INSERT … SELECT * FROM unnest(…)`` text for these columns (built once per shape)."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in columns]
    if update_fields:
        target = ", ".join(quote(meta.get_field(n).column) for n in conflict_fields)
        sets = ", ".join(
            f"{quote(meta.get_field(n).column)} = EXCLUDED.{quote(meta.get_field(n).column)}" for n in update_fields
        )
        conflict = f"ON CONFLICT ({target}) DO UPDATE SET {sets}"
    elif conflict_fields:
        conflict = f"ON CONFLICT ({', '.join(quote(meta.get_field(n).column) for n in conflict_fields)}) DO NOTHING"
    else:
        conflict = "ON CONFLICT DO NOTHING"
    tail = f" RETURNING {', '.join(quote(meta.get_field(n).column) for n in returning)}" if returning else ""
    unnest = ", ".join(f"%b::{f.db_type(connection)}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT * FROM unnest({unnest}) {conflict}{tail}"
    )
    json_columns = frozenset(i for i, f in enumerate(fields) if isinstance(f, models.JSONField))
    return sql, json_columns


def _insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict_fields: Sequence[str] | None = None,
    update_fields: Sequence[str] | None = None,
    returning: Sequence[str] | None = None,
) -> list[tuple]:
    """
    Insert ``rows`` (tuples of ``columns``, attribute names) skipping rows that break a unique constraint, or,
    with ``update_fields``, updating those fields of the existing row (constraint columns: ``conflict_fields``).
    ``returning`` columns of the inserted rows are returned (PostgreSQL and SQLite ≥ 3.35).
    """
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    if connection.vendor == "postgresql":
        sql, arrays = _insert_statement(
            model, columns, rows, conflict_fields=conflict_fields, update_fields=update_fields, returning=returning
        )
        return _execute(sql, arrays, fetch=bool(returning))
    meta = model._meta
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(f.column) for f in fields)
    if update_fields:
        target = ", ".join(quote(meta.get_field(n).column) for n in conflict_fields or ())
        sets = ", ".join(
            f"{quote(meta.get_field(n).column)} = EXCLUDED.{quote(meta.get_field(n).column)}" for n in update_fields
        )
        conflict = f"ON CONFLICT ({target}) DO UPDATE SET {sets}"
    elif conflict_fields:
        conflict = f"ON CONFLICT ({', '.join(quote(meta.get_field(n).column) for n in conflict_fields)}) DO NOTHING"
    else:
        conflict = "ON CONFLICT DO NOTHING"
    tail = f" RETURNING {', '.join(quote(meta.get_field(n).column) for n in returning)}" if returning else ""
    table = quote(meta.db_table)
    values_sql = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [f.get_db_prep_save(row[i], connection) for row in rows for i, f in enumerate(fields)]
    sql = f"INSERT INTO {table} ({column_sql}) VALUES {values_sql} {conflict}{tail}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


@lru_cache(maxsize=64)
def _select_sql(model, where: str, lock: bool, order: str):
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(model._meta.db_table)} WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    if lock:
        sql += " FOR UPDATE"
    names = [f.attname for f in fields]
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    return sql, names, json_columns


def _select(model, where: str, params: list[Any], fallback, *, lock: bool = False, order: str = "") -> list:
    """
    Rows of ``model`` as instances: on PostgreSQL one prepared statement (``where`` uses ``%b`` arrays), without
    the ORM's per-query compilation, which costs more than the query on the single-event path; elsewhere the
    ``fallback`` queryset.
    """
    if connection.vendor != "postgresql":
        return list(fallback())
    sql, names, json_columns = _select_sql(model, where, lock, order)
    return _decode(model, names, json_columns, _execute(sql, params, fetch=True))


def _decode(model, names: list[str], json_columns: list[int], rows: Iterable[tuple]) -> list:
    result = []
    for row in rows:
        if json_columns:
            row = list(row)
            for i in json_columns:
                if isinstance(row[i], str):
                    row[i] = json.loads(row[i])
        result.append(model.from_db(connection.alias, names, row))
    return result


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """Every concrete column of ``model`` but the primary key, with its default (the database sets none)."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def _insert(objs: Sequence[models.Model]) -> set[int]:
    """``_insert_rows`` for model instances (every concrete field but the primary key); returns the new ids."""
    if not objs:
        return set()
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.pre_save(obj, True) for f in fields) for obj in objs]
    returned = _insert_chunked(model, [f.attname for f in fields], rows, returning=("id",))
    return {row[0] for row in returned}


def _insert_chunked(model, columns, rows, **options) -> list[tuple]:
    """``_insert_rows`` in chunks (large on PostgreSQL, small where parameters are counted per value)."""
    size = 5000 if connection.vendor == "postgresql" else max(1, 500 // len(columns))
    returned: list[tuple] = []
    for start in range(0, len(rows), size):
        returned.extend(_insert_rows(model, columns, rows[start : start + size], **options))
    return returned


def _update(objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write ``names`` of every object in ``objs`` (already changed in memory) in one statement."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, list(names))
        return
    sql, fields = _update_sql(model, tuple(names))
    arrays = [[obj.pk for obj in objs]]
    for f in fields:
        values = [getattr(obj, f.attname) for obj in objs]
        arrays.append(_jsonify(values) if isinstance(f, models.JSONField) else values)
    _execute(sql, arrays)


@lru_cache(maxsize=64)
def _update_sql(model, names: tuple):
    pk = model._meta.pk
    fields = [model._meta.get_field(n) for n in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in fields)
    aliases = ", ".join(quote(c) for c in [pk.column, *(f.column for f in fields)])
    unnest = ", ".join(f"%b::{f.db_type(connection)}[]" for f in [pk, *fields])
    table = quote(model._meta.db_table)
    sql = (
        f"UPDATE {table} AS t SET {sets} FROM unnest({unnest}) AS u({aliases}) "  # noqa: S608
        f"WHERE t.{quote(pk.column)} = u.{quote(pk.column)}"
    )
    return sql, fields


#
# Projection
#


@dataclass
class _Event:
    index: int
    event_id: int
    prepared: PreparedEvent

    @property
    def parsed(self) -> ol.ParsedEvent:
        return self.prepared.parsed


def derived_version_label(run_id: uuid.UUID | str) -> str:
    """The label of an output version when the producer sent no ``version`` facet: stable per run."""
    return f"run-{run_id}"


def _clip_label(label: str) -> str:
    if len(label) <= MAX_LABEL:
        return label
    digest = hashlib.sha256(label.encode()).hexdigest()[:16]
    return f"{label[: MAX_LABEL - 18]}~{digest}"


def map_job_type(*, job: ol.JobRef | None, run_facets: Mapping[str, Any], outputs: Iterable[ol.DatasetRef]) -> str:
    """
    Custodian's job type for an event: ``custodian_modelDerivation`` (run, job or output facets) first, then
    ``jobType.jobType``; ``other`` when neither says.
    """
    sources: list[Mapping[str, Any]] = [run_facets, job.facets if job else {}]
    sources.extend(ref.facets for ref in outputs)
    for facets in sources:
        kind = ol.model_derivation(facets)
        if kind:
            return _JOB_TYPES.get(kind.upper(), JobType.OTHER)
    info = ol.job_type(job) if job else None
    if info and info.job_type:
        return _JOB_TYPES.get(info.job_type.strip().upper().replace("-", "_").replace(" ", "_"), JobType.OTHER)
    return JobType.OTHER


def _merge_facets(current: dict[str, Any], clock: dict[str, str], incoming: Mapping[str, Any], at: datetime) -> bool:
    """
    Replace facets of ``current`` with ``incoming`` ones unless the stored one is newer (``clock``); a facet
    with ``_deleted: true`` removes the key. ``clock`` records the time of every key seen. Returns whether
    ``current`` changed (a re-sent identical facet only moves the clock).
    """
    changed = False
    stamp = at.isoformat()
    for key, facet in incoming.items():
        seen = clock.get(key)
        if seen is not None and seen > stamp:
            continue
        if isinstance(facet, dict) and facet.get("_deleted") is True:
            if key in current:
                del current[key]
                changed = True
        elif current.get(key) != facet:
            current[key] = facet
            changed = True
        if clock.get(key) != stamp:
            clock[key] = stamp
    return changed


@dataclass
class _OutputPlan:
    run: Run
    asset: Asset
    produced_at: datetime
    named: str | None = None
    facets: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    statistics: ol.Statistics | None = None
    schema: tuple[datetime, ol.DatasetRef] | None = None
    version: AssetVersion | None = None


@dataclass
class _InputPlan:
    run: Run
    asset: Asset
    at: datetime
    named: str | None = None
    role: str | None = None
    schema: tuple[datetime, ol.DatasetRef] | None = None
    version_id: int | None = None


_COLUMN_EDGE_COLUMNS = (
    "key",
    "run_id",
    "target_id",
    "target_asset_id",
    "target_field",
    "source_id",
    "source_asset_id",
    "source_field",
    "transformation_type",
    "transformation_subtype",
    "description",
    "masking",
)


def _tag_field(row: list[Any], tag: ol.Tag) -> bool:
    """Apply a column tag to a field row ``[…, tags, pii_suggestions, …]``: PII tags become suggestions."""
    if tag.is_pii:
        entity = tag.pii_entity or "PII"
        if entity in row[6]:
            return False
        row[6] = [*row[6], entity]
        return True
    entry = {"key": tag.key, "value": tag.value}
    if entry in row[5]:
        return False
    row[5] = [*row[5], entry]
    return True


# Rows by OpenLineage identity; jobs and assets are locked (in id order) so that concurrent events merging facets into
# the same dataset or job never overwrite each other's changes.
_BY_IDENTITY = "(namespace, name) IN (SELECT * FROM unnest(%b::varchar[], %b::varchar[]))"


class _Projection:
    """One batch of new events projected with bulk reads and writes (see the module docstring)."""

    def __init__(self, *, events: list[_Event], actor: Actor) -> None:
        # eventTime order, request order among equal times: "later" below always means a later eventTime.
        self.events = sorted(events, key=lambda e: (e.parsed.event_time, e.index))
        self.actor = actor
        self.edge_runs: set[int] = set()  # runs that gained edges (announced once the writes are flushed)
        self.now = timezone.now()
        self.jobs: dict[tuple[str, str], Job] = {}
        self.jobs_by_pk: dict[int, Job] = {}
        self.job_types: dict[tuple[str, str], str] = {}
        self.assets: dict[tuple[str, str], Asset] = {}
        self.assets_by_pk: dict[int, Asset] = {}
        self.runs: dict[uuid.UUID, Run] = {}
        self.runs_by_pk: dict[int, Run] = {}
        self.history: list[tuple] = []
        self.sources: dict[str, str] = {}
        self.asset_sources: dict[int, str] = {}
        self.existing_labels: dict[int, str] = {}
        self.new_version_assets: set[int] = set()
        self.created_versions: set[int] = set()
        self.new_input_keys: set[tuple[int, int]] = set()
        self.new_output_keys: set[tuple[int, int]] = set()
        self.version_objects: dict[int, AssetVersion] = {}
        self.new_runs: set[int] = set()
        self.pre: dict[str, Any] | None = None
        self.schema_changed: set[int] = set()
        self.new_jobs: set[int] = set()
        self.new_assets: set[int] = set()
        self.cll_cache: dict[int, list[ol.ColumnLineageEntry]] = {}
        self.clocks: dict[tuple[str, int], dict[str, str]] = {}
        self.dirty_clocks: set[tuple[str, int]] = set()
        self.dirty_jobs: set[int] = set()
        self.dirty_assets: set[int] = set()
        self.dirty_runs: set[int] = set()
        self.dirty_versions: dict[int, AssetVersion] = {}
        self.outputs: dict[tuple[int, int], _OutputPlan] = {}
        self.inputs: dict[tuple[int, int], _InputPlan] = {}
        self.column_lineage: list[tuple[_Event, Run, Asset, list[ol.ColumnLineageEntry]]] = []
        self.links: set[tuple[int, int, str]] = set()
        self.summaries: dict[int, dict[str, Any]] = {}
        self.run_inputs: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)  # run → asset → (version, role)
        self.run_outputs: dict[int, dict[int, int]] = defaultdict(dict)  # run → asset → version
        self.new_inputs: list[RunInput] = []
        self.new_outputs: list[RunOutput] = []
        self.role_changes: list[tuple[int, int, str]] = []
        self.field_tags: dict[tuple[int, int], list[ol.Tag]] = {}

    # -- prefetch (PostgreSQL): every row the projection reads, in the raw insert's round trip -------------------

    _IO_SQL = (
        "SELECT 'o', io.run_id, io.version_id, v.asset_id, v.version FROM lineage_runoutput io "
        "JOIN catalog_assetversion v ON v.id = io.version_id JOIN lineage_run r ON r.id = io.run_id "
        "WHERE r.run_id = ANY(%b) UNION ALL "
        "SELECT 'i', io.run_id, io.version_id, v.asset_id, io.role FROM lineage_runinput io "
        "JOIN catalog_assetversion v ON v.id = io.version_id JOIN lineage_run r ON r.id = io.run_id "
        "WHERE r.run_id = ANY(%b)"
    )
    # One index probe per entity (unique (entity, object_id)), never a scan of every clock of a kind.
    _CLOCK_SQL = (
        "SELECT c.entity, c.object_id, c.times FROM lineage_run r "
        "JOIN lineage_facetclock c ON c.entity = 'run' AND c.object_id = r.id WHERE r.run_id = ANY(%b) "
        "UNION ALL SELECT c.entity, c.object_id, c.times FROM lineage_job j "
        "JOIN lineage_facetclock c ON c.entity = 'job' AND c.object_id = j.id "
        f"WHERE {_BY_IDENTITY.replace('(namespace, name)', '(j.namespace, j.name)')} "
        "UNION ALL SELECT c.entity, c.object_id, c.times FROM catalog_asset a "
        "JOIN lineage_facetclock c ON c.entity = 'asset' AND c.object_id = a.id "
        f"WHERE {_BY_IDENTITY.replace('(namespace, name)', '(a.namespace, a.name)')} "
        "UNION ALL SELECT c.entity, c.object_id, c.times FROM lineage_run r "
        "JOIN lineage_runoutput o ON o.run_id = r.id "
        "JOIN lineage_facetclock c ON c.entity = 'version' AND c.object_id = o.version_id WHERE r.run_id = ANY(%b)"
    )
    _STATE_SQL = (
        "SELECT s.run_id, MAX(s.event_time) FROM lineage_runstatechange s JOIN lineage_run r ON r.id = s.run_id "
        "WHERE r.run_id = ANY(%b) AND s.applied GROUP BY s.run_id"
    )

    def prefetch_statements(self) -> list[tuple[str, list[Any]]]:
        """The reads of every later phase, by natural keys, to be sent in one pipeline (see ``take_prefetched``)."""
        job_keys = sorted(self._job_refs())
        asset_keys = sorted(self._asset_lookup())
        run_ids = sorted(self._run_refs())
        field_sql, field_names, _ = _select_sql(
            Field,
            "version_id IN (SELECT o.version_id FROM lineage_runoutput o JOIN lineage_run r ON r.id = o.run_id "
            "WHERE r.run_id = ANY(%b))",
            False,
            "",
        )
        self.prefetch_shapes = {
            "jobs": _select_sql(Job, _BY_IDENTITY, True, "id"),
            "assets": _select_sql(Asset, _BY_IDENTITY, True, "id"),
            "runs": _select_sql(Run, "run_id = ANY(%b)", True, "run_id"),
            "fields": (field_sql, field_names, _select_sql(Field, "true", False, "")[2]),
        }
        shapes = self.prefetch_shapes
        return [
            (shapes["jobs"][0], [[ns for ns, _ in job_keys], [name for _, name in job_keys]]),
            (shapes["assets"][0], [[ns for ns, _ in asset_keys], [name for _, name in asset_keys]]),
            (shapes["runs"][0], [run_ids]),
            (self._IO_SQL, [run_ids, run_ids]),
            (
                self._CLOCK_SQL,
                [
                    run_ids,
                    [ns for ns, _ in job_keys],
                    [name for _, name in job_keys],
                    [ns for ns, _ in asset_keys],
                    [name for _, name in asset_keys],
                    run_ids,
                ],
            ),
            (self._STATE_SQL, [run_ids]),
            (shapes["fields"][0], [run_ids]),
        ]

    def take_prefetched(self, results: list[list[tuple]]) -> None:
        jobs, assets, runs, io, clocks, state, fields = results
        shapes = self.prefetch_shapes
        self.pre = {
            "jobs": _decode(Job, shapes["jobs"][1], shapes["jobs"][2], jobs),
            "assets": _decode(Asset, shapes["assets"][1], shapes["assets"][2], assets),
            "runs": _decode(Run, shapes["runs"][1], shapes["runs"][2], runs),
            "io": io,
            "state": dict(state),
            "fields": _decode(Field, shapes["fields"][1], shapes["fields"][2], fields),
        }
        covered = {(FacetClock.RUN, run.pk) for run in self.pre["runs"]}
        covered |= {(FacetClock.JOB, job.pk) for job in self.pre["jobs"]}
        covered |= {(FacetClock.ASSET, asset.pk) for asset in self.pre["assets"]}
        covered |= {(FacetClock.VERSION, row[2]) for row in io if row[0] == "o"}
        self.pre["clock_covered"] = covered
        self.pre["clocks"] = {
            (entity, pk): dict(json.loads(times) if isinstance(times, str) else times) for entity, pk, times in clocks
        }
        self.pre["field_versions"] = {row[2] for row in io if row[0] == "o"}

    def keep(self, events: list[_Event]) -> None:
        """Project only ``events`` (the ones whose raw row was new), in eventTime order."""
        self.events = sorted(events, key=lambda e: (e.parsed.event_time, e.index))

    def _asset_lookup(self) -> set[tuple[str, str]]:
        renamed_from = set()
        for event in self.events:
            for ref in self._event_datasets(event.parsed):
                change = ol.lifecycle_change(ref)
                if change and change.state == "RENAME" and change.previous_name:
                    renamed_from.add((change.previous_namespace or ref.namespace, change.previous_name))
        return set(self._dataset_refs()) | renamed_from

    def _run_refs(self) -> dict[uuid.UUID, tuple[str, str]]:
        """Every run the batch names (its own runs and parents) → the job it belongs to."""
        wanted: dict[uuid.UUID, tuple[str, str]] = {}
        for event in self.events:
            parsed = event.parsed
            if parsed.kind != "RunEvent" or parsed.run_id is None or parsed.job is None:
                continue
            wanted.setdefault(parsed.run_id, (parsed.job.namespace, parsed.job.name))
        for event in self.events:
            parent = ol.parent(event.parsed.run_facets, map_non_uuid_run_ids=_map_non_uuid())
            if parent is not None and parent.run_id != event.parsed.run_id:
                wanted.setdefault(parent.run_id, (parent.job_namespace, parent.job_name))
        return wanted

    # -- entry point -------------------------------------------------------------------------------------------

    def run(self) -> dict[int, dict[str, Any]]:
        with _deferred_writes():
            self._resolve_jobs()
            self._resolve_assets()
            self._resolve_runs()
            self._apply_job_types()
            self._plan_io()
            self._load_existing_io()
            self._bind_outputs()
            self._bind_inputs()
            self._write_io()
            self._write_column_lineage()
            self._load_clocks()
            self._merge_metadata()
            self._merge_run_states()
            self._write_fields()
            self._flush()
        return self._summaries()

    # -- identities ------------------------------------------------------------------------------------------------

    def _job_refs(self) -> dict[tuple[str, str], str]:
        """Every job named by the batch (event jobs and parent jobs) → the job type its events imply."""
        wanted: dict[tuple[str, str], str] = {}
        for event in self.events:
            parsed = event.parsed
            if parsed.job is not None:
                key = (parsed.job.namespace, parsed.job.name)
                job_type = map_job_type(job=parsed.job, run_facets=parsed.run_facets, outputs=parsed.outputs)
                if job_type == JobType.OTHER and any(ol.is_model(ref) for ref in parsed.outputs):
                    job_type = JobType.TRAINING
                if wanted.get(key, JobType.OTHER) == JobType.OTHER:
                    wanted[key] = job_type
            parent = ol.parent(parsed.run_facets, map_non_uuid_run_ids=_map_non_uuid())
            if parent is not None:
                wanted.setdefault((parent.job_namespace, parent.job_name), JobType.OTHER)
        return wanted

    def _resolve_jobs(self) -> None:
        wanted = self._job_refs()
        self.job_types = wanted
        if not wanted:
            return
        names = {name for _, name in wanted}
        found = (
            self.pre["jobs"]
            if self.pre is not None
            else _select(
                Job,
                _BY_IDENTITY,
                [[ns for ns, _ in sorted(wanted)], [name for _, name in sorted(wanted)]],
                lambda: Job.objects.select_for_update().filter(name__in=names).order_by("id"),
                lock=True,
                order="id",
            )
        )
        for job in found:
            if (job.namespace, job.name) in wanted:
                self.jobs[(job.namespace, job.name)] = job
        missing = sorted(key for key in wanted if key not in self.jobs)
        if missing:
            self.new_jobs = _insert(
                [
                    Job(namespace=ns, name=name, job_type=wanted[(ns, name)], created_at=self.now, updated_at=self.now)
                    for ns, name in missing
                ],
            )
            again = sorted({name for _, name in missing})
            locked = _select(
                Job,
                _BY_IDENTITY,
                [[ns for ns, _ in missing], [name for _, name in missing]],
                lambda: Job.objects.select_for_update().filter(name__in=again).order_by("id"),
                lock=True,
                order="id",
            )
            for job in locked:
                if (job.namespace, job.name) in wanted:
                    self.jobs[(job.namespace, job.name)] = job
        self.jobs_by_pk = {job.pk: job for job in self.jobs.values()}

    def _column_lineage(self, ref: ol.DatasetRef) -> list[ol.ColumnLineageEntry]:
        key = id(ref)
        if key not in self.cll_cache:
            self.cll_cache[key] = ol.column_lineage(ref)
        return self.cll_cache[key]

    def _dataset_refs(self) -> dict[tuple[str, str], bool]:
        """Every dataset the batch names → whether any reference says it is a model."""
        wanted: dict[tuple[str, str], bool] = {}

        def add(namespace: str, name: str, model: bool) -> None:
            wanted[(namespace, name)] = wanted.get((namespace, name), False) or model

        for event in self.events:
            parsed = event.parsed
            refs = [*parsed.inputs, *parsed.outputs]
            if parsed.dataset is not None:
                refs.append(parsed.dataset)
            for ref in refs:
                add(ref.namespace, ref.name, ol.is_model(ref))
            if parsed.kind == "RunEvent":
                for ref in parsed.outputs:
                    for entry in self._column_lineage(ref):
                        if len(entry.input_namespace) <= MAX_NAMESPACE and len(entry.input_name) <= MAX_NAME:
                            add(entry.input_namespace, entry.input_name, False)
        return wanted

    def _resolve_assets(self) -> None:
        wanted = self._dataset_refs()
        lookup = self._asset_lookup()
        if not lookup:
            return
        names = sorted({name for _, name in lookup})
        found = (
            self.pre["assets"]
            if self.pre is not None
            else _select(
                Asset,
                _BY_IDENTITY,
                [[ns for ns, _ in sorted(lookup)], [name for _, name in sorted(lookup)]],
                lambda: Asset.objects.select_for_update().filter(name__in=names).order_by("id"),
                lock=True,
                order="id",
            )
        )
        for asset in found:
            if (asset.namespace, asset.name) in lookup:
                self.assets[(asset.namespace, asset.name)] = asset
        missing = sorted(key for key in wanted if key not in self.assets)
        if missing:
            licence = Licence.objects.filter(spdx_id__iexact="NOASSERTION").first()
            self.new_assets = _insert(
                [
                    Asset(
                        kind=AssetKind.MODEL if wanted[key] else AssetKind.DATASET,
                        namespace=key[0],
                        name=key[1],
                        owner=self.actor.user,
                        declared_licence=licence,
                        created_at=self.now,
                        updated_at=self.now,
                    )
                    for key in missing
                ],
            )
            again = sorted({name for _, name in missing})
            locked = _select(
                Asset,
                _BY_IDENTITY,
                [[ns for ns, _ in missing], [name for _, name in missing]],
                lambda: Asset.objects.select_for_update().filter(name__in=again).order_by("id"),
                lock=True,
                order="id",
            )
            for asset in locked:
                if (asset.namespace, asset.name) in wanted and (asset.namespace, asset.name) not in self.assets:
                    self.assets[(asset.namespace, asset.name)] = asset
        for key, model in wanted.items():
            asset = self.assets.get(key)
            if model and asset is not None and asset.kind != AssetKind.MODEL:
                asset.kind = AssetKind.MODEL  # a dataset seen as a model is promoted (as asset_get_or_create does)
                self.dirty_assets.add(asset.pk)
        self.assets_by_pk = {asset.pk: asset for asset in self.assets.values()}

    def _resolve_runs(self) -> None:
        """Lock the batch's runs (creating missing ones, and placeholders for unknown parents) in run-id order."""
        wanted = self._run_refs()
        if not wanted:
            return
        ids = sorted(wanted)
        locked = (
            self.pre["runs"]
            if self.pre is not None
            else _select(
                Run,
                "run_id = ANY(%b)",
                [ids],
                lambda: Run.objects.select_for_update().filter(run_id__in=ids).order_by("run_id"),
                lock=True,
                order="run_id",
            )
        )
        for run in locked:
            if run.run_id not in wanted:
                continue
            self.runs[run.run_id] = run
        missing = [run_id for run_id in ids if run_id not in self.runs]
        if missing:
            base = _defaults(Run)
            base.update(
                state=RunState.NEW,
                origin=RunOrigin.OPENLINEAGE,
                created_by_id=self.actor.user.pk if self.actor.user is not None else None,
                facets={},
                created_at=self.now,
                updated_at=self.now,
            )
            columns = tuple(base)
            rows = []
            for run_id in missing:
                row = {**base, "run_id": run_id, "job_id": self.jobs[wanted[run_id]].pk}
                rows.append(tuple(row[c] for c in columns))
            by_id = dict(zip(missing, rows, strict=True))
            inserted = _insert_rows(Run, columns, rows, conflict_fields=("run_id",), returning=("id", "run_id"))
            for pk, returned_id in inserted:
                run_id = returned_id if isinstance(returned_id, uuid.UUID) else uuid.UUID(str(returned_id))
                run = Run(pk=pk, **dict(zip(columns, by_id[run_id], strict=True)))
                self.runs[run_id] = run
                self.new_runs.add(pk)
            lost = [run_id for run_id in missing if run_id not in self.runs]
            if lost:  # created concurrently by another transaction: wait for it and lock
                self.pre = None  # what was prefetched predates that transaction: read again from here on
                for run in Run.objects.select_for_update().filter(run_id__in=lost).order_by("run_id"):
                    self.runs[run.run_id] = run
        self.runs_by_pk = {run.pk: run for run in self.runs.values()}
        strangers = {run.job_id for run in self.runs.values()} - self.jobs_by_pk.keys()
        if strangers:  # runs recorded earlier under another job than the events name now: keep their job
            self.jobs_by_pk.update(Job.objects.in_bulk(strangers))

    def _apply_job_types(self) -> None:
        """A known job type from the events upgrades the job (never downgraded to other)."""
        for key, job_type in self.job_types.items():
            job = self.jobs.get(key)
            if job is not None and job_type != JobType.OTHER and job.job_type != job_type:
                job.job_type = job_type
                self.dirty_jobs.add(job.pk)

    # -- inputs and outputs ------------------------------------------------------------------------------------------

    @staticmethod
    def _event_datasets(parsed: ol.ParsedEvent) -> list[ol.DatasetRef]:
        refs = [*parsed.inputs, *parsed.outputs]
        if parsed.dataset is not None:
            refs.append(parsed.dataset)
        return refs

    def _plan_io(self) -> None:
        for event in self.events:
            parsed = event.parsed
            job = self.jobs.get((parsed.job.namespace, parsed.job.name)) if parsed.job else None
            if parsed.kind == "JobEvent" and job is not None:
                for ref in parsed.inputs:
                    self.links.add((job.pk, self.assets[(ref.namespace, ref.name)].pk, JobDataset.INPUT))
                for ref in parsed.outputs:
                    self.links.add((job.pk, self.assets[(ref.namespace, ref.name)].pk, JobDataset.OUTPUT))
            if parsed.kind != "RunEvent":
                continue
            run = self.runs[parsed.run_id]
            at = parsed.event_time
            for ref in parsed.outputs:
                asset = self.assets[(ref.namespace, ref.name)]
                plan = self.outputs.get((run.pk, asset.pk))
                if plan is None:
                    plan = self.outputs[(run.pk, asset.pk)] = _OutputPlan(run=run, asset=asset, produced_at=at)
                label = ol.version_label(ref)
                if label and plan.named is None:
                    plan.named = _clip_label(label)
                plan.facets.append((at, {**ref.facets, **ref.io_facets}))
                stats = ol.statistics(ref)
                if stats is not None:
                    plan.statistics = stats
                if "schema" in ref.facets:
                    plan.schema = (at, ref)  # parsed only if this event's schema wins (_write_fields)
                entries = self._column_lineage(ref)
                if entries:
                    self.column_lineage.append((event, run, asset, entries))
                    for entry in entries:
                        key = (entry.input_namespace, entry.input_name)
                        source = self.assets.get(key)
                        if source is not None and source.pk != asset.pk:
                            self._plan_input(run, source, at, None, None, None)
            for ref in parsed.inputs:
                asset = self.assets[(ref.namespace, ref.name)]
                label = ol.version_label(ref)
                self._plan_input(
                    run,
                    asset,
                    at,
                    _clip_label(label) if label else None,
                    ol.input_role(ref),
                    (at, ref) if "schema" in ref.facets else None,
                )

    def _plan_input(
        self,
        run: Run,
        asset: Asset,
        at: datetime,
        named: str | None,
        role: str | None,
        schema: tuple[datetime, ol.DatasetRef] | None,
    ) -> None:
        plan = self.inputs.get((run.pk, asset.pk))
        if plan is None:
            plan = self.inputs[(run.pk, asset.pk)] = _InputPlan(run=run, asset=asset, at=at)
        if named and plan.named is None:
            plan.named = named
        if role:
            plan.role = role
        if schema:
            plan.schema = schema

    def _load_existing_io(self) -> None:
        run_pks = {run.pk for run in self.runs.values()}
        touched = {run_pk for run_pk, _ in self.outputs} | {run_pk for run_pk, _ in self.inputs}
        run_pks = (run_pks & touched) - self.new_runs
        if not run_pks:
            return
        if self.pre is not None:
            rows = [row for row in self.pre["io"] if row[1] in run_pks]
        elif connection.vendor == "postgresql":
            rows = _execute(
                "SELECT 'o', io.run_id, io.version_id, v.asset_id, v.version FROM lineage_runoutput io "
                "JOIN catalog_assetversion v ON v.id = io.version_id WHERE io.run_id = ANY(%b) UNION ALL "
                "SELECT 'i', io.run_id, io.version_id, v.asset_id, io.role FROM lineage_runinput io "
                "JOIN catalog_assetversion v ON v.id = io.version_id WHERE io.run_id = ANY(%b)",
                [sorted(run_pks), sorted(run_pks)],
                fetch=True,
            )
        else:
            rows = [
                ("o", *row)
                for row in RunOutput.objects.filter(run_id__in=run_pks).values_list(
                    "run_id", "version_id", "version__asset_id", "version__version"
                )
            ] + [
                ("i", *row)
                for row in RunInput.objects.filter(run_id__in=run_pks).values_list(
                    "run_id", "version_id", "version__asset_id", "role"
                )
            ]
        for kind, run_pk, version_id, asset_id, text in rows:
            if kind == "o":
                self.run_outputs[run_pk][asset_id] = version_id
                self.existing_labels[version_id] = text
            else:
                self.run_inputs[run_pk][asset_id] = (version_id, text)

    def _versions_by_label(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], AssetVersion]:
        if not pairs:
            return {}
        found = {}
        assets, labels = sorted({asset for asset, _ in pairs}), sorted({label for _, label in pairs})
        qs = _select(
            AssetVersion,
            "asset_id = ANY(%b) AND version = ANY(%b)",
            [assets, labels],
            lambda: AssetVersion.objects.filter(asset_id__in=assets, version__in=labels),
        )
        for version in qs:
            if (version.asset_id, version.version) in pairs:
                found[(version.asset_id, version.version)] = version
                self.version_objects[version.pk] = version
        return found

    def _create_versions(self, rows: dict[tuple[int, str], dict[str, Any]]) -> dict[tuple[int, str], AssetVersion]:
        """Insert versions by (asset, label) in key order, tolerating concurrent creators; returns them all."""
        if not rows:
            return {}
        base = _defaults(AssetVersion)
        base.update(
            created_by_id=self.actor.user.pk if self.actor.user is not None else None,
            created_at=self.now,
            updated_at=self.now,
            facets={},
        )
        columns = tuple(base)
        values = []
        for asset_id, label in sorted(rows):
            row = {
                **base,
                "asset_id": asset_id,
                "version": label,
                "produced_at": rows[(asset_id, label)]["produced_at"],
            }
            values.append(tuple(row[c] for c in columns))
        created: dict[tuple[int, str], AssetVersion] = {}
        size = 5000 if connection.vendor == "postgresql" else 50
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            for pk, asset_id, label in _insert_rows(
                AssetVersion, columns, chunk, conflict_fields=("asset", "version"), returning=("id", "asset", "version")
            ):
                row = rows[(asset_id, label)]
                version = AssetVersion(
                    pk=pk,
                    asset_id=asset_id,
                    version=label,
                    produced_at=row["produced_at"],
                    facets={},
                    created_at=self.now,
                    updated_at=self.now,
                )
                created[(asset_id, label)] = version
                self.version_objects[pk] = version
        lost = set(rows) - created.keys()
        if lost:  # created concurrently by another transaction: read them
            created.update(self._versions_by_label(lost))
        self.new_version_assets.update(asset_id for asset_id, _ in created)
        return created

    def _bind_outputs(self) -> None:
        """One version per (run, output dataset): reuse the run's earlier one, relabel it, or create it."""
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        relabel: list[tuple[_OutputPlan, int]] = []
        for (run_pk, asset_pk), plan in self.outputs.items():
            existing = self.run_outputs[run_pk].get(asset_pk)
            derived = derived_version_label(plan.run.run_id)
            if existing is not None:
                label = self.existing_labels.get(existing)
                if plan.named and label == derived and plan.named != derived:
                    relabel.append((plan, existing))
                plan.version = AssetVersion(pk=existing, asset_id=asset_pk, version=label or "")
                continue
            label = plan.named or derived
            wanted[(asset_pk, label)] = {"produced_at": plan.produced_at, "facets": {}}
        existing_versions = self._versions_by_label(set(wanted))
        to_create = {key: row for key, row in wanted.items() if key not in existing_versions}
        created = self._create_versions(to_create)
        self.created_versions.update(v.pk for key, v in created.items() if key in to_create)
        versions = {**existing_versions, **created}
        for (run_pk, asset_pk), plan in self.outputs.items():
            if plan.version is not None:
                continue
            plan.version = versions[(asset_pk, plan.named or derived_version_label(plan.run.run_id))]
            self.run_outputs[run_pk][asset_pk] = plan.version.pk
            self.new_outputs.append(RunOutput(run_id=run_pk, version_id=plan.version.pk))
            self.new_output_keys.add((run_pk, asset_pk))
        if relabel:
            # The run's version was labelled from its run id before an event named it: take the producer's label
            # (same row, so edges stay valid) unless another version already holds that label.
            taken = self._versions_by_label({(plan.asset.pk, plan.named) for plan, _ in relabel})
            for plan, version_id in relabel:
                if (plan.asset.pk, plan.named) in taken:
                    continue
                version = AssetVersion.objects.get(pk=version_id)
                version.version = plan.named
                self.dirty_versions[version.pk] = version
                plan.version = version
        if self.new_outputs:
            _insert_chunked(RunOutput, ("run_id", "version_id"), [(o.run_id, o.version_id) for o in self.new_outputs])
        if self.new_version_assets:
            self._supersede(self.new_version_assets)

    def _supersede(self, asset_ids: set[int]) -> None:
        """Active versions with a newer non-erased version of the same asset become superseded."""
        if connection.vendor == "postgresql":
            _execute(
                "UPDATE catalog_assetversion v SET state = %s, updated_at = %s "
                "WHERE v.asset_id = ANY(%b::bigint[]) AND v.state = %s AND EXISTS ("
                "SELECT 1 FROM catalog_assetversion n WHERE n.asset_id = v.asset_id AND n.state <> %s "
                "AND (n.produced_at > v.produced_at OR (n.produced_at = v.produced_at AND n.id > v.id)))",
                [VersionState.SUPERSEDED, self.now, sorted(asset_ids), VersionState.ACTIVE, VersionState.ERASED],
            )
            return
        newer = (
            AssetVersion.objects.filter(asset_id=OuterRef("asset_id"))
            .exclude(state=VersionState.ERASED)
            .filter(
                Q(produced_at__gt=OuterRef("produced_at"))
                | Q(produced_at=OuterRef("produced_at"), id__gt=OuterRef("id"))
            )
        )
        AssetVersion.objects.filter(asset_id__in=asset_ids, state=VersionState.ACTIVE).filter(Exists(newer)).update(
            state=VersionState.SUPERSEDED, updated_at=self.now
        )

    def _bind_inputs(self) -> None:
        """Each new (run, input dataset) binds to the named version, the one current at eventTime, or a placeholder."""
        pending = [plan for key, plan in self.inputs.items() if key[1] not in self.run_inputs[key[0]]]
        named = {(plan.asset.pk, plan.named) for plan in pending if plan.named}
        by_label = self._versions_by_label(named)
        placeholders: dict[tuple[int, str], dict[str, Any]] = {}
        for plan in pending:
            if plan.named:
                version = by_label.get((plan.asset.pk, plan.named))
                if version is None:
                    placeholders.setdefault((plan.asset.pk, plan.named), {"produced_at": plan.at, "facets": {}})
                else:
                    plan.version_id = version.pk
        current = self._current_versions([plan for plan in pending if not plan.named])
        for plan in pending:
            if plan.named:
                continue
            version_id = current.get((plan.run.pk, plan.asset.pk))
            if version_id is None:
                placeholders.setdefault((plan.asset.pk, PLACEHOLDER_VERSION), {"produced_at": plan.at, "facets": {}})
            else:
                plan.version_id = version_id
        if placeholders:
            found = self._versions_by_label(set(placeholders))
            to_create = {key: row for key, row in placeholders.items() if key not in found}
            created = self._create_versions(to_create)
            self.created_versions.update(v.pk for key, v in created.items() if key in to_create)
            found.update(created)
            for plan in pending:
                if plan.version_id is None:
                    plan.version_id = found[(plan.asset.pk, plan.named or PLACEHOLDER_VERSION)].pk
            if to_create:
                self._supersede({asset for asset, _ in to_create})
        for plan in pending:
            job_type = self.jobs_by_pk[plan.run.job_id].job_type
            role = plan.role or default_input_role(version=AssetVersion(asset=plan.asset), job_type=job_type)
            if plan.version_id in self.run_outputs[plan.run.pk].values():
                continue  # a version never feeds the run that produced it
            self.run_inputs[plan.run.pk][plan.asset.pk] = (plan.version_id, role)
            self.new_inputs.append(RunInput(run_id=plan.run.pk, version_id=plan.version_id, role=role))
            self.new_input_keys.add((plan.run.pk, plan.asset.pk))
        # A role stated for an input the run already had replaces a generic one (as run_add_io does).
        for (run_pk, asset_pk), plan in self.inputs.items():
            known = self.run_inputs[run_pk].get(asset_pk)
            if plan.role and known and known[1] != plan.role and plan.role != InputRole.DATA:
                self.run_inputs[run_pk][asset_pk] = (known[0], plan.role)
                self.role_changes.append((run_pk, known[0], plan.role))

    def _current_versions(self, plans: list[_InputPlan]) -> dict[tuple[int, int], int]:
        """(run, asset) → the asset's newest non-erased version produced at or before the event, not by that run."""
        if not plans:
            return {}
        result: dict[tuple[int, int], int] = {}
        if connection.vendor == "postgresql":
            sql = """
                SELECT q.run_id, q.asset_id, v.id
                FROM unnest(%b::bigint[], %b::bigint[], %b::timestamptz[], %b::bigint[]) AS q(run_id, asset_id, at, own)
                CROSS JOIN LATERAL (
                    SELECT av.id FROM catalog_assetversion av
                    WHERE av.asset_id = q.asset_id AND av.produced_at <= q.at AND av.state <> %s AND av.id <> q.own
                    ORDER BY av.produced_at DESC, av.id DESC
                    LIMIT 1
                ) v
            """
            params = [
                [plan.run.pk for plan in plans],
                [plan.asset.pk for plan in plans],
                [plan.at for plan in plans],
                [self.run_outputs[plan.run.pk].get(plan.asset.pk, 0) for plan in plans],
                VersionState.ERASED,
            ]
            for run_pk, asset_pk, version_id in _execute(sql, params, fetch=True):
                result[(run_pk, asset_pk)] = version_id
            return result
        for plan in plans:
            own = self.run_outputs[plan.run.pk].get(plan.asset.pk, 0)
            version_id = (
                AssetVersion.objects.filter(asset_id=plan.asset.pk, produced_at__lte=plan.at)
                .exclude(state=VersionState.ERASED)
                .exclude(pk=own)
                .order_by("-produced_at", "-id")
                .values_list("pk", flat=True)
                .first()
            )
            if version_id is not None:
                result[(plan.run.pk, plan.asset.pk)] = version_id
        return result

    def _write_io(self) -> None:
        """Run inputs, edges (input × output of each touched run) and the job ↔ dataset links."""
        if self.new_inputs:
            _insert_chunked(
                RunInput, ("run_id", "version_id", "role"), [(i.run_id, i.version_id, i.role) for i in self.new_inputs]
            )
        for run_pk, version_id, role in self.role_changes:
            RunInput.objects.filter(run_id=run_pk, version_id=version_id).update(role=role)
            Edge.objects.filter(run_id=run_pk, source_id=version_id).update(role=role)
        new_in = defaultdict(set)
        for row in self.new_inputs:
            new_in[row.run_id].add(row.version_id)
        new_out = defaultdict(set)
        for row in self.new_outputs:
            new_out[row.run_id].add(row.version_id)
        edges = []
        for run_pk in set(new_in) | set(new_out):
            inputs = self.run_inputs[run_pk]
            outputs = set(self.run_outputs[run_pk].values())
            for version_id, role in inputs.values():
                targets = outputs if version_id in new_in[run_pk] else new_out[run_pk]
                edges.extend((version_id, target, run_pk, role) for target in targets if target != version_id)
        if edges:
            _insert_chunked(Edge, ("source_id", "target_id", "run_id", "role"), edges)
            self.edge_runs.update(edge[2] for edge in edges)
        for run_pk, asset_pk in self.new_input_keys:
            self.links.add((self.runs_by_pk[run_pk].job_id, asset_pk, JobDataset.INPUT))
        for run_pk, asset_pk in self.new_output_keys:
            self.links.add((self.runs_by_pk[run_pk].job_id, asset_pk, JobDataset.OUTPUT))
        if self.links:
            rows = [(job, asset, direction, self.now) for job, asset, direction in sorted(self.links)]
            _insert_chunked(JobDataset, ("job_id", "asset_id", "direction", "created_at"), rows)

    def _write_column_lineage(self) -> None:
        rows: dict[str, tuple] = {}
        for _event, run, asset, entries in self.column_lineage:
            target = self.run_outputs[run.pk].get(asset.pk)
            if target is None:
                continue
            for entry in entries:
                source_asset = self.assets.get((entry.input_namespace, entry.input_name))
                if source_asset is None:
                    continue
                if source_asset.pk == asset.pk:
                    bound = self.run_inputs[run.pk].get(asset.pk)
                    source = bound[0] if bound else target
                else:
                    bound = self.run_inputs[run.pk].get(source_asset.pk)
                    if bound is None:
                        continue
                    source = bound[0]
                values = (
                    run.pk,
                    target,
                    entry.output_field or "",
                    source,
                    entry.input_field,
                    (entry.transformation_type or "")[:32],
                    (entry.transformation_subtype or "")[:64],
                )
                key = hashlib.sha256("\x1f".join(str(v) for v in values).encode()).hexdigest()
                rows[key] = (
                    key,
                    run.pk,
                    target,
                    asset.pk,
                    values[2][:1024],
                    source,
                    source_asset.pk,
                    entry.input_field[:1024],
                    values[5],
                    values[6],
                    entry.transformation_description or "",
                    entry.masking,
                )
        if rows:
            _insert_chunked(ColumnEdge, _COLUMN_EDGE_COLUMNS, [rows[key] for key in sorted(rows)])

    # -- metadata --------------------------------------------------------------------------------------------------

    def _load_clocks(self) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in self.events:
            parsed = event.parsed
            if parsed.run_id is not None and parsed.run_facets:
                wanted[FacetClock.RUN].add(self.runs[parsed.run_id].pk)
            if parsed.job is not None and parsed.job.facets:
                wanted[FacetClock.JOB].add(self.jobs[(parsed.job.namespace, parsed.job.name)].pk)
            for ref in self._event_datasets(parsed):
                if ref.facets:
                    wanted[FacetClock.ASSET].add(self.assets[(ref.namespace, ref.name)].pk)
        for plan in self.outputs.values():
            if plan.version is not None and any(facets for _, facets in plan.facets):
                wanted[FacetClock.VERSION].add(plan.version.pk)
        fresh = {
            FacetClock.RUN: self.new_runs,
            FacetClock.JOB: self.new_jobs,
            FacetClock.ASSET: self.new_assets,
            FacetClock.VERSION: self.created_versions,
        }
        lookup: list[tuple[str, int]] = []
        for entity, ids in wanted.items():
            for object_id in ids:
                self.clocks[(entity, object_id)] = {}
            lookup.extend((entity, pk) for pk in ids - fresh[entity])  # rows created now have no clock yet
        if self.pre is not None:
            for key in lookup:
                if key in self.pre["clocks"]:
                    self.clocks[key] = dict(self.pre["clocks"][key])
            lookup = [key for key in lookup if key not in self.pre["clock_covered"]]
        if not lookup:
            return
        if connection.vendor == "postgresql":
            rows = _execute(
                "SELECT c.entity, c.object_id, c.times FROM lineage_facetclock c "
                "JOIN unnest(%b::varchar[], %b::bigint[]) AS k(entity, object_id) "
                "ON c.entity = k.entity AND c.object_id = k.object_id",
                [[e for e, _ in lookup], [pk for _, pk in lookup]],
                fetch=True,
            )
        else:
            condition = Q()
            for entity in {e for e, _ in lookup}:
                condition |= Q(entity=entity, object_id__in=[pk for e, pk in lookup if e == entity])
            rows = FacetClock.objects.filter(condition).values_list("entity", "object_id", "times")
        for entity, object_id, times in rows:
            self.clocks[(entity, object_id)] = dict(json.loads(times) if isinstance(times, str) else times)

    def _merge(self, entity: str, object_id: int, current: dict[str, Any], facets: Mapping[str, Any], at) -> bool:
        clock = self.clocks.setdefault((entity, object_id), {})
        before = dict(clock)
        changed = _merge_facets(current, clock, facets, at)
        if clock != before:
            self.dirty_clocks.add((entity, object_id))
        return changed

    def _merge_metadata(self) -> None:
        for event in self.events:
            parsed = event.parsed
            at = parsed.event_time
            if parsed.job is not None and parsed.job.facets:
                job = self.jobs[(parsed.job.namespace, parsed.job.name)]
                if self._merge(FacetClock.JOB, job.pk, job.facets, parsed.job.facets, at):
                    doc = ol.documentation(job.facets)
                    if doc is not None and job.description != doc.description:
                        job.description = doc.description
                    self.dirty_jobs.add(job.pk)
            if parsed.run_id is not None:
                run = self.runs[parsed.run_id]
                if parsed.run_facets and self._merge(FacetClock.RUN, run.pk, run.facets, parsed.run_facets, at):
                    self.dirty_runs.add(run.pk)
                parent = ol.parent(parsed.run_facets, map_non_uuid_run_ids=_map_non_uuid())
                if parent is not None and parent.run_id in self.runs and parent.run_id != run.run_id:
                    parent_pk = self.runs[parent.run_id].pk
                    if run.parent_id != parent_pk:
                        run.parent_id = parent_pk
                        self.dirty_runs.add(run.pk)
            for ref in self._event_datasets(parsed):
                self._merge_dataset(ref, at, parsed)
        self._merge_version_facets()

    def _merge_version_facets(self) -> None:
        """Output dataset (and output) facets of a run also describe the version it produced."""
        plans = [plan for plan in self.outputs.values() if plan.version is not None and any(f for _, f in plan.facets)]
        missing = {plan.version.pk for plan in plans} - self.dirty_versions.keys() - self.version_objects.keys()
        if missing:
            self.version_objects.update(AssetVersion.objects.in_bulk(missing))
        for plan in plans:
            version = self.dirty_versions.get(plan.version.pk) or self.version_objects[plan.version.pk]
            facets = dict(version.facets or {})
            schema_before = facets.get("schema")
            changed = False
            for at, incoming in plan.facets:
                if incoming and self._merge(FacetClock.VERSION, version.pk, facets, incoming, at):
                    changed = True
            stats = plan.statistics
            if stats is not None:
                if version.row_count is None and stats.row_count is not None and stats.row_count >= 0:
                    version.row_count, changed = stats.row_count, True
                if version.size_bytes is None and stats.size is not None and stats.size >= 0:
                    version.size_bytes, changed = stats.size, True
            if changed:
                version.facets = facets
                self.dirty_versions[version.pk] = version
            if facets.get("schema") != schema_before:
                self.schema_changed.add(version.pk)

    def _merge_dataset(self, ref: ol.DatasetRef, at: datetime, parsed: ol.ParsedEvent) -> None:
        asset = self.assets[(ref.namespace, ref.name)]
        previous_doc = ol.documentation(asset.facets)
        if ref.facets and self._merge(FacetClock.ASSET, asset.pk, asset.facets, ref.facets, at):
            self.dirty_assets.add(asset.pk)
            self._derive_asset_metadata(asset, previous_doc.description if previous_doc else None)
        for tag in ol.tags(ref.facets):
            if self._add_tag(asset, tag):
                self.dirty_assets.add(asset.pk)
            if tag.field:
                self.field_tags.setdefault((asset.pk, self._version_for(parsed, asset)), []).append(tag)
        source = ol.data_source(ref)
        if source is not None and source.name and source.name.strip():
            name = source.name.strip()[:255]
            self.sources.setdefault(name, (source.uri or "")[:1000])
            if asset.source_id is None:
                self.asset_sources[asset.pk] = name
        change = ol.lifecycle_change(ref)
        if change is not None:
            self._apply_lifecycle(asset, ref, change, at)

    def _version_for(self, parsed: ol.ParsedEvent, asset: Asset) -> int | None:
        """The version of ``asset`` this event is about: the run's output or input version (None for static)."""
        if parsed.run_id is None:
            return None
        run = self.runs[parsed.run_id]
        if asset.pk in self.run_outputs[run.pk]:
            return self.run_outputs[run.pk][asset.pk]
        bound = self.run_inputs[run.pk].get(asset.pk)
        return bound[0] if bound else None

    @staticmethod
    def _derive_asset_metadata(asset: Asset, previous_doc: str | None) -> None:
        """
        Owners, description and aliases follow the asset's current facets. A description typed by a person
        (anything but the previous documentation facet) is never overwritten.
        """
        asset.external_owners = [{"name": o.name, "type": o.type} for o in ol.owners(asset.facets)]
        ref = ol.DatasetRef(namespace=asset.namespace, name=asset.name, facets=asset.facets, io_facets={})
        doc = ol.documentation(asset.facets)
        if doc is not None and (not asset.description or asset.description == previous_doc):
            asset.description = doc.description
        kept = [alias for alias in asset.aliases or [] if alias.get("source") == "lifecycleStateChange"]
        symlinked = [
            {"namespace": link.namespace, "name": link.name, "type": link.type or "", "source": "symlinks"}
            for link in ol.symlinks(ref)
        ]
        asset.aliases = kept + symlinked

    @staticmethod
    def _add_tag(asset: Asset, tag: ol.Tag) -> bool:
        changed = False
        if tag.is_pii:
            suggestion = {
                "field": tag.field or "",
                "entity": tag.pii_entity or "PII",
                "tag": f"{tag.key}={tag.value}"[:200],
                "source": "openlineage",
            }
            if suggestion not in (asset.pii_suggestions or []):
                asset.pii_suggestions = [*(asset.pii_suggestions or []), suggestion]
                changed = True
        if not tag.field:
            text = f"{tag.key}:{tag.value}"[:100]
            if text not in (asset.tags or []):
                asset.tags = [*(asset.tags or []), text]
                changed = True
        return changed

    def _apply_lifecycle(self, asset: Asset, ref: ol.DatasetRef, change: ol.LifecycleChange, at: datetime) -> None:
        if change.state == "DROP":
            if asset.dropped_at is None or asset.dropped_at < at:
                asset.dropped_at = at
                self.dirty_assets.add(asset.pk)
        elif change.state in ("CREATE", "OVERWRITE") and asset.dropped_at is not None and asset.dropped_at < at:
            asset.dropped_at = None
            self.dirty_assets.add(asset.pk)
        elif change.state == "RENAME" and change.previous_name:
            previous = (change.previous_namespace or ref.namespace, change.previous_name)
            alias = {
                "namespace": previous[0],
                "name": previous[1],
                "type": "PREVIOUS_NAME",
                "source": "lifecycleStateChange",
            }
            if alias not in asset.aliases:
                asset.aliases = [*asset.aliases, alias]
                self.dirty_assets.add(asset.pk)
            old = self.assets.get(previous)
            if old is not None and old.pk != asset.pk:
                link = {
                    "namespace": asset.namespace,
                    "name": asset.name,
                    "type": "RENAMED_TO",
                    "source": "lifecycleStateChange",
                }
                if link not in old.aliases:
                    old.aliases = [*old.aliases, link]
                if old.dropped_at is None:
                    old.dropped_at = at
                self.dirty_assets.add(old.pk)
                self.assets_by_pk.setdefault(old.pk, old)

    def _merge_run_states(self) -> None:
        """Terminal-state precedence by eventTime; one history row per event that has an eventType."""
        typed = [e for e in self.events if e.parsed.run_id is not None and e.parsed.event_type]
        if not typed:
            return
        run_pks = {self.runs[e.parsed.run_id].pk for e in typed} - self.new_runs
        state_time: dict[int, datetime] = {}
        if self.pre is not None:
            state_time = {pk: at for pk, at in self.pre["state"].items() if pk in run_pks}
        elif run_pks and connection.vendor == "postgresql":
            sql = (
                "SELECT run_id, MAX(event_time) FROM lineage_runstatechange WHERE run_id = ANY(%b) AND applied "
                "GROUP BY run_id"
            )
            state_time = dict(_execute(sql, [sorted(run_pks)], fetch=True))
        elif run_pks:
            state_time = dict(
                RunStateChange.objects.filter(run_id__in=run_pks, applied=True)
                .values("run_id")
                .annotate(at=Max("event_time"))
                .values_list("run_id", "at")
            )
        for event in typed:
            parsed = event.parsed
            run = self.runs[parsed.run_id]
            at = parsed.event_time
            event_type = parsed.event_type
            current_time = state_time.get(run.pk)
            applied = conflict = False
            if event_type == "START" and (run.started_at is None or at < run.started_at):
                run.started_at = at
                self.dirty_runs.add(run.pk)
            if event_type in ("START", "RUNNING"):
                # Rule 2: a terminal state is never reopened; rule 1: an older event never replaces a newer one.
                if run.state not in TERMINAL_STATES and (current_time is None or at >= current_time):
                    run.state = _STATE_OF[event_type]
                    state_time[run.pk] = at
                    applied = True
            elif event_type in ("COMPLETE", "FAIL", "ABORT"):
                new_state = _STATE_OF[event_type]
                if run.state not in TERMINAL_STATES:
                    applied = True
                else:
                    conflict = run.state != new_state
                    applied = current_time is None or at > current_time
                if applied:
                    run.state = new_state
                    run.ended_at = at
                    state_time[run.pk] = at
            if applied:
                self.dirty_runs.add(run.pk)
            self.history.append((run.pk, event.event_id, event_type, at, applied, conflict, run.state, self.now))

    def _write_fields(self) -> None:
        """Schema facets → Field rows: output versions follow their latest schema, input versions get one if bare."""
        specs: dict[int, tuple[datetime, ol.DatasetRef, bool]] = {}
        for plan in self.outputs.values():
            if plan.schema is None or plan.version is None:
                continue
            at = plan.schema[0]
            if plan.version.pk not in self.schema_changed:
                continue  # the schema the version already has
            if self.clocks.get((FacetClock.VERSION, plan.version.pk), {}).get("schema") != at.isoformat():
                continue  # an older schema than the version's current one (a late event)
            specs[plan.version.pk] = (*plan.schema, True)
        for plan in self.inputs.values():
            if plan.schema is None:
                continue
            bound = self.run_inputs[plan.run.pk].get(plan.asset.pk)
            # An input's schema describes only a version this batch created for it (a placeholder or a named
            # version first seen as an input); a produced version's schema is its producer's.
            if bound is not None and bound[0] not in specs and bound[0] in self.created_versions:
                specs[bound[0]] = (*plan.schema, False)
        tags_by_version: dict[int, list[ol.Tag]] = defaultdict(list)
        for (_, version_id), tag_list in self.field_tags.items():
            if version_id is not None:
                tags_by_version[version_id].extend(tag_list)
        if not specs and not tags_by_version:
            return
        existing: dict[int, dict[str, Field]] = defaultdict(dict)
        to_load = (set(specs) | set(tags_by_version)) - self.created_versions
        if self.pre is not None:
            for row in self.pre["fields"]:
                if row.version_id in to_load:
                    existing[row.version_id][row.name] = row
            to_load -= self.pre["field_versions"]
        if to_load:
            ids = sorted(to_load)
            for row in _select(Field, "version_id = ANY(%b)", [ids], lambda: Field.objects.filter(version_id__in=ids)):
                existing[row.version_id][row.name] = row
        create: list[list[Any]] = []
        update: dict[int, Field] = {}
        delete: list[int] = []
        for version_id, (_at, ref, authoritative) in specs.items():
            known = existing[version_id]
            if known and not authoritative:
                continue
            fields = ol.schema_fields(ref)
            if not fields:
                continue
            names = set()
            new_rows: dict[str, list[Any]] = {}
            for item in fields:
                name = item.name[:1024]
                names.add(name)
                data_type, description, ordinal = (item.type or "")[:255], item.description or "", max(item.ordinal, 0)
                row = known.get(name)
                if row is None:
                    if name not in new_rows:
                        new_rows[name] = [version_id, name, data_type, ordinal, description, [], [], []]
                elif (row.data_type, row.description, row.ordinal) != (data_type, description, ordinal):
                    row.data_type, row.description, row.ordinal = data_type, description, ordinal
                    update[row.pk] = row
            for tag in tags_by_version.pop(version_id, []):
                target = new_rows.get(tag.field or "")
                if target is not None:
                    _tag_field(target, tag)
            create.extend(new_rows.values())
            for name, row in list(known.items()):
                if name not in names and not row.pii_entities:
                    delete.append(row.pk)
                    del known[name]
        for version_id, tag_list in tags_by_version.items():
            for tag in tag_list:
                row = existing[version_id].get(tag.field or "")
                if row is not None:
                    values = [None, None, None, None, None, row.tags, row.pii_suggestions, None]
                    if _tag_field(values, tag):
                        row.tags, row.pii_suggestions = values[5], values[6]
                        update[row.pk] = row
        if delete:
            Field.objects.filter(pk__in=delete).delete()
        if create:
            columns = (
                "version_id",
                "name",
                "data_type",
                "ordinal",
                "description",
                "tags",
                "pii_suggestions",
                "pii_entities",
            )
            _insert_chunked(Field, columns, [tuple(row) for row in create])
        if update:
            _update(list(update.values()), ["data_type", "description", "ordinal", "tags", "pii_suggestions"])

    # -- writes ----------------------------------------------------------------------------------------------------

    def _flush(self) -> None:
        self.now = timezone.now()  # bulk_create stamped created/updated with the time of the insert; stay after it
        if self.sources:
            self._write_sources()
        if self.dirty_runs:
            runs = [self.runs_by_pk[pk] for pk in sorted(self.dirty_runs)]
            for run in runs:
                run.updated_at = self.now
            _update(runs, ["state", "started_at", "ended_at", "facets", "parent", "updated_at"])
        if self.dirty_jobs:
            jobs = [self.jobs_by_pk[pk] for pk in sorted(self.dirty_jobs)]
            for job in jobs:
                job.updated_at = self.now
            _update(jobs, ["job_type", "facets", "description", "updated_at"])
        if self.dirty_assets:
            assets = [self.assets_by_pk[pk] for pk in sorted(self.dirty_assets)]
            for asset in assets:
                asset.updated_at = self.now
            _update(
                assets,
                [
                    "kind",
                    "facets",
                    "external_owners",
                    "description",
                    "tags",
                    "pii_suggestions",
                    "aliases",
                    "dropped_at",
                    "source",
                    "updated_at",
                ],
            )
        if self.dirty_versions:
            versions = [self.dirty_versions[pk] for pk in sorted(self.dirty_versions)]
            for version in versions:
                version.updated_at = self.now
            _update(versions, ["version", "facets", "row_count", "size_bytes", "updated_at"])
        if self.dirty_clocks:
            _insert_chunked(
                FacetClock,
                ("entity", "object_id", "times"),
                [(entity, pk, self.clocks[(entity, pk)]) for entity, pk in sorted(self.dirty_clocks)],
                conflict_fields=("entity", "object_id"),
                update_fields=("times",),
            )
        if self.history:
            columns = (
                "run_id",
                "event_id",
                "event_type",
                "event_time",
                "applied",
                "conflict",
                "state_after",
                "recorded_at",
            )
            _insert_chunked(RunStateChange, columns, self.history)

    def _write_sources(self) -> None:
        names = set(self.sources)
        found = {source.name: source for source in Source.objects.filter(name__in=names)}
        missing = sorted(names - found.keys())
        if missing:
            Source.objects.bulk_create(
                [
                    Source(
                        name=name,
                        kind=SourceKind.INTERNAL_SYSTEM,
                        uri=self.sources[name] or "",
                        description="Reported by an OpenLineage dataSource facet.",
                        created_at=self.now,
                        updated_at=self.now,
                    )
                    for name in missing
                ],
            )
            found.update({source.name: source for source in Source.objects.filter(name__in=missing)})
        for asset_pk, name in self.asset_sources.items():
            source = found.get(name)
            asset = self.assets_by_pk[asset_pk]
            if source is not None and asset.source_id is None:
                asset.source_id = source.pk
                self.dirty_assets.add(asset_pk)

    # -- audit -----------------------------------------------------------------------------------------------------

    def _summaries(self) -> dict[int, dict[str, Any]]:
        summaries = {}
        for event in self.events:
            parsed = event.parsed
            summary: dict[str, Any] = {
                "kind": parsed.kind,
                "event_type": parsed.event_type or "",
                "event_time": parsed.event_time.isoformat(),
                "content_hash": event.prepared.content_hash,
                "producer": (parsed.producer or "")[:500],
            }
            if parsed.job is not None:
                summary["job"] = f"{parsed.job.namespace}/{parsed.job.name}"
            if parsed.run_id is not None:
                run = self.runs[parsed.run_id]
                summary["run_id"] = str(parsed.run_id)
                summary["run_state"] = run.state
                summary["inputs"] = sorted(
                    self.run_inputs[run.pk][self.assets[(r.namespace, r.name)].pk][0]
                    for r in parsed.inputs
                    if self.assets[(r.namespace, r.name)].pk in self.run_inputs[run.pk]
                )
                summary["outputs"] = sorted(
                    self.run_outputs[run.pk][self.assets[(r.namespace, r.name)].pk]
                    for r in parsed.outputs
                    if self.assets[(r.namespace, r.name)].pk in self.run_outputs[run.pk]
                )
            summary["datasets"] = [f"{r.namespace}/{r.name}" for r in self._event_datasets(parsed)][:50]
            summaries[event.event_id] = summary
        return summaries
