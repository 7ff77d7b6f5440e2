"""
Streaming, mergeable data-quality profile, computed chunk by chunk in the same pass as a scan.

    profile = ProfileAccumulator(infer_text_types=reader.values_are_text)
    for chunk in reader.iter_chunks():
        profile.update(chunk)
    profile.result()
    # {"rows": 1000, "duplicate_rows": 3, "duplicate_rows_is_estimate": False,
    #  "columns": {"age": {"type": "integer", "nulls": 2, "null_rate": 0.002, "distinct": 71,
    #                      "distinct_is_estimate": False, "min": 18, "max": 89}, …}}

Partitions read by different workers each fill an accumulator; ``to_state()`` carries it (JSON) to the task that
``merge()``\\ s them. Merging is exact: partition profiles merged in partition order give the same ``result()`` as
one pass over the whole source, below the caps and above them.

Bounded memory, whatever the row count:

- **Distinct values** per column are counted exactly on 64-bit hashes up to ``distinct_cap`` (default 10,000)
  distinct values; past the cap the column switches to a HyperLogLog sketch (precision 14: 16,384 one-byte
  registers, about 0.8 % standard error) and reports ``distinct_is_estimate: true``. Nulls are not values.
- **Duplicate rows** (``rows`` minus distinct rows) are exact up to ``row_cap`` (default 1,000,000) distinct rows,
  then estimated the same way (``duplicate_rows_is_estimate``). Memory: 8 bytes per distinct row below the cap.
- "Exact" means exact on 64-bit hashes: two different values collide with probability ~n²/2⁶⁵.
- A state is at most ``8 × distinct_cap`` bytes per column plus ``8 × row_cap`` bytes (base64 in JSON).

Types: each non-null value has a kind — integer, float, boolean, datetime or string — and a column's ``type`` is
the single kind of its values (integers mixed with floats are ``float``), ``mixed`` when kinds differ, ``string``
when it has no values. Typed columns (numbers, booleans, datetimes from Parquet, SQL or JSON) take their kind
from their dtype. Text values (every CSV cell) are classified by content when ``infer_text_types`` is true:
``-42`` integer (ASCII digits, optional sign, at most 18 digits; longer digit runs are identifiers: string),
``3.5``/``.5``/``1e-3`` finite float, ``true``/``false``/``True``/``False``/``TRUE``/``FALSE`` boolean, text
shaped ``YYYY-MM-DD…`` that pandas parses as ISO 8601 (``2024-05-01``, ``2024-05-01T10:00:00+02:00``) datetime,
anything else (``inf``, ``10.0.0.1``, ``+1-555-0100``, ``2024-13-45``) string. ``min`` and ``max`` are given for
integer and float columns (finite values; numbers) and datetime columns (ISO 8601 strings: a date when every
value falls at midnight, UTC with ``+00:00`` when the source carried time zones); else None.
Distinct counts compare text as written (``"007"`` and ``"7"`` differ); a typed number compares by value
(``1`` and ``1.0`` are one value).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field, replace
from typing import Any, Self

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = (
    "DISTINCT_EXACT_CAP",
    "HLL_PRECISION",
    "ROW_EXACT_CAP",
    "ProfileAccumulator",
)

DISTINCT_EXACT_CAP = 10_000
ROW_EXACT_CAP = 1_000_000
HLL_PRECISION = 14
STATE_VERSION = 1

KIND_INTEGER = "integer"
KIND_FLOAT = "float"
KIND_BOOLEAN = "boolean"
KIND_DATETIME = "datetime"
KIND_STRING = "string"
TYPE_MIXED = "mixed"
_NUMERIC_KINDS = frozenset({KIND_INTEGER, KIND_FLOAT})

# Text classification. Only mixed content reaches the (slow) pattern; RE2 syntax, run by pyarrow.
_NUMBER_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_ZONE_PATTERN = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # a zone after a time
_BOOLEAN_TEXTS = pa.array(["true", "false", "True", "False", "TRUE", "FALSE"], type=pa.large_string())
_BOOLEAN_FIRST_BYTES = np.array([ord(c) for c in "tTfF"], dtype=np.uint8)
_ZERO, _NINE, _PLUS, _MINUS, _DOT = (np.uint8(ord(c)) for c in "09+-.")
_CLASS_OTHER, _CLASS_DIGIT, _CLASS_DOT, _CLASS_EXPONENT, _CLASS_SIGN = range(5)
_BYTE_CLASS = np.full(256, _CLASS_OTHER, dtype=np.uint8)
_BYTE_CLASS[ord("0") : ord("9") + 1] = _CLASS_DIGIT
_BYTE_CLASS[[ord(".")]] = _CLASS_DOT
_BYTE_CLASS[[ord("e"), ord("E")]] = _CLASS_EXPONENT
_BYTE_CLASS[[ord("+"), ord("-")]] = _CLASS_SIGN
_BYTE_WEIGHT = np.ones(256, dtype=np.int64)  # "other" bytes count in the lowest 16 bits
_BYTE_WEIGHT[ord("0") : ord("9") + 1] = 0
_BYTE_WEIGHT[[ord(".")]] = 1 << 16
_BYTE_WEIGHT[[ord("e"), ord("E")]] = 1 << 32
_BYTE_WEIGHT[[ord("+"), ord("-")]] = 1 << 48
_SHORT_STRING_BYTES = 64
_DICTIONARY_PROBE = 4_096
_WORD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)

# Domain salts keep kinds apart (the integer 1, the boolean true and the text "1" are three values).
_SALT_INTEGER = np.uint64(0x1F0E_3C2B_5A49_7867)
_SALT_FLOAT = np.uint64(0x2E1D_4B3A_6958_8776)
_SALT_BOOLEAN = np.uint64(0x3D2C_5A49_7867_9685)
_SALT_DATETIME = np.uint64(0x4C3B_6958_8776_A594)
_SALT_STRING = np.uint64(0x5B4A_7867_9685_B4A3)
_MIX_1 = np.uint64(0xBF58_476D_1CE4_E5B9)
_MIX_2 = np.uint64(0x94D0_49BB_1331_11EB)
_MICROSECONDS_PER_DAY = 86_400_000_000
_INT64_LIMIT = 2.0**63


class ProfileAccumulator:
    """
    A quality profile built chunk by chunk (``update``), mergeable across partitions (``merge``), serialisable
    for Celery (``to_state``/``from_state``). See the module docstring for what is counted and how.

    ``infer_text_types``: classify text values by content (true for CSV/TSV: pass ``reader.values_are_text``).
    Accumulators merge only with accumulators built with the same parameters (else ``ValueError``).
    """

    def __init__(
        self,
        *,
        infer_text_types: bool = True,
        distinct_cap: int = DISTINCT_EXACT_CAP,
        row_cap: int = ROW_EXACT_CAP,
        hll_precision: int = HLL_PRECISION,
    ) -> None:
        if not 11 <= hll_precision <= 16:
            raise ValueError("hll_precision must be between 11 and 16")
        if distinct_cap < 0 or row_cap < 0:
            raise ValueError("caps must not be negative")
        self.infer_text_types = infer_text_types
        self.distinct_cap = distinct_cap
        self.row_cap = row_cap
        self.hll_precision = hll_precision
        self.rows = 0
        self._rows_distinct = _DistinctCounter(cap=row_cap, precision=hll_precision)
        self._columns: dict[str, _ColumnProfile] = {}

    #
    # Building
    #

    def update(self, df: pd.DataFrame) -> None:
        """Add the rows of one chunk. Column names are taken as strings; a repeated name counts once."""
        length = len(df)
        row_sum = np.zeros(length, dtype=np.uint64)
        seen: set[str] = set()
        for position, raw_name in enumerate(df.columns):
            name = str(raw_name)
            if name in seen:
                continue
            seen.add(name)
            chunk = _analyse(df.iloc[:, position], infer_text_types=self.infer_text_types)
            profile = self._columns.get(name)
            if profile is None:
                profile = self._columns[name] = _ColumnProfile(
                    distinct=_DistinctCounter(cap=self.distinct_cap, precision=self.hll_precision)
                )
            profile.absorb(chunk)
            if length:
                # Order-free and null-blind: a column absent from a chunk and a null cell add the same (nothing).
                contribution = _mix(chunk.hashes ^ _name_salt(name))
                contribution[~chunk.valid] = 0
                row_sum += contribution
        self.rows += length
        if length:
            self._rows_distinct.add(_mix(row_sum))

    def merge(self, other: ProfileAccumulator) -> Self:
        """Fold ``other`` (e.g. the next partition's profile) into this one; returns self."""
        if self._parameters() != other._parameters():
            raise ValueError("cannot merge profiles built with different parameters")
        self.rows += other.rows
        self._rows_distinct.merge(other._rows_distinct)
        for name, profile in other._columns.items():
            if name in self._columns:
                self._columns[name].merge(profile)
            else:
                self._columns[name] = profile.copy()
        return self

    #
    # Serialisation
    #

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot, restored by :meth:`from_state`."""
        return {
            "version": STATE_VERSION,
            **self._parameters(),
            "rows": self.rows,
            "rows_distinct": self._rows_distinct.to_state(),
            "columns": [{"name": name, **profile.to_state()} for name, profile in self._columns.items()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ProfileAccumulator:
        """Rebuild an accumulator from :meth:`to_state` output; raises ``ValueError`` on a foreign state."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise ValueError("not a profile state of this version")
        accumulator = cls(
            infer_text_types=bool(state["infer_text_types"]),
            distinct_cap=int(state["distinct_cap"]),
            row_cap=int(state["row_cap"]),
            hll_precision=int(state["hll_precision"]),
        )
        accumulator.rows = int(state["rows"])
        accumulator._rows_distinct = _DistinctCounter.from_state(
            state["rows_distinct"], cap=accumulator.row_cap, precision=accumulator.hll_precision
        )
        for column in state["columns"]:
            accumulator._columns[column["name"]] = _ColumnProfile.from_state(
                column, cap=accumulator.distinct_cap, precision=accumulator.hll_precision
            )
        return accumulator

    #
    # Result
    #

    def result(self) -> dict[str, Any]:
        """The profile: rows, duplicate rows and, per column, type, nulls, null rate, distinct count, min and max."""
        distinct_rows, rows_estimated = self._rows_distinct.count()
        distinct_rows = min(distinct_rows, self.rows)
        return {
            "rows": self.rows,
            "duplicate_rows": self.rows - distinct_rows,
            "duplicate_rows_is_estimate": rows_estimated,
            "columns": {name: profile.result(rows=self.rows) for name, profile in self._columns.items()},
        }

    def _parameters(self) -> dict[str, Any]:
        return {
            "infer_text_types": self.infer_text_types,
            "distinct_cap": self.distinct_cap,
            "row_cap": self.row_cap,
            "hll_precision": self.hll_precision,
        }


#
# Per-column state
#


@dataclass
class _ChunkColumn:
    """What one chunk says about one column."""

    valid: np.ndarray
    hashes: np.ndarray
    kinds: set[str] = field(default_factory=set)
    number_min: int | float | None = None
    number_max: int | float | None = None
    time_min: int | None = None
    time_max: int | None = None
    time_zoned: bool = False
    time_all_midnight: bool = True

    def take_numbers(self, values: np.ndarray) -> None:
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        if finite.size:
            self.number_min = _lower(self.number_min, finite.min().item())
            self.number_max = _upper(self.number_max, finite.max().item())

    def take_times(self, microseconds: np.ndarray, *, zoned: bool) -> None:
        self.kinds.add(KIND_DATETIME)
        self.time_zoned = self.time_zoned or zoned
        if microseconds.size:
            self.time_min = _lower(self.time_min, int(microseconds.min()))
            self.time_max = _upper(self.time_max, int(microseconds.max()))
            self.time_all_midnight = self.time_all_midnight and bool((microseconds % _MICROSECONDS_PER_DAY == 0).all())


@dataclass
class _ColumnProfile:
    distinct: _DistinctCounter
    non_null: int = 0
    kinds: set[str] = field(default_factory=set)
    number_min: int | float | None = None
    number_max: int | float | None = None
    time_min: int | None = None
    time_max: int | None = None
    time_zoned: bool = False
    time_all_midnight: bool = True

    def absorb(self, chunk: _ChunkColumn) -> None:
        self.non_null += int(chunk.valid.sum())
        self.kinds |= chunk.kinds
        self._combine(chunk)
        self.distinct.add(chunk.hashes[chunk.valid])

    def merge(self, other: _ColumnProfile) -> None:
        self.non_null += other.non_null
        self.kinds |= other.kinds
        self._combine(other)
        self.distinct.merge(other.distinct)

    def _combine(self, other: _ChunkColumn | _ColumnProfile) -> None:
        self.number_min = _lower(self.number_min, other.number_min)
        self.number_max = _upper(self.number_max, other.number_max)
        self.time_min = _lower(self.time_min, other.time_min)
        self.time_max = _upper(self.time_max, other.time_max)
        self.time_zoned = self.time_zoned or other.time_zoned
        self.time_all_midnight = self.time_all_midnight and other.time_all_midnight

    def copy(self) -> _ColumnProfile:
        return _ColumnProfile.from_state(self.to_state(), cap=self.distinct.cap, precision=self.distinct.precision)

    def column_type(self) -> str:
        if not self.kinds:
            return KIND_STRING
        if self.kinds <= _NUMERIC_KINDS:
            return KIND_FLOAT if KIND_FLOAT in self.kinds else KIND_INTEGER
        if len(self.kinds) == 1:
            return next(iter(self.kinds))
        return TYPE_MIXED

    def result(self, *, rows: int) -> dict[str, Any]:
        column_type = self.column_type()
        distinct, estimated = self.distinct.count()
        nulls = rows - self.non_null
        low: Any = None
        high: Any = None
        if column_type in _NUMERIC_KINDS:
            low, high = self.number_min, self.number_max
        elif column_type == KIND_DATETIME and self.time_min is not None and self.time_max is not None:
            low, high = self._iso(self.time_min), self._iso(self.time_max)
        return {
            "type": column_type,
            "nulls": nulls,
            "null_rate": nulls / rows if rows else 0.0,
            "distinct": min(distinct, self.non_null),
            "distinct_is_estimate": estimated,
            "min": low,
            "max": high,
        }

    def _iso(self, microseconds: int) -> str:
        stamp = pd.Timestamp(microseconds, unit="us")
        if self.time_all_midnight:
            return stamp.date().isoformat()
        text = stamp.isoformat()
        return f"{text}+00:00" if self.time_zoned else text

    def to_state(self) -> dict[str, Any]:
        return {
            "non_null": self.non_null,
            "kinds": sorted(self.kinds),
            "number_min": self.number_min,
            "number_max": self.number_max,
            "time_min": self.time_min,
            "time_max": self.time_max,
            "time_zoned": self.time_zoned,
            "time_all_midnight": self.time_all_midnight,
            "distinct": self.distinct.to_state(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], *, cap: int, precision: int) -> _ColumnProfile:
        return cls(
            distinct=_DistinctCounter.from_state(state["distinct"], cap=cap, precision=precision),
            non_null=int(state["non_null"]),
            kinds=set(state["kinds"]),
            number_min=state["number_min"],
            number_max=state["number_max"],
            time_min=state["time_min"],
            time_max=state["time_max"],
            time_zoned=bool(state["time_zoned"]),
            time_all_midnight=bool(state["time_all_midnight"]),
        )


#
# Distinct counting: exact set of hashes, then HyperLogLog
#


class _DistinctCounter:
    """
    Distinct 64-bit hashes: a sorted array while at most ``cap`` are held, then a HyperLogLog sketch.

    The sketch is a function of the set of hashes only (register = max rank), and the switch happens exactly when
    the set outgrows the cap, so any split of the input, merged, ends in the same state as one pass.
    """

    def __init__(self, *, cap: int, precision: int) -> None:
        self.cap = cap
        self.precision = precision
        self.exact: np.ndarray | None = np.empty(0, dtype=np.uint64)
        self.registers: np.ndarray | None = None

    def add(self, hashes: np.ndarray) -> None:
        if not hashes.size:
            return
        if self.exact is not None:
            self.exact = _sorted_union(self.exact, pd.unique(hashes))
            self._maybe_switch()
        else:
            _hll_add(self.registers, hashes, self.precision)  # type: ignore[arg-type]

    def merge(self, other: _DistinctCounter) -> None:
        if other.exact is not None:
            self.add(other.exact)
            return
        if self.exact is not None:
            self._switch()
        np.maximum(self.registers, other.registers, out=self.registers)  # type: ignore[call-overload]

    def count(self) -> tuple[int, bool]:
        if self.exact is not None:
            return int(self.exact.size), False
        # Past the switch the true count is above the cap, whatever the sketch's error says.
        return max(_hll_estimate(self.registers, self.precision), self.cap + 1), True  # type: ignore[arg-type]

    def _maybe_switch(self) -> None:
        if self.exact is not None and self.exact.size > self.cap:
            self._switch()

    def _switch(self) -> None:
        self.registers = np.zeros(1 << self.precision, dtype=np.uint8)
        _hll_add(self.registers, self.exact, self.precision)  # type: ignore[arg-type]
        self.exact = None

    def to_state(self) -> dict[str, str]:
        if self.exact is not None:
            return {"exact": base64.b64encode(self.exact.astype("<u8").tobytes()).decode("ascii")}
        return {"hll": base64.b64encode(self.registers.tobytes()).decode("ascii")}  # type: ignore[union-attr]

    @classmethod
    def from_state(cls, state: dict[str, str], *, cap: int, precision: int) -> _DistinctCounter:
        counter = cls(cap=cap, precision=precision)
        if "exact" in state:
            counter.exact = np.frombuffer(base64.b64decode(state["exact"]), dtype="<u8").astype(np.uint64)
        else:
            registers = np.frombuffer(base64.b64decode(state["hll"]), dtype=np.uint8).copy()
            if registers.size != 1 << precision:
                raise ValueError("HyperLogLog state does not match the precision")
            counter.exact, counter.registers = None, registers
        return counter


def _sorted_union(existing: np.ndarray, values: np.ndarray) -> np.ndarray:
    values = np.sort(np.asarray(values, dtype=np.uint64))
    if not existing.size:
        return values
    positions = np.searchsorted(existing, values)
    clipped = np.minimum(positions, existing.size - 1)
    fresh = existing[clipped] != values
    if not fresh.any():
        return existing
    return np.insert(existing, positions[fresh], values[fresh])


def _hll_add(registers: np.ndarray, hashes: np.ndarray, precision: int) -> None:
    width = 64 - precision
    index = (hashes >> np.uint64(width)).astype(np.intp)
    rest = hashes & np.uint64((1 << width) - 1)
    # rest < 2**53, so the float is exact and frexp's exponent is the bit length (0 for 0).
    _, bit_length = np.frexp(rest.astype(np.float64))
    rank = (width + 1 - bit_length).astype(np.uint8)
    np.maximum.at(registers, index, rank)


def _hll_estimate(registers: np.ndarray, precision: int) -> int:
    size = 1 << precision
    alpha = 0.7213 / (1 + 1.079 / size)
    estimate = alpha * size * size / float(np.ldexp(1.0, -registers.astype(np.int64)).sum())
    zeros = int((registers == 0).sum())
    if estimate <= 2.5 * size and zeros:
        estimate = size * math.log(size / zeros)
    return round(estimate)


#
# Chunk analysis: validity, kinds, min/max and canonical 64-bit hashes per value
#


def _analyse(series: pd.Series, *, infer_text_types: bool) -> _ChunkColumn:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _analyse(series.astype(object), infer_text_types=infer_text_types)
    if pd.api.types.is_bool_dtype(dtype):
        return _booleans(series)
    if pd.api.types.is_integer_dtype(dtype):
        return _integers(series)
    if pd.api.types.is_float_dtype(dtype):
        return _floats(series.to_numpy(dtype=np.float64, na_value=np.nan))
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return _datetimes(series)
    if isinstance(dtype, pd.StringDtype) or (pd.api.types.is_string_dtype(dtype) and dtype.kind != "O"):
        return _text(_arrow_strings(series), infer_text_types=infer_text_types)
    if dtype.kind == "O":
        return _objects(series.to_numpy(dtype=object), infer_text_types=infer_text_types)
    return _objects(series.astype(object).to_numpy(dtype=object), infer_text_types=infer_text_types)


def _booleans(series: pd.Series) -> _ChunkColumn:
    valid = series.notna().to_numpy(dtype=bool)
    values = series.to_numpy(dtype=np.uint64, na_value=0)
    return _ChunkColumn(valid=valid, hashes=_mix(values ^ _SALT_BOOLEAN), kinds={KIND_BOOLEAN})


def _integers(series: pd.Series) -> _ChunkColumn:
    valid = series.notna().to_numpy(dtype=bool)
    unsigned = pd.api.types.is_unsigned_integer_dtype(series.dtype)
    values = series.to_numpy(dtype=np.uint64 if unsigned else np.int64, na_value=0)
    chunk = _ChunkColumn(valid=valid, hashes=_hash_integers(values.view(np.uint64)), kinds={KIND_INTEGER})
    chunk.take_numbers(values[valid])
    return chunk


def _floats(values: np.ndarray) -> _ChunkColumn:
    valid = ~np.isnan(values)
    chunk = _ChunkColumn(valid=valid, hashes=_hash_floats(values), kinds={KIND_FLOAT})
    chunk.take_numbers(values[valid])
    return chunk


def _datetimes(series: pd.Series) -> _ChunkColumn:
    zoned = isinstance(series.dtype, pd.DatetimeTZDtype)
    if zoned:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    valid = series.notna().to_numpy(dtype=bool)
    microseconds = series.to_numpy(dtype="datetime64[us]").view(np.int64)
    chunk = _ChunkColumn(valid=valid, hashes=_mix(microseconds.view(np.uint64) ^ _SALT_DATETIME))
    chunk.take_times(microseconds[valid], zoned=zoned)
    return chunk


def _objects(values: np.ndarray, *, infer_text_types: bool) -> _ChunkColumn:
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "empty":
        return _ChunkColumn(valid=np.zeros(len(values), dtype=bool), hashes=np.zeros(len(values), dtype=np.uint64))
    try:
        if kind == "string":
            return _text(pa.array(values, type=pa.large_string(), from_pandas=True), infer_text_types=infer_text_types)
        if kind == "integer":
            return _integers(pd.Series(pd.array(values, dtype="Int64")))
        if kind in ("floating", "mixed-integer-float", "decimal"):
            return _floats(pd.Series(values).astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan))
        if kind == "boolean":
            return _booleans(pd.Series(pd.array(values, dtype="boolean")))
        if kind in ("datetime", "datetime64", "date"):
            return _datetimes(_to_datetimes(values))
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        pass  # values the vectorised paths refuse (huge integers, odd objects): classify one by one
    return _mixed_objects(values, infer_text_types=infer_text_types)


