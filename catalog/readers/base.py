"""
The reader interface and the file plumbing shared by the file formats.

A :class:`FileSource` is a resolved local file: its path, the name used for format detection, its compression
(found from the gzip magic bytes, whatever the name says) and byte-level helpers that stream the decompressed
content, optionally limited to a byte range. :class:`SourceReader` is what :func:`catalog.readers.open_source`
returns for every format.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Self

import pandas as pd

from catalog.readers.errors import SourceReadError

__all__ = (
    "DEFAULT_CHUNK_ROWS",
    "PARTITION_VERSION",
    "FileSource",
    "SourceReader",
    "count_newlines",
    "line_aligned_cuts",
    "translate_file_errors",
)

DEFAULT_CHUNK_ROWS = 50_000
PARTITION_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileSource:
    """A local file to read: ``path`` on disk, ``name`` for format detection (the uploaded file's name)."""

    path: Path
    name: str
    compression: str | None
    size_bytes: int
    mtime_ns: int

    @classmethod
    def from_path(cls, path: Path, *, name: str) -> FileSource:
        """Stat ``path`` and sniff its compression; raises :class:`SourceReadError` if it is not a readable file."""
        with translate_file_errors(path):
            stat = path.stat()
            if path.is_dir():
                raise SourceReadError(f"not a file but a directory: {path}")
            with path.open("rb") as handle:
                magic = handle.read(2)
        return cls(
            path=path,
            name=name,
            compression="gzip" if magic == GZIP_MAGIC else None,
            size_bytes=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
        )

    @property
    def display(self) -> str:
        """How messages name the file."""
        return self.name if self.name != self.path.name else str(self.path)

    def open_stream(self, *, start: int = 0, end: int | None = None) -> BinaryIO:
        """
        Open the decompressed content positioned at byte ``start``, ending at byte ``end`` (exclusive, or EOF).

        For gzip files positions are in the decompressed stream and skipping to ``start`` reads through it.
        """
        handle: BinaryIO = self.path.open("rb")
        if self.compression == "gzip":
            handle = gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[assignment]
            _skip(handle, start)
        else:
            handle.seek(start)
        if end is None:
            return handle
        return io.BufferedReader(_RangeReader(handle, length=max(0, end - start)), buffer_size=_COPY_BLOCK)

    def read_head(self, size: int) -> bytes:
        """The first ``size`` decompressed bytes (fewer if the content is shorter)."""
        with translate_file_errors(self.path), self.open_stream() as stream:
            return _read_exactly(stream, size)

    def uncompressed_size_hint(self) -> int | None:
        """Byte size of the decompressed content: exact for plain files, from the gzip trailer otherwise."""
        if self.compression is None:
            return self.size_bytes
        if self.size_bytes < 18:
            return None
        with self.path.open("rb") as handle:
            handle.seek(-4, os.SEEK_END)
            (isize,) = struct.unpack("<I", handle.read(4))
        # ISIZE is the size modulo 2**32; it is only trustworthy when it is plausibly larger than the input.
        return isize if isize >= self.size_bytes // 2 else None

    def sha256(self) -> str:
        """sha256 of the bytes as stored (compressed bytes for gzip files), streamed."""
        digest = hashlib.sha256()
        with translate_file_errors(self.path), self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(_COPY_BLOCK), b""):
                digest.update(block)
        return digest.hexdigest()

    def check_unchanged(self, *, size_bytes: int, mtime_ns: int) -> None:
        """Raise :class:`SourceReadError` when the file is not the one a partition plan was made from."""
        if (self.size_bytes, self.mtime_ns) != (size_bytes, mtime_ns):
            raise SourceReadError(f"source changed since its partitions were planned: {self.display}")

    def descriptor_fields(self) -> dict[str, Any]:
        """Fields that identify this file inside a partition descriptor."""
        return {"size_bytes": self.size_bytes, "mtime_ns": self.mtime_ns}


