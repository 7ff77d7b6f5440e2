"""
OpenLineage event validation: a strict core with lenient edges (Custodian's OpenLineage reference, §6).

Violations (the endpoint answers ``422``):

- the event is not a JSON object, or its kind cannot be determined;
- ``run`` / ``job`` / ``dataset`` missing as the kind requires, or not objects; a JobEvent carrying ``run``; a
  DatasetEvent carrying both ``run`` and ``job``;
- job or dataset (including every input and output) without a non-empty string ``namespace`` and ``name``;
- ``run.runId`` missing or not a UUID (``map_non_uuid_run_ids=True`` maps it to a name-based uuid5 instead, as
  Marquez maps such ids; the default rejects, because a mapped id silently merges unrelated runs that share
  the same text);
- ``eventType`` present but not START, RUNNING, COMPLETE, ABORT, FAIL or OTHER; ``eventTime`` missing or not an
  ISO 8601 date-time; ``producer``/``schemaURL`` present but not strings; ``inputs``/``outputs`` not arrays;
  facet containers (``facets``, ``inputFacets``, ``outputFacets``) not objects;
- a standard **run or job** facet that breaks the required fields or types of its facet schema, e.g. a
  ``parent`` facet without ``run.runId`` (path ``run.facets.parent.run.runId``).

Accepted (at most a warning): missing ``schemaURL``/``producer``; missing ``eventType``; ``eventTime`` without an
offset (read as UTC) or with more than microsecond precision (truncated); non-URI strings in URI fields; unicode;
large events; optional fields sent as ``null``; standard facets without ``_producer``/``_schemaURL``; the
malformed tags shape of the OpenLineage docs (``facets: {"_producer": …, "tags": [...]}``); any problem in a
**dataset**, input or output facet, in the experimental job ``lineage`` facet or in Custodian's own custom
facets; unknown and custom facets are never checked.

Pure functions: no Django, no settings, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal, get_args

from lineage.openlineage.facet_rules import (
    CUSTODIAN_FACET_RULES,
    EXPERIMENTAL_FACETS,
    FACET_RULES,
    FacetLocation,
    Finding,
    check_facet,
    coerce_run_id,
    join_path,
    json_type,
    run_id_from_text,
)

__all__ = (
    "EVENT_TYPES",
    "EventKind",
    "ValidationResult",
    "Violation",
    "event_kind",
    "parse_event_time",
    "validate_event",
)

EventKind = Literal["RunEvent", "DatasetEvent", "JobEvent"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
EVENT_TYPES: tuple[str, ...] = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
"""The RunEvent ``eventType`` values of the spec."""

_STRICT_LOCATIONS: frozenset[FacetLocation] = frozenset({"run", "job"})
_DELETABLE_LOCATIONS: frozenset[FacetLocation] = frozenset({"job", "dataset", "input", "output"})


@dataclass(frozen=True, slots=True)
class Violation:
    """
    One problem found in an event.

    ``path`` is a JSON path into the event (``run.runId``, ``job.facets.jobType.processingType``,
    ``inputs[0].facets.schema.fields[2].name``; empty for the event itself). ``code`` classifies it:
    ``required``, ``type``, ``empty``, ``enum``, ``format`` (not a UUID / not a date-time), ``kind``,
    ``forbidden``, ``shape`` (tolerated oddities) or ``missing`` (optional but expected, warnings only).
    """

    path: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path} {self.message}" if self.path else self.message

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form for an error response: ``{"path", "message", "code"}``."""
        return {"path": self.path, "message": self.message, "code": self.code}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """
    Outcome of ``validate_event``: the event kind (``None`` when undeterminable), violations and warnings.

    ``ok`` is true when there are no violations; warnings never make an event invalid.
    """

    kind: EventKind | None
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the event may be stored."""
        return not self.violations

    def reason(self, *, limit: int = 3) -> str:
        """A one-line summary of the first ``limit`` violations, e.g. for a batch report's ``reason``."""
        shown = "; ".join(str(violation) for violation in self.violations[:limit])
        extra = len(self.violations) - limit
        return f"{shown}; and {extra} more" if extra > 0 else shown

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for a ``422`` body: kind, violations and warnings as path/message/code objects."""
        return {
            "kind": self.kind,
            "violations": [violation.to_dict() for violation in self.violations],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }


#
# Kind discrimination
#


def _declared_kind(payload: Mapping[str, Any]) -> EventKind | None:
    schema_url = payload.get("schemaURL")
    if not isinstance(schema_url, str):
        return None
    fragment = schema_url.rstrip("/").rsplit("/", 1)[-1]
    return fragment if fragment in EVENT_KINDS else None  # type: ignore[return-value]


def _structural_kind(payload: Mapping[str, Any]) -> EventKind | None:
    if "run" in payload:
        return "RunEvent"
    if "dataset" in payload and "job" not in payload:
        return "DatasetEvent"
    if "job" in payload:
        return "JobEvent"
    return None


def event_kind(payload: Any) -> EventKind | None:
    """
    The kind of an OpenLineage event: ``"RunEvent"``, ``"DatasetEvent"``, ``"JobEvent"`` or ``None``.

    First the ``schemaURL`` segment after the last ``/`` (``…#/$defs/RunEvent`` and ``…#/definitions/RunEvent``
    alike); when that is absent or names no event kind, the structure: ``run`` → RunEvent; ``dataset`` without
    ``run``/``job`` → DatasetEvent; ``job`` without ``run`` → JobEvent. Marquez treats every unknown as a
    RunEvent; here an event with none of ``run``, ``job``, ``dataset`` has no kind.
    """
    if not isinstance(payload, dict):
        return None
    return _declared_kind(payload) or _structural_kind(payload)


#
# Time
#

_DATETIME_RE = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    [Tt\ ]
    (?P<hour>\d{2}):(?P<minute>\d{2})
    (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
    \s*
    (?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    (?:\[[^\]]+\])?   # a Java ZonedDateTime region suffix such as [Europe/Berlin]
    """,
    re.VERBOSE,
)