def _mixed_objects(values: np.ndarray, *, infer_text_types: bool) -> _ChunkColumn:
    """The slow path for genuinely mixed object columns: group values by Python type, analyse each group."""
    groups = np.array([_python_group(value) for value in values], dtype=np.int8)
    result = _ChunkColumn(valid=np.zeros(len(values), dtype=bool), hashes=np.zeros(len(values), dtype=np.uint64))
    for group in np.unique(groups):
        if group == _GROUP_NULL:
            continue
        positions = np.flatnonzero(groups == group)
        subset = values[positions]
        if group == _GROUP_TEXT:
            part = _text(pa.array(subset, type=pa.large_string()), infer_text_types=infer_text_types)
        elif group == _GROUP_BOOLEAN:
            part = _booleans(pd.Series(pd.array(subset.astype(bool), dtype="boolean")))
        elif group == _GROUP_INTEGER and all(-(2**63) <= value < 2**63 for value in subset):
            part = _integers(pd.Series(pd.array(subset.astype(np.int64), dtype="Int64")))
        elif group in (_GROUP_INTEGER, _GROUP_FLOAT):
            part = _floats(subset.astype(np.float64))
        elif group == _GROUP_DATETIME:
            part = _datetimes(_to_datetimes(subset))
        else:
            rendered = pa.array([str(value) for value in subset], type=pa.large_string())
            part = _text(rendered, infer_text_types=False)
        result.valid[positions] = part.valid
        result.hashes[positions] = part.hashes
        result.kinds |= part.kinds
        _merge_chunk(result, part)
    return result