class SourceReader(ABC):
    """
    A data source opened for streaming: CSV/TSV/JSON/JSONL/Parquet files (optionally gzip) or a SQL table or query.

    Use it as a context manager. ``columns`` is known right after opening (for JSON and JSONL: the keys of the
    first records; a key first seen later appears as an extra column in the chunks that hold it).
    ``values_are_text`` is true when every cell is the source's text (CSV, TSV): pass it to
    ``ProfileAccumulator(infer_text_types=...)`` so that ``"42"`` counts as an integer there and as a string in
    typed sources.
    """

    format: str = ""
    values_are_text: bool = False

    def __init__(self, *, chunk_rows: int) -> None:
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        self.chunk_rows = chunk_rows
        self.columns: list[str] = []

    @property
    def size_bytes(self) -> int | None:
        """Size of the source in bytes as stored; None for SQL."""
        return None

    def estimated_rows(self) -> int | None:
        """Row count: exact for Parquet and SQL, an estimate (or None) for text files."""
        return None

    def content_hash(self) -> str | None:
        """sha256 hex digest of the file bytes, streamed; None for SQL."""
        return None

    @abstractmethod
    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the rows in source order as DataFrames of at most ``chunk_rows`` rows; memory stays flat."""

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        """Split the source into JSON-serialisable descriptors of about ``target_rows`` rows (one by default)."""
        return [self._descriptor(kind="whole", index=0, count=1)]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        """Yield the rows of one descriptor from :meth:`plan_partitions`."""
        if descriptor["kind"] != "whole":
            raise SourceReadError(f"partition kind {descriptor['kind']!r} does not apply to {self.format} sources")
        yield from self.iter_chunks()

    def close(self) -> None:  # noqa: B027 - most readers hold nothing between iterations
        """Release files, temporary copies and connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _descriptor(self, *, kind: str, index: int, count: int, **fields: Any) -> dict[str, Any]:
        return {
            "version": PARTITION_VERSION,
            "format": self.format,
            "kind": kind,
            "index": index,
            "count": count,
            "columns": list(self.columns),
            **self._identity(),
            **fields,
        }

    def _identity(self) -> dict[str, Any]:
        """How :func:`catalog.readers.read_partition` re-opens the source (location, filename, query …)."""
        return {}


@contextlib.contextmanager
def translate_file_errors(path: Path, *, encoding_label: str | None = None) -> Iterator[None]:
    """Turn OS, gzip and decoding failures into :class:`SourceReadError` with a one-line reason."""
    try:
        yield
    except SourceReadError:
        raise
    except FileNotFoundError:
        raise SourceReadError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise SourceReadError(f"not a file but a directory: {path}") from None
    except PermissionError:
        raise SourceReadError(f"permission denied: {path}") from None
    except EOFError:
        raise SourceReadError("truncated gzip file: the compressed stream ends early") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise SourceReadError(f"corrupt gzip file: {error}") from None
    except UnicodeDecodeError as error:
        label = encoding_label or error.encoding.upper()
        raise SourceReadError(
            f"could not decode as {label}: {error.reason} (the encoding was detected from the start of the file)"
        ) from None
    except OSError as error:
        raise SourceReadError(f"cannot read {path}: {error.strerror or error}") from None


def line_aligned_cuts(source: FileSource, *, start: int, end: int, parts: int) -> list[int]:
    """Byte offsets ``start = c0 < c1 < … < cn = end``, each inner cut right after a line feed."""
    cuts = [start]
    with source.path.open("rb") as handle:
        for part in range(1, parts):
            target = start + (end - start) * part // parts
            if target <= cuts[-1]:
                continue
            handle.seek(target - 1)
            position = target - 1
            while True:
                block = handle.read(1 << 16)
                if not block:
                    position = end
                    break
                found = block.find(b"\n")
                if found >= 0:
                    position += found + 1
                    break
                position += len(block)
            if cuts[-1] < position < end:
                cuts.append(position)
    cuts.append(end)
    return cuts


def count_newlines(source: FileSource, *, start: int, end: int) -> int:
    """Number of ``\\n`` bytes in the decompressed content between ``start`` and ``end``."""
    count = 0
    with source.open_stream(start=start, end=end) as stream:
        for block in iter(lambda: stream.read(_COPY_BLOCK * 8), b""):
            count += block.count(b"\n")
    return count


class _RangeReader(io.RawIOBase):
    """A raw stream over the next ``length`` bytes of ``handle``."""

    def __init__(self, handle: BinaryIO, *, length: int) -> None:
        super().__init__()
        self._handle = handle
        self._remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._remaining <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self._remaining)]
        data = self._handle.read(len(view))
        view[: len(data)] = data
        self._remaining -= len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def _skip(handle: BinaryIO, count: int) -> None:
    while count > 0:
        block = handle.read(min(count, _COPY_BLOCK))
        if not block:
            return
        count -= len(block)


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        block = stream.read(remaining)
        if not block:
            break
        parts.append(block)
        remaining -= len(block)
    return b"".join(parts)