def parse_event_time(value: str) -> datetime:
    """
    Parse an OpenLineage ``eventTime`` into an aware UTC ``datetime``.

    Accepts ISO 8601 / RFC 3339 date-times with ``T``, ``t`` or a space, optional seconds, any number of
    fractional digits (nanoseconds are truncated to microseconds), ``Z`` or a ``±HH[:MM]`` offset; no offset
    means UTC. Raises ``ValueError`` for anything else (including a date without a time).
    """
    match = _DATETIME_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "").ljust(6, "0")[:6]
    tz = _parse_offset(parts["offset"])
    parsed = datetime(
        int(parts["year"]),
        int(parts["month"]),
        int(parts["day"]),
        int(parts["hour"]),
        int(parts["minute"]),
        int(parts["second"] or 0),
        int(fraction),
        tzinfo=tz,
    )
    return parsed.astimezone(UTC)


def _parse_offset(text: str | None) -> timezone:
    if not text or text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset: {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


#
# Validation
#


@dataclass(slots=True)
class _Collector:
    map_non_uuid_run_ids: bool
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)

    def violation(self, path: str, message: str, code: str) -> None:
        self.violations.append(Violation(path=path, message=message, code=code))

    def warning(self, path: str, message: str, code: str) -> None:
        self.warnings.append(Violation(path=path, message=message, code=code))

    def report(self, path: str, message: str, code: str, *, strict: bool) -> None:
        (self.violation if strict else self.warning)(path, message, code)


def validate_event(payload: Any, *, map_non_uuid_run_ids: bool = False) -> ValidationResult:
    """
    Validate one decoded OpenLineage event (see the module docstring for exactly what is strict and lenient).

    ``map_non_uuid_run_ids``: accept a ``run.runId`` (and parent/root run ids) that is not a UUID, recording a
    warning with the uuid5 it maps to. Off by default. Never raises for any JSON value.
    """
    if not isinstance(payload, dict):
        return ValidationResult(
            kind=None,
            violations=[
                Violation(path="", message=f"event must be a JSON object (got {json_type(payload)})", code="type")
            ],
        )
    kind = event_kind(payload)
    out = _Collector(map_non_uuid_run_ids=map_non_uuid_run_ids)
    try:
        _validate(payload, kind, out)
    except RecursionError:
        out.violation("", "event is nested too deeply", "type")
    return ValidationResult(kind=kind, violations=out.violations, warnings=out.warnings)