_GROUP_NULL, _GROUP_TEXT, _GROUP_BOOLEAN, _GROUP_INTEGER, _GROUP_FLOAT, _GROUP_DATETIME, _GROUP_OTHER = range(7)


def _python_group(value: Any) -> int:
    if value is None or value is pd.NA or value is pd.NaT:
        return _GROUP_NULL
    if isinstance(value, str):
        return _GROUP_TEXT
    if isinstance(value, (bool, np.bool_)):
        return _GROUP_BOOLEAN
    if isinstance(value, (int, np.integer)):
        return _GROUP_INTEGER
    if isinstance(value, (float, np.floating)):
        return _GROUP_NULL if math.isnan(value) else _GROUP_FLOAT
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "isoformat") and hasattr(value, "year"):
        return _GROUP_DATETIME
    if type(value).__name__ == "Decimal":
        return _GROUP_NULL if value.is_nan() else _GROUP_FLOAT
    return _GROUP_OTHER


def _to_datetimes(values: np.ndarray) -> pd.Series:
    try:
        return pd.Series(pd.to_datetime(values))
    except (TypeError, ValueError):
        return pd.Series(pd.to_datetime(values, utc=True))  # time zones mixed (or naive with aware): compare in UTC


def _merge_chunk(target: _ChunkColumn, part: _ChunkColumn) -> None:
    target.number_min = _lower(target.number_min, part.number_min)
    target.number_max = _upper(target.number_max, part.number_max)
    target.time_min = _lower(target.time_min, part.time_min)
    target.time_max = _upper(target.time_max, part.time_max)
    target.time_zoned = target.time_zoned or part.time_zoned
    target.time_all_midnight = target.time_all_midnight and part.time_all_midnight


