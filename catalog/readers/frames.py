"""
Turning parsed values (JSON records, SQL rows) into DataFrames whose dtypes do not depend on chunk boundaries.

``pandas`` would make an integer column with a missing value ``float64`` in one chunk and ``int64`` in the next;
here each column is typed from its values only: integers → ``Int64``, floats (or integers mixed with floats)
→ ``float64``, booleans → ``boolean``, strings → ``str``, datetimes and dates → ``datetime64``; anything else
stays ``object`` with nested lists and dicts rendered as compact JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ("frame_from_columns", "frame_from_records", "series_from_values", "unique_names")


def frame_from_records(records: list[dict[str, Any]], *, columns: Sequence[str]) -> pd.DataFrame:
    """
    Build a DataFrame from JSON-like records.

    Every name in ``columns`` is present (missing keys are null); keys not in ``columns`` are appended in order of
    first appearance.
    """
    known = dict.fromkeys(columns)
    known_keys = known.keys()
    if not all(record.keys() <= known_keys for record in records):
        for record in records:
            for key in record:
                if key not in known:
                    known[key] = None
    names = list(known)
    # dtype=object keeps the parsed Python values (1 stays an int next to a missing value); absent keys are NaN.
    raw = pd.DataFrame(records, columns=names, dtype=object) if records else None
    values = {
        name: (raw[name].to_numpy(dtype=object) if raw is not None else np.empty(0, dtype=object)) for name in names
    }
    return frame_from_columns(values, length=len(records))


def frame_from_columns(columns: dict[str, Sequence[Any] | np.ndarray], *, length: int) -> pd.DataFrame:
    """Build a DataFrame from per-column value sequences, each typed by :func:`series_from_values`."""
    data = {name: series_from_values(values) for name, values in columns.items()}
    return pd.DataFrame(data, index=pd.RangeIndex(length), columns=list(columns))


def series_from_values(values: Sequence[Any] | np.ndarray) -> pd.Series:
    """Type one column from its Python values (None and NaN are null)."""
    array = values if isinstance(values, np.ndarray) and values.dtype == object else _object_array(values)
    kind = pd.api.types.infer_dtype(array, skipna=True)
    try:
        if kind == "integer":
            return pd.Series(pd.array(array, dtype="Int64"))
        if kind in ("floating", "mixed-integer-float"):
            return pd.Series(pd.array(array, dtype="Float64")).astype("float64")
        if kind == "boolean":
            return pd.Series(pd.array(array, dtype="boolean"))
        if kind == "string":
            return pd.Series(array, dtype="str")
        if kind in ("datetime", "datetime64", "date"):
            return pd.Series(pd.to_datetime(array))
    except (TypeError, ValueError, OverflowError):
        pass  # e.g. integers beyond int64, or datetimes with mixed time zones: keep the Python objects.
    if kind in ("mixed", "unknown-array", "mixed-integer"):
        array = np.array([_render_nested(value) for value in array], dtype=object)
    return pd.Series(array, dtype=object)


def _object_array(values: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _render_nested(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return value


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique and non-blank: blank → ``column_<n>``, repeats → ``name_2``, ``name_3`` …."""
    unique: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(names, start=1):
        base = str(raw).strip() or f"column_{position}"
        name, suffix = base, 2
        while name in seen:
            name, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(name)
        unique.append(name)
    return unique
