"""
The scan engine: what one partition of a source yields, how partial results merge, which columns feed the
subject-key index and how their values become keyed digests.

No database writes here (``compliance.services`` records outcomes); the functions run in web processes, Celery
workers and the ``scan`` command alike. Partial results that travel between workers hold sampled values, so they
are sealed (encrypted and authenticated) with a key derived from ``SECRET_KEY`` before they leave the process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from catalog.profiling import ProfileAccumulator
from catalog.readers import SourceReadError, open_source, plan_partitions, read_partition
from compliance.identifiers import IdentifierKind, identifier_kind_for_entity, subject_digests
from compliance.pii.classifier import ColumnSampler, ColumnVerdict, classify_columns

__all__ = (
    "CUSTOMER_ID_HEADER",
    "IndexColumn",
    "PartitionResult",
    "ScanOutcome",
    "classify_partials",
    "digest_partition",
    "open_partitions",
    "sample_partition",
    "seal",
    "subject_key",
    "unseal",
)

# Rows per DataFrame chunk inside a partition (bounded memory); partition size is CUSTODIAN_SCAN_PARTITION_ROWS.
CHUNK_ROWS = 50_000
# Headers of id-like columns indexed as customer ids in full mode ("customer_id", "clientNo", "user-ref" …).
CUSTOMER_ID_HEADER = re.compile(
    r"(?i)^(?:customer|client|user|account|member|subscriber|patient|employee|person|contact)[\s_\-]?"
    r"(?:id|no|nr|num|number|ref|reference|key)$"
)
# Emails inside free text are indexed in full mode (the cheap, exact extractor; other kinds need a column).
EMAIL_IN_TEXT = r"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})"
ProgressCallback = Callable[[int], None]


def subject_key() -> bytes:
    """The HMAC key for subject digests (``CUSTODIAN_SUBJECT_KEY``)."""
    key = settings.CUSTODIAN_SUBJECT_KEY
    if not key:
        raise RuntimeError("CUSTODIAN_SUBJECT_KEY is not set")
    return key.encode()


def _fernet() -> Fernet:
    derived = hashlib.sha256(b"custodian-scan-partials:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(payload: Mapping[str, Any]) -> str:
    """Encrypt and authenticate a partial result for the trip through the broker / result backend."""
    return _fernet().encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    """Open a sealed partial result; raises ``ValueError`` if it was tampered with or sealed under another key."""
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("a partial scan result failed authentication") from exc


#
# Partitions
#
def open_partitions(*, location: str, filename: str = "", query: str = "", format: str = "") -> dict[str, Any]:
    """
    Look at a source once: its format, columns, estimated rows, size and content hash, and its partitions.

    Raises ``SourceReadError`` with a one-line reason (empty file, no columns, undecodable, cannot connect …).
    """
    options = {"format": format or None, "filename": filename or None, "query": query or None}
    with open_source(location, **options) as reader:
        columns = list(reader.columns)
        if not columns:
            raise SourceReadError("source has no columns")
        facts = {
            "format": reader.format,
            "columns": columns,
            "rows_estimate": reader.estimated_rows(),
            "size_bytes": reader.size_bytes,
            "content_hash": _prefixed(reader.content_hash()),
        }
    target = settings.CUSTODIAN_SCAN_PARTITION_ROWS
    facts["partitions"] = plan_partitions(location, target_rows=target, **options)
    return facts


def _prefixed(digest: str | None) -> str | None:
    """Content hashes are stored as ``sha256:<hex>`` (as for uploads)."""
    return f"sha256:{digest}" if digest and ":" not in digest else digest


@dataclass
class PartitionResult:
    """What one partition yields in the first pass: a sample of distinct values and a profile, both mergeable."""

    rows: int
    sampler: ColumnSampler
    profile: ProfileAccumulator
    seconds: float = 0.0

    def to_payload(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "sampler": self.sampler.to_state(),
            "profile": self.profile.to_state(),
            "seconds": self.seconds,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PartitionResult:
        return cls(
            rows=int(payload["rows"]),
            sampler=ColumnSampler.from_state(payload["sampler"]),
            profile=ProfileAccumulator.from_state(payload["profile"]),
            seconds=float(payload.get("seconds", 0.0)),
        )


def _chunks(descriptor: Mapping[str, Any], *, location: str | None) -> Iterator[pd.DataFrame]:
    descriptor = dict(descriptor)
    if location is not None:
        descriptor["location"] = location
    return read_partition(descriptor, chunk_rows=CHUNK_ROWS)


def sample_partition(
    descriptor: Mapping[str, Any], *, location: str | None = None, progress: ProgressCallback | None = None
) -> PartitionResult:
    """
    First pass over one partition: rows counted, distinct values sampled per column, quality profiled.

    ``location`` overrides the descriptor's (a secret location is not kept in stored descriptors). Raises
    ``SourceReadError``.
    """
    started = time.perf_counter()
    # CSV/TSV cells arrive as text exactly as written; other formats carry their own types.
    text_source = descriptor.get("format") in ("csv", "tsv")
    sampler, profile, rows = ColumnSampler(), ProfileAccumulator(infer_text_types=text_source), 0
    for chunk in _chunks(descriptor, location=location):
        sampler.update(chunk)
        profile.update(chunk)
        rows += len(chunk)
        if progress:
            progress(len(chunk))
    return PartitionResult(rows=rows, sampler=sampler, profile=profile, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class IndexColumn:
    """A column whose values go into the subject-key index, as ``kind``; ``extract`` pulls emails out of text."""

    name: str
    ordinal: int
    kind: str
    extract: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ordinal": self.ordinal, "kind": self.kind, "extract": self.extract}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndexColumn:
        return cls(name=data["name"], ordinal=int(data["ordinal"]), kind=data["kind"], extract=bool(data["extract"]))


@dataclass
class ScanOutcome:
    """The merged first pass: verdicts per column, the profile (PII ranges suppressed) and the index plan."""

    rows: int
    verdicts: list[ColumnVerdict]
    profile: dict[str, Any]
    index_plan: list[IndexColumn]
    timings: dict[str, float] = field(default_factory=dict)

    def columns_document(self) -> list[dict[str, Any]]:
        return [v.to_dict() for v in self.verdicts]


def _index_plan(verdicts: list[ColumnVerdict], columns: list[str], *, full: bool) -> list[IndexColumn]:
    plan: list[IndexColumn] = []
    for verdict in verdicts:
        ordinal = columns.index(verdict.name) if verdict.name in columns else 0
        kinds = [identifier_kind_for_entity(e.type) for e in verdict.entities]
        if verdict.verdict == "IS" and kinds and kinds[0] is not None:
            # Emails are pulled out of each cell, so a mostly-email column's "n/a" or prose is never indexed.
            extract = kinds[0] == IdentifierKind.EMAIL
            plan.append(IndexColumn(name=verdict.name, ordinal=ordinal, kind=kinds[0].value, extract=extract))
        elif full and CUSTOMER_ID_HEADER.match(verdict.name.strip()):
            plan.append(IndexColumn(name=verdict.name, ordinal=ordinal, kind=IdentifierKind.CUSTOMER_ID.value))
        elif full and verdict.verdict == "CONTAINS" and IdentifierKind.EMAIL in kinds:
            plan.append(IndexColumn(name=verdict.name, ordinal=ordinal, kind=IdentifierKind.EMAIL.value, extract=True))
    return plan


def _suppress_pii_ranges(profile: dict[str, Any], verdicts: list[ColumnVerdict]) -> dict[str, Any]:
    """Drop min/max of personal-data columns: a date-of-birth column's minimum is somebody's birthday."""
    personal = {v.name for v in verdicts if v.verdict != "NONE"}
    for name, column in profile.get("columns", {}).items():
        if name in personal:
            for key in ("min", "max"):
                if key in column:
                    column[key] = None
            column["ranges_suppressed"] = True
    return profile


def classify_partials(partials: Iterable[PartitionResult], *, columns: list[str], full: bool) -> ScanOutcome:
    """Merge partition results (any order gives the same answer), classify every column, plan the index."""
    partials = list(partials)
    if not partials:
        raise SourceReadError("source has no rows")
    sampler, profile = partials[0].sampler, partials[0].profile
    for other in partials[1:]:
        sampler.merge(other.sampler)
        profile.merge(other.profile)
    rows = sum(p.rows for p in partials)
    started = time.perf_counter()
    samples = sampler.samples()
    ordered = [samples[name] for name in columns if name in samples]
    verdicts = classify_columns(ordered)
    classify_seconds = time.perf_counter() - started
    merged_profile = _suppress_pii_ranges(profile.result(), verdicts)
    return ScanOutcome(
        rows=rows,
        verdicts=verdicts,
        profile=merged_profile,
        index_plan=_index_plan(verdicts, columns, full=full),
        timings={"read_and_sample": round(sum(p.seconds for p in partials), 3), "classify": round(classify_seconds, 3)},
    )


def _column_values(series: pd.Series, column: IndexColumn) -> list[str]:
    text = series.dropna().astype(str)
    values = text.str.findall(EMAIL_IN_TEXT).explode().dropna() if column.extract else text
    values = values.str.strip()
    values = values[values != ""]
    return list(pd.unique(values.to_numpy(dtype=object)))


def digest_partition(
    descriptor: Mapping[str, Any],
    plan: Iterable[IndexColumn],
    *,
    location: str | None = None,
    progress: ProgressCallback | None = None,
) -> dict[bytes, tuple[str, int]]:
    """
    Second pass over one partition: the keyed digests of the planned columns' normalised values.

    Returns ``{digest bytes: (kind, column ordinal)}``, deduplicated within the partition. Values that normalise to
    nothing (a phone column's "n/a") are skipped. The identifiers themselves never leave this function.
    """
    plan = list(plan)
    key = subject_key()
    found: dict[bytes, tuple[str, int]] = {}
    for chunk in _chunks(descriptor, location=location):
        for column in plan:
            if column.name not in chunk.columns:
                continue
            values = _column_values(chunk[column.name], column)
            for digest in subject_digests(column.kind, values, key=key, skip_empty=True):
                found.setdefault(bytes.fromhex(digest), (column.kind, column.ordinal))
        if progress:
            progress(len(chunk))
    return found