def _text(strings: pa.Array, *, infer_text_types: bool) -> _ChunkColumn:
    """
    Text values: hashed as written; classified by content when ``infer_text_types``.

    A column whose values repeat a lot (countries, flags, dates of a few years) is dictionary-encoded first and
    only its distinct values are analysed. Every result is a function of the values alone, so both paths agree.
    """
    if len(strings) >= _DICTIONARY_PROBE * 2:
        head = strings.slice(0, _DICTIONARY_PROBE)
        if len(pc.unique(head)) * 2 <= len(head):
            return _text_by_dictionary(strings, infer_text_types=infer_text_types)
    return _text_values(strings, infer_text_types=infer_text_types)


def _text_by_dictionary(strings: pa.Array, *, infer_text_types: bool) -> _ChunkColumn:
    encoded = strings.dictionary_encode()
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    if not len(encoded.dictionary):
        return _ChunkColumn(valid=valid, hashes=np.zeros(len(strings), dtype=np.uint64))
    distinct = _text_values(encoded.dictionary, infer_text_types=infer_text_types)
    indices = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
    hashes = np.where(valid, distinct.hashes[indices], np.uint64(0))
    return replace(distinct, valid=valid, hashes=hashes)


def _text_values(strings: pa.Array, *, infer_text_types: bool) -> _ChunkColumn:
    """
    The per-value analysis behind :func:`_text`.

    Cheap byte-level screens (first byte, the dashes of a date) decide which values are worth the costlier
    checks, so a column of names or e-mails costs one pass over first bytes. Every value gets the same kind
    whichever path its chunk takes, so kinds do not depend on chunk boundaries.
    """
    valid = strings.is_valid().to_numpy(zero_copy_only=False)
    chunk = _ChunkColumn(valid=valid, hashes=_hash_strings(strings))
    if not valid.any():
        return chunk
    if not infer_text_types:
        chunk.kinds.add(KIND_STRING)
        return chunk
    offsets, data = _string_buffers(strings)
    lengths = np.diff(offsets)
    first = _bytes_at(offsets, data, lengths, 0)
    digit_first = (first >= _ZERO) & (first <= _NINE)
    signed = (first == _PLUS) | (first == _MINUS)
    candidates = valid & (digit_first | signed | (first == _DOT) | np.isin(first, _BOOLEAN_FIRST_BYTES))
    if (valid & ~candidates).any():
        chunk.kinds.add(KIND_STRING)
    if not candidates.any():
        return chunk
    # Integers: ASCII digits after an optional sign; up to 18 digits (beyond int64 they are identifiers: string).
    integral = candidates & _flags(pc.ascii_is_decimal(strings))
    if (candidates & signed).any():
        integral |= candidates & signed & _flags(pc.ascii_is_decimal(pc.utf8_slice_codeunits(strings, 1)))
    digits = lengths - signed
    integers = integral & (digits <= 18)
    if integers.any():
        chunk.kinds.add(KIND_INTEGER)
        values = strings.filter(pa.array(integers))
        if (integers & (first == _PLUS)).any():
            values = pc.utf8_ltrim(values, "+")
        chunk.take_numbers(pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False))
    if (integral & ~integers).any():
        chunk.kinds.add(KIND_STRING)
    rest = candidates & ~integral
    if not rest.any():
        return chunk
    date_shaped = (
        rest
        & digit_first
        & (lengths >= 10)
        & (_bytes_at(offsets, data, lengths, 4) == _MINUS)
        & (_bytes_at(offsets, data, lengths, 7) == _MINUS)
    )
    others = rest & ~date_shaped
    if others.any():
        numbers, values = _finite_numbers(strings.filter(pa.array(others)))
        if numbers.any():
            chunk.kinds.add(KIND_FLOAT)
            chunk.take_numbers(values)
        remaining = strings.filter(pa.array(others)).filter(pa.array(~numbers))
        if len(remaining):
            booleans = _flags(pc.is_in(remaining, value_set=_BOOLEAN_TEXTS))
            if booleans.any():
                chunk.kinds.add(KIND_BOOLEAN)
            if not booleans.all():
                chunk.kinds.add(KIND_STRING)
    if date_shaped.any():
        _take_date_texts(chunk, strings.filter(pa.array(date_shaped)))
    return chunk


