"""Entry points: open a source by location, plan its partitions, read one partition."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pandas as pd

from catalog.readers.base import DEFAULT_CHUNK_ROWS, PARTITION_VERSION, FileSource, SourceReader
from catalog.readers.delimited import DelimitedReader
from catalog.readers.encoding import decode_sample, detect_encoding
from catalog.readers.errors import SourceReadError, scrub_secrets
from catalog.readers.jsontext import JsonLinesReader, JsonReader
from catalog.readers.parquet import PARQUET_MAGIC, ParquetReader
from catalog.readers.sql import SqlReader, is_database_url

__all__ = ("FORMATS", "detect_format", "open_source", "plan_partitions", "read_partition")

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet", "sql")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".parq": "parquet",
    ".pq": "parquet",
}
_COMPRESSION_SUFFIXES = (".gz", ".gzip")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")
_SNIFF_BYTES = 64 << 10


def open_source(
    location: str,
    *,
    format: str | None = None,
    filename: str | None = None,
    query: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SourceReader:
    """
    Open a data source for streaming and return its reader (a context manager).

    ``location`` is a local path, a ``file://`` URI or a SQLAlchemy database URL. For an upload, pass the temporary
    file's path as ``location`` and the uploaded name as ``filename``: the format comes from ``format=``, else the
    extension of ``filename`` (or of the path; ``.gz`` is looked through), else the content (Parquet magic, then the
    first character of the text). Gzip compression is recognised by its magic bytes, whatever the name. For a
    database, ``query`` is a table name or a ``SELECT`` statement.

    Raises :class:`SourceReadError` when the source cannot be opened or its start is unreadable; rows further in
    fail later, from ``iter_chunks()``.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    wanted = _normalise_format(format)
    scheme = _SCHEME.match(location)
    if wanted == "sql" or (scheme and scheme["scheme"].lower() != "file"):
        if not is_database_url(location):
            shown = scrub_secrets(location)
            raise SourceReadError(f"unsupported location: {shown} (expected a file path, file:// URI or database URL)")
        if wanted not in (None, "sql"):
            raise SourceReadError(f"a database URL cannot be read as {wanted}")
        return SqlReader(location, query=query, chunk_rows=chunk_rows)
    if query is not None:
        raise SourceReadError("query= applies to database URLs only")
    path = _local_path(location)
    source = FileSource.from_path(path, name=filename or path.name)
    detected = wanted or detect_format(source)
    identity = {"location": location, "filename": filename}
    if detected in ("csv", "tsv"):
        return DelimitedReader(source, format=detected, chunk_rows=chunk_rows, identity=identity)
    if detected == "jsonl":
        return JsonLinesReader(source, chunk_rows=chunk_rows, identity=identity)
    if detected == "json":
        return JsonReader(source, chunk_rows=chunk_rows, identity=identity)
    return ParquetReader(source, chunk_rows=chunk_rows, identity=identity)


def plan_partitions(
    location: str,
    *,
    format: str | None = None,
    filename: str | None = None,
    query: str | None = None,
    target_rows: int,
) -> list[dict[str, Any]]:
    """
    Split a source into partitions of about ``target_rows`` rows for parallel workers.

    Returns JSON-serialisable descriptors (in source order) for :func:`read_partition`; reading them all in order
    yields exactly the rows of ``open_source(...).iter_chunks()``, in the same order. How each format splits:
    Parquet by row groups; uncompressed CSV/TSV/JSONL by line-aligned byte ranges (one partition when quoted line
    breaks show up in the sampled start of a CSV); SQL tables with a single-column integer/text primary key by key
    ranges; everything else (gzip, JSON, queries) is a single partition. A descriptor of a database source holds
    its URL as given, password included: treat descriptors as secrets there.
    """
    with open_source(location, format=format, filename=filename, query=query) as reader:
        return reader.plan_partitions(target_rows=target_rows)


def read_partition(descriptor: dict[str, Any], *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """
    Yield the rows of one partition from :func:`plan_partitions`, at most ``chunk_rows`` per DataFrame.

    Raises :class:`SourceReadError` when the descriptor is malformed or the source changed since planning.
    """
    if not isinstance(descriptor, dict) or descriptor.get("version") != PARTITION_VERSION:
        raise SourceReadError("not a partition descriptor of this Custodian version")
    try:
        location = descriptor["location"]
        fmt = descriptor["format"]
    except KeyError as error:
        raise SourceReadError(f"partition descriptor lacks {error.args[0]!r}") from None
    with open_source(
        location,
        format=fmt,
        filename=descriptor.get("filename"),
        query=descriptor.get("query"),
        chunk_rows=chunk_rows,
    ) as reader:
        if reader.columns != descriptor.get("columns"):
            raise SourceReadError("source changed since its partitions were planned: its columns differ")
        yield from reader.iter_partition(descriptor)


def detect_format(source: FileSource) -> str:
    """The format of a file from its name (``.gz`` looked through), else from its first bytes."""
    by_name = _format_from_name(source.name)
    return by_name or _sniff_format(source)


def _normalise_format(format: str | None) -> str | None:
    if format is None:
        return None
    name = format.strip().lower().lstrip(".")
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    name = {"ndjson": "jsonl", "tab": "tsv", "pq": "parquet"}.get(name, name)
    if name not in FORMATS:
        raise SourceReadError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    return name


def _format_from_name(name: str) -> str | None:
    lowered = name.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        lowered = lowered.removesuffix(suffix)
    return _EXTENSIONS.get(Path(lowered).suffix)


def _sniff_format(source: FileSource) -> str:
    head = source.read_head(_SNIFF_BYTES)
    if not head:
        raise SourceReadError("file is empty")
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    complete = len(head) < _SNIFF_BYTES
    text = decode_sample(head, detect_encoding(head, complete=complete), complete=complete).lstrip()
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        first_line = text.split("\n", 1)[0].strip()
        return "jsonl" if _is_json_object(first_line) else "json"
    first_line = text.split("\n", 1)[0]
    return "tsv" if "\t" in first_line and "," not in first_line else "csv"


def _is_json_object(text: str) -> bool:
    import json

    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _local_path(location: str) -> Path:
    if location.lower().startswith("file://"):
        parsed = urlparse(location)
        if parsed.netloc not in ("", "localhost"):
            raise SourceReadError(f"file:// URI names another host: {parsed.netloc}")
        return Path(unquote(parsed.path))
    if not location:
        raise SourceReadError("no location given")
    return Path(location).expanduser()