def _validate(payload: dict[str, Any], kind: EventKind | None, out: _Collector) -> None:
    declared = _declared_kind(payload)
    schema_url = payload.get("schemaURL")
    if kind is None:
        out.violation(
            "",
            "cannot determine the event kind: schemaURL names no RunEvent, DatasetEvent or JobEvent "
            "and the event has no run, job or dataset",
            "kind",
        )
    elif declared is None and schema_url is not None:
        out.warning("schemaURL", f"names no event kind; treated as a {kind} by its structure", "shape")

    _validate_base(payload, kind, out)
    if kind == "RunEvent":
        _validate_run(payload, out)
        _validate_job(payload, out)
        _validate_io(payload, out)
    elif kind == "JobEvent":
        if payload.get("run") is not None:
            out.violation("run", "is not allowed on a JobEvent", "forbidden")
        _validate_job(payload, out)
        _validate_io(payload, out)
    elif kind == "DatasetEvent":
        if payload.get("run") is not None and payload.get("job") is not None:
            out.violation("", "a DatasetEvent must not carry both run and job", "forbidden")
        _validate_dataset(payload.get("dataset"), "dataset", None, out)


def _validate_base(payload: dict[str, Any], kind: EventKind | None, out: _Collector) -> None:
    event_time = payload.get("eventTime")
    if event_time is None:
        out.violation("eventTime", "is required", "required")
    elif not isinstance(event_time, str):
        out.violation("eventTime", f"must be a string (got {json_type(event_time)})", "type")
    else:
        try:
            parse_event_time(event_time)
        except ValueError:
            out.violation("eventTime", f"is not an ISO 8601 date-time: {event_time!r}", "format")
        else:
            if not _has_offset(event_time):
                out.warning("eventTime", "has no UTC offset; read as UTC", "shape")

    for key in ("producer", "schemaURL"):
        value = payload.get(key)
        if value is None:
            out.warning(key, "is missing", "missing")
        elif not isinstance(value, str):
            out.violation(key, f"must be a string (got {json_type(value)})", "type")

    event_type = payload.get("eventType")
    if event_type is None:
        if kind == "RunEvent":
            out.warning("eventType", "is missing; the event changes no run state", "missing")
    elif not isinstance(event_type, str):
        out.violation("eventType", f"must be a string (got {json_type(event_type)})", "type")
    elif event_type not in EVENT_TYPES:
        out.violation("eventType", f"must be one of {', '.join(EVENT_TYPES)} (got {event_type!r})", "enum")
    elif kind != "RunEvent":
        out.warning("eventType", f"is ignored on a {kind}", "shape")


def _has_offset(value: str) -> bool:
    match = _DATETIME_RE.fullmatch(value.strip())
    return bool(match and match.group("offset"))


def _require_object(value: Any, path: str, out: _Collector) -> bool:
    if value is None:
        out.violation(path, "is required", "required")
        return False
    if not isinstance(value, dict):
        out.violation(path, f"must be an object (got {json_type(value)})", "type")
        return False
    return True


def _require_name(container: dict[str, Any], key: str, path: str, out: _Collector) -> None:
    value = container.get(key)
    item_path = join_path(path, key)
    if value is None:
        out.violation(item_path, "is required", "required")
    elif not isinstance(value, str):
        out.violation(item_path, f"must be a string (got {json_type(value)})", "type")
    elif not value.strip():
        out.violation(item_path, "must not be empty", "empty")


