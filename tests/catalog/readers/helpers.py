"""Comparison helpers shared by the reader tests."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from catalog.readers import SourceReader


def records(frames: Iterable[pd.DataFrame]) -> list[dict[str, object]]:
    """All rows as dicts, nulls as None, in order (the comparison that does not depend on chunk dtypes)."""
    rows: list[dict[str, object]] = []
    for frame in frames:
        plain = frame.astype(object)
        rows.extend(plain.where(plain.notna(), None).to_dict("records"))
    return rows


def read_all(reader: SourceReader) -> list[dict[str, object]]:
    return records(reader.iter_chunks())
