"""
Source readers: stream CSV, TSV, JSON, JSONL and Parquet files (each optionally gzip) and SQL tables or queries as
pandas DataFrames in bounded memory, optionally split into partitions for parallel workers.

Pure library code: no Django, no settings; every parameter is explicit. Every failure a user can cause raises
:class:`SourceReadError` with a one-line ``reason``.

    with open_source("/data/customers.csv.gz") as reader:
        reader.columns, reader.estimated_rows(), reader.content_hash()
        for chunk in reader.iter_chunks():          # DataFrames of at most chunk_rows rows
            ...

    descriptors = plan_partitions("/data/events.parquet", target_rows=1_000_000)   # JSON-serialisable
    for chunk in read_partition(descriptors[0]):   # in a worker
        ...
"""

from catalog.readers.api import FORMATS, open_source, plan_partitions, read_partition
from catalog.readers.base import DEFAULT_CHUNK_ROWS, SourceReader
from catalog.readers.errors import SourceReadError

__all__ = (
    "DEFAULT_CHUNK_ROWS",
    "FORMATS",
    "SourceReadError",
    "SourceReader",
    "open_source",
    "plan_partitions",
    "read_partition",
)