def _validate_run(payload: dict[str, Any], out: _Collector) -> None:
    run = payload.get("run")
    if not _require_object(run, "run", out):
        return
    run_id = run.get("runId")
    if run_id is None:
        out.violation("run.runId", "is required", "required")
    elif not isinstance(run_id, str):
        out.violation("run.runId", f"must be a string (got {json_type(run_id)})", "type")
    elif coerce_run_id(run_id, map_non_uuid=False) is None:
        if out.map_non_uuid_run_ids and run_id.strip():
            out.warning("run.runId", f"is not a UUID: {run_id!r}; mapped to {run_id_from_text(run_id)}", "format")
        else:
            out.violation("run.runId", f"is not a UUID: {run_id!r}", "format")
    _validate_facets(run.get("facets"), "run.facets", "run", out)


def _validate_job(payload: dict[str, Any], out: _Collector) -> None:
    job = payload.get("job")
    if not _require_object(job, "job", out):
        return
    _require_name(job, "namespace", "job", out)
    _require_name(job, "name", "job", out)
    _validate_facets(job.get("facets"), "job.facets", "job", out)


def _validate_io(payload: dict[str, Any], out: _Collector) -> None:
    for key, location, io_key in (("inputs", "input", "inputFacets"), ("outputs", "output", "outputFacets")):
        datasets = payload.get(key)
        if datasets is None:
            continue
        if not isinstance(datasets, list):
            out.violation(key, f"must be an array (got {json_type(datasets)})", "type")
            continue
        for index, dataset in enumerate(datasets):
            _validate_dataset(dataset, join_path(key, index), (location, io_key), out)


def _validate_dataset(
    dataset: Any,
    path: str,
    io: tuple[FacetLocation, str] | None,
    out: _Collector,
) -> None:
    if not _require_object(dataset, path, out):
        return
    _require_name(dataset, "namespace", path, out)
    _require_name(dataset, "name", path, out)
    _validate_facets(dataset.get("facets"), join_path(path, "facets"), "dataset", out)
    if io is not None:
        location, io_key = io
        _validate_facets(dataset.get(io_key), join_path(path, io_key), location, out)


def _validate_facets(facets: Any, path: str, location: FacetLocation, out: _Collector) -> None:
    """Check a facet container; run/job facet problems are violations, dataset-side ones warnings."""
    if facets is None:
        return
    if not isinstance(facets, dict):
        out.violation(path, f"must be an object (got {json_type(facets)})", "type")
        return
    strict_location = location in _STRICT_LOCATIONS
    for key, facet in facets.items():
        facet_path = join_path(path, key)
        strict = strict_location and (location, key) not in EXPERIMENTAL_FACETS and key not in CUSTODIAN_FACET_RULES
        known = (location, key) in FACET_RULES or key in CUSTODIAN_FACET_RULES
        if key.startswith("_"):
            # Base-facet fields placed directly under "facets" (the docs' malformed tags example): tolerated.
            continue
        if key == "tags" and isinstance(facet, list):
            out.warning(facet_path, "is a bare list (malformed tags shape); read as the facet's tags", "shape")
            _report(check_facet(location=location, key=key, facet={"tags": facet}, path=path), out, strict=strict)
            continue
        if not isinstance(facet, dict):
            message = f"must be an object (got {json_type(facet)})"
            out.report(facet_path, message, "type", strict=strict and known)
            continue
        deleted = facet.get("_deleted")
        if deleted is not None:
            if not isinstance(deleted, bool):
                deletable_strict = strict and location in _DELETABLE_LOCATIONS
                out.report(join_path(facet_path, "_deleted"), "must be a boolean", "type", strict=deletable_strict)
            elif location not in _DELETABLE_LOCATIONS:
                out.warning(join_path(facet_path, "_deleted"), f"is not defined for {location} facets", "shape")
            if deleted is True:
                continue
        if not known:
            continue
        for base_field in ("_producer", "_schemaURL"):
            if facet.get(base_field) is None:
                out.warning(join_path(facet_path, base_field), "is missing", "missing")
        findings = check_facet(
            location=location,
            key=key,
            facet=facet,
            path=facet_path,
            map_non_uuid_run_ids=out.map_non_uuid_run_ids,
        )
        _report(findings, out, strict=strict)


def _report(findings: list[Finding], out: _Collector, *, strict: bool) -> None:
    for finding in findings:
        out.report(finding.path, finding.message, finding.code, strict=strict)
