"""
Parquet files, read batch by batch with pyarrow.

Row counts are exact (from the footer). Partitions are runs of whole row groups of about ``target_rows`` rows.
A gzip-compressed Parquet file (unusual, but uploads happen) is first inflated to a temporary file, because Parquet
needs random access; it is then one partition.

Types: integers become pandas nullable ``Int*`` and booleans ``boolean`` (so a null never turns a column into
floats in one batch and not the next), dictionary-encoded columns are decoded, dates become ``datetime64``; strings,
floats and timestamps keep pyarrow's default conversion.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from catalog.readers.base import FileSource, SourceReader, translate_file_errors
from catalog.readers.errors import SourceReadError
from catalog.readers.frames import unique_names

__all__ = ("PARQUET_MAGIC", "ParquetReader")

PARQUET_MAGIC = b"PAR1"

_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


class ParquetReader(SourceReader):
    """A Parquet file, plain or gzip."""

    format = "parquet"

    def __init__(self, source: FileSource, *, chunk_rows: int, identity: dict[str, Any]) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self.source = source
        self._identity_fields = identity
        self._temporary: Path | None = None
        if source.size_bytes == 0:
            raise SourceReadError("file is empty")
        path = source.path
        if source.compression == "gzip":
            path = self._inflate()
        with translate_file_errors(path), path.open("rb") as handle:
            if handle.read(len(PARQUET_MAGIC)) != PARQUET_MAGIC:
                raise SourceReadError("not a Parquet file: the PAR1 header is missing")
        self._file = _open_parquet(path)
        names = self._file.schema_arrow.names
        if not names:
            raise SourceReadError("source has no columns")
        self.columns = unique_names(names)

    def _inflate(self) -> Path:
        handle = tempfile.NamedTemporaryFile(prefix="custodian-", suffix=".parquet", delete=False)  # noqa: SIM115
        self._temporary = Path(handle.name)
        with translate_file_errors(self.source.path), handle, gzip.open(self.source.path, "rb") as compressed:
            shutil.copyfileobj(compressed, handle, length=1 << 20)
        if self._temporary.stat().st_size == 0:
            raise SourceReadError("file is empty")
        return self._temporary

    @property
    def size_bytes(self) -> int:
        return self.source.size_bytes

    def content_hash(self) -> str:
        return self.source.sha256()

    def estimated_rows(self) -> int:
        return self._file.metadata.num_rows

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        yield from self._iter_groups(None)

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        if target_rows < 1:
            raise ValueError("target_rows must be at least 1")
        fields = self.source.descriptor_fields()
        if self.source.compression is not None or self._file.num_row_groups <= 1:
            return [self._descriptor(kind="whole", index=0, count=1, **fields)]
        groups: list[list[int]] = [[]]
        rows = 0
        for index in range(self._file.num_row_groups):
            if groups[-1] and rows >= target_rows:
                groups.append([])
                rows = 0
            groups[-1].append(index)
            rows += self._file.metadata.row_group(index).num_rows
        return [
            self._descriptor(kind="row_groups", index=index, count=len(groups), row_groups=members, **fields)
            for index, members in enumerate(groups)
        ]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        self.source.check_unchanged(size_bytes=descriptor["size_bytes"], mtime_ns=descriptor["mtime_ns"])
        if descriptor["kind"] == "whole":
            yield from self.iter_chunks()
        elif descriptor["kind"] == "row_groups":
            groups = [int(index) for index in descriptor["row_groups"]]
            if any(not 0 <= index < self._file.num_row_groups for index in groups):
                raise SourceReadError(f"source changed since its partitions were planned: {self.source.display}")
            yield from self._iter_groups(groups)
        else:
            raise SourceReadError(f"partition kind {descriptor['kind']!r} does not apply to parquet sources")

    def close(self) -> None:
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    def _identity(self) -> dict[str, Any]:
        return self._identity_fields

    def _iter_groups(self, groups: list[int] | None) -> Iterator[pd.DataFrame]:
        if groups == []:
            return
        try:
            for batch in self._file.iter_batches(batch_size=self.chunk_rows, row_groups=groups, use_threads=True):
                yield _to_pandas(batch)
        except (pa.ArrowException, OSError) as error:
            raise SourceReadError(f"corrupt Parquet file: {_first_sentence(error)}") from None
        except (TypeError, ValueError, OverflowError) as error:
            raise SourceReadError(f"unsupported Parquet content: {_first_sentence(error)}") from None


def _open_parquet(path: Path) -> pq.ParquetFile:
    with translate_file_errors(path):
        try:
            return pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as error:
            message = str(error)
            if "magic bytes not found in footer" in message or "Parquet file size is" in message:
                raise SourceReadError("truncated Parquet file: footer missing") from None
            raise SourceReadError(f"corrupt Parquet file: {_first_sentence(error)}") from None


def _to_pandas(batch: pa.RecordBatch) -> pd.DataFrame:
    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        columns.append(column)
    batch = pa.RecordBatch.from_arrays(columns, names=unique_names(batch.schema.names))
    frame = batch.to_pandas(types_mapper=_NULLABLE.get, date_as_object=False)
    return frame.reset_index(drop=True)


def _first_sentence(error: BaseException) -> str:
    return str(error).strip().split("\n")[0][:200] or type(error).__name__