def _finite_numbers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """
    Which strings are finite decimal numbers (``-1.5``, ``.5``, ``1e-3``), and those numbers.

    A value is a number when it has the number pattern and pyarrow parses it to a finite float. A byte screen
    (only digits, ``.``, ``e``, signs; at most one dot and exponent) skips the parse for most non-numbers; when the
    parse of the screened values fails, the pattern sorts them out (only mixed content gets there).
    """
    offsets, data = _string_buffers(strings)
    classes = np.bincount(_BYTE_CLASS[data[offsets[0] : offsets[-1]]], minlength=5)
    if (
        not classes[_CLASS_OTHER]
        and classes[_CLASS_DOT] <= len(strings)
        and classes[_CLASS_SIGN] <= len(strings) + classes[_CLASS_EXPONENT]
    ):
        # Whole-column numbers are the common case: one parse, no per-value screen (unless the parse fails).
        try:
            parsed = pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            pass
        else:
            finite = np.isfinite(parsed) & strings.is_valid().to_numpy(zero_copy_only=False)
            return finite, parsed[finite]
    # One running sum counts four byte classes at once, 16 bits each: other, dot, exponent, sign.
    totals = np.concatenate(([0], np.cumsum(_BYTE_WEIGHT[data[offsets[0] : offsets[-1]]], dtype=np.int64)))
    packed = totals[offsets[1:] - offsets[0]] - totals[offsets[:-1] - offsets[0]]
    others, dots, exponents, signs = ((packed >> shift) & 0xFFFF for shift in (0, 16, 32, 48))
    lengths = np.diff(offsets)
    screened = (
        strings.is_valid().to_numpy(zero_copy_only=False)
        & (lengths < 0xFFFF)
        & (others == 0)
        & (lengths > dots + exponents + signs)
        & (dots <= 1)
        & (exponents <= 1)
        & (signs <= 1 + exponents)
    )
    parsed = np.full(len(strings), np.nan)
    if screened.any():
        subset = strings.filter(pa.array(screened))
        try:
            parsed[screened] = pc.cast(subset, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            shaped = _flags(pc.match_substring_regex(subset, _NUMBER_PATTERN))
            values = np.full(len(subset), np.nan)
            if shaped.any():
                values[shaped] = pc.cast(subset.filter(pa.array(shaped)), pa.float64()).to_numpy(zero_copy_only=False)
            parsed[screened] = values
    # "inf", "-nan" and "1e999" parse but are not finite numbers: they count as text in both paths.
    finite = np.isfinite(parsed)
    return finite, parsed[finite]


def _take_date_texts(chunk: _ChunkColumn, strings: pa.Array) -> None:
    """Date-shaped text (``YYYY-MM-DD…``): datetime when pandas parses it as ISO 8601, else string."""
    parsed = pd.to_datetime(
        pd.Series(strings.to_numpy(zero_copy_only=False), dtype=object), format="ISO8601", utc=True, errors="coerce"
    )
    parsed_ok = parsed.notna().to_numpy(dtype=bool)
    if not parsed_ok.all():
        chunk.kinds.add(KIND_STRING)
    if parsed_ok.any():
        # A zone needs a time before it, so date-only text (10 characters) is not searched.
        with_time = parsed_ok & (pc.binary_length(strings).to_numpy(zero_copy_only=False) > 10)
        zoned = bool(with_time.any()) and bool(
            _flags(pc.match_substring_regex(strings.filter(pa.array(with_time)), _ZONE_PATTERN)).any()
        )
        microseconds = parsed[parsed_ok].to_numpy(dtype="datetime64[us]").view(np.int64)
        chunk.take_times(microseconds, zoned=zoned)


def _flags(result: pa.Array) -> np.ndarray:
    return result.fill_null(False).to_numpy(zero_copy_only=False)


def _string_buffers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (one more than values) and the UTF-8 bytes of a (large) string array."""
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    _, offsets_buffer, data_buffer = strings.buffers()[:3]
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[strings.offset : strings.offset + len(strings) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(1, dtype=np.uint8)
    return offsets.astype(np.int64, copy=False), data


def _bytes_at(offsets: np.ndarray, data: np.ndarray, lengths: np.ndarray, position: int) -> np.ndarray:
    """The byte at ``position`` of every string (0 where the string is shorter)."""
    present = lengths > position
    index = np.where(present, offsets[:-1] + position, 0)
    return np.where(present, data[np.minimum(index, data.size - 1)], 0).astype(np.uint8)


def _arrow_strings(series: pd.Series) -> pa.Array:
    array = pa.array(series.array, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


#
# Hashing
#


def _mix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised (uint64 arithmetic wraps)."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX_1
    values ^= values >> np.uint64(27)
    values *= _MIX_2
    values ^= values >> np.uint64(31)
    return values


def _hash_integers(values: np.ndarray) -> np.ndarray:
    return _mix(values.astype(np.uint64, copy=False) ^ _SALT_INTEGER)


def _hash_floats(values: np.ndarray) -> np.ndarray:
    """Integral floats hash as the integer they equal (1.0 == 1); other floats by their bits."""
    with np.errstate(invalid="ignore"):
        integral = (np.floor(values) == values) & (np.abs(values) < _INT64_LIMIT)
    as_integers = np.where(integral, values, 0).astype(np.int64).view(np.uint64)
    as_bits = np.where(values == 0, 0.0, values).view(np.uint64)  # -0.0 is 0
    return np.where(integral, _hash_integers(as_integers), _mix(as_bits ^ _SALT_FLOAT))


def _hash_strings(strings: pa.Array) -> np.ndarray:
    """
    A 64-bit hash of each string's UTF-8 bytes; nulls hash as the empty string (callers mask them).

    Strings up to 64 bytes: their length, then each 8-byte little-endian word, chained through splitmix64 (read
    straight from the Arrow buffer, a handful of vectorised operations per word). Longer strings: pandas' SipHash.
    The choice depends on the value only, so a value hashes the same in every chunk.
    """
    count = len(strings)
    if not count:
        return np.empty(0, dtype=np.uint64)
    offsets, data = _string_buffers(strings)
    lengths = np.diff(offsets)
    if not strings.null_count:
        valid = None
    else:
        valid = strings.is_valid().to_numpy(zero_copy_only=False)
        lengths = np.where(valid, lengths, 0)
    # Unaligned 8-byte words at any byte offset: pad the bytes, then view them with a one-byte stride.
    padded = np.zeros(data.size + 8, dtype=np.uint8)
    padded[: data.size] = data
    words = np.ndarray(shape=(data.size + 1,), dtype="<u8", buffer=padded, strides=(1,))
    hashes = _mix(lengths.astype(np.uint64) ^ _SALT_STRING)
    longest = int(lengths.max()) if count else 0
    for word_index in range(min(-(-longest // 8), _SHORT_STRING_BYTES // 8)):
        position = word_index * 8
        remaining = np.clip(lengths - position, 0, 8)
        present = remaining > 0
        word = words[np.where(present, offsets[:-1] + position, 0)]
        keep = _WORD_MASKS[remaining]
        hashes = np.where(present, _mix(hashes ^ (word & keep)), hashes)
    long_values = lengths > _SHORT_STRING_BYTES
    if long_values.any():
        texts = strings.filter(pa.array(long_values)).to_numpy(zero_copy_only=False)
        hashes[long_values] = _mix(pd.util.hash_array(texts, categorize=False) ^ _SALT_STRING)
    if valid is not None:
        hashes = np.where(valid, hashes, np.uint64(0))
    return hashes


def _name_salt(name: str) -> np.uint64:
    return np.uint64(pd.util.hash_array(np.array([name], dtype=object), categorize=False)[0])


def _lower(current: Any, candidate: Any) -> Any:
    if candidate is None:
        return current
    return candidate if current is None or candidate < current else current


def _upper(current: Any, candidate: Any) -> Any:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current
