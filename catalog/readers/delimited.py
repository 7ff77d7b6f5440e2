"""
CSV and TSV files, parsed by pyarrow's streaming CSV reader.

Every cell is read as text, exactly as written (``"007"`` stays ``"007"``): the PII scanner and the subject-key
index need the source's characters, and a column's type is the profiler's business. Empty cells and the usual
null tokens (``NULL``, ``NA``, ``N/A``, ``NaN``, ``None`` …) are null; blank lines are skipped. The header row names
the columns: blank names become ``column_<n>``, repeated names get ``_2``, ``_3`` ….

Partitions: an uncompressed file in a line-safe encoding (UTF-8, Latin-1, Windows code pages) is split into byte
ranges cut right after a line feed; every range re-uses the header. A line feed inside a quoted value would make such
a cut land inside a record, so when the sampled start of the file shows a quoted line break (or bare ``\\r`` line
ends) the file is one partition. A quoted line break that first appears after the sample is not detected and can
make a partition fail with a field-count error (never silently mis-read: a cut record has the wrong field count
unless the quoted text itself looks like delimited rows).
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from catalog.readers.base import FileSource, SourceReader, line_aligned_cuts, translate_file_errors
from catalog.readers.encoding import decode_sample, detect_encoding
from catalog.readers.errors import SourceReadError
from catalog.readers.frames import unique_names

__all__ = ("NULL_TOKENS", "DelimitedReader")

SAMPLE_BYTES = 1 << 20
NULL_TOKENS = ("", "NULL", "null", "Null", "NA", "N/A", "n/a", "NaN", "nan", "None", "none", "<NA>", "#N/A")
_DELIMITERS = (",", "\t", ";", "|")
_LINE_END = re.compile(r"\r\n|\r|\n")
_BARE_CR = re.compile(r"\r(?!\n)")
_MIN_BLOCK = 2 << 20
_MAX_BLOCK = 32 << 20


class DelimitedReader(SourceReader):
    """A CSV (delimiter sniffed among ``, ; | tab``) or TSV file, plain or gzip."""

    values_are_text = True

    def __init__(self, source: FileSource, *, format: str, chunk_rows: int, identity: dict[str, Any]) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self.format = format
        self.source = source
        self._identity_fields = identity
        head = source.read_head(SAMPLE_BYTES)
        if not head:
            raise SourceReadError("file is empty")
        complete = len(head) < SAMPLE_BYTES
        self.encoding = detect_encoding(head, complete=complete)
        text = decode_sample(head, self.encoding, complete=complete)
        if not text.strip():
            raise SourceReadError("source has no columns")
        if not complete:
            # Only whole lines of the sample are looked at.
            last_break = max(text.rfind("\n"), text.rfind("\r"))
            text = text[: last_break + 1] if last_break >= 0 else ""
        self.delimiter = "\t" if format == "tsv" else _sniff_delimiter(text)
        self._layout(text, complete=complete)

    #
    # Layout
    #

    def _layout(self, text: str, *, complete: bool) -> None:
        _raise_csv_field_limit()
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        header: list[str] | None = None
        for record in reader:
            if record:
                header = record
                break
        if header is None:
            if complete:
                raise SourceReadError("source has no columns")
            raise SourceReadError(f"CSV header not found in the first {SAMPLE_BYTES:,} bytes")
        self.header_lines = reader.line_num
        self.columns = unique_names(header)
        header_end = _end_of_line(text, self.header_lines)
        if header_end is None:
            if not complete:
                raise SourceReadError(f"CSV header is longer than {SAMPLE_BYTES:,} bytes")
            header_end = len(text)
        self.data_start = self.encoding.bom_length + len(text[:header_end].encode(self.encoding.codec))
        records = 0
        multiline = bool(_BARE_CR.search(text))
        for record in reader:
            if record:
                records += 1
                multiline = multiline or any("\n" in field or "\r" in field for field in record)
        # Upper bound in bytes (4 per character) of the longest line seen; sizes pyarrow's blocks.
        self._longest_record_bytes = 4 * max((len(line) for line in text.splitlines()), default=0)
        self._sample_records = records
        self._sample_is_complete = complete
        self._sample_data_bytes = len(text[header_end:].encode(self.encoding.codec))
        self._multiline = multiline

    #
    # Reader interface
    #

    @property
    def size_bytes(self) -> int:
        return self.source.size_bytes

    def content_hash(self) -> str:
        return self.source.sha256()

    def estimated_rows(self) -> int | None:
        if self._sample_is_complete:
            return self._sample_records
        total = self.source.uncompressed_size_hint()
        if total is None or self._sample_records == 0:
            return None
        return round((total - self.data_start) * self._sample_records / self._sample_data_bytes)

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        yield from self._iter_range(start=self.data_start, end=None)

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        if target_rows < 1:
            raise ValueError("target_rows must be at least 1")
        estimate = self.estimated_rows()
        splittable = (
            self.source.compression is None
            and self.encoding.splits_on_newline_bytes
            and not self._multiline
            and estimate is not None
            and estimate > target_rows
        )
        if not splittable:
            return [self._descriptor(kind="whole", index=0, count=1, **self._layout_fields())]
        cuts = line_aligned_cuts(
            self.source,
            start=self.data_start,
            end=self.source.size_bytes,
            parts=math.ceil(estimate / target_rows),
        )
        ranges = list(zip(cuts[:-1], cuts[1:], strict=True))
        return [
            self._descriptor(
                kind="byte_range", index=index, count=len(ranges), start=start, end=end, **self._layout_fields()
            )
            for index, (start, end) in enumerate(ranges)
        ]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        self._check_layout(descriptor)
        if descriptor["kind"] == "whole":
            yield from self.iter_chunks()
            return
        if descriptor["kind"] != "byte_range":
            raise SourceReadError(f"partition kind {descriptor['kind']!r} does not apply to {self.format} sources")
        yield from self._iter_range(start=int(descriptor["start"]), end=int(descriptor["end"]))

    def _identity(self) -> dict[str, Any]:
        return self._identity_fields

    def _layout_fields(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding.codec,
            "delimiter": self.delimiter,
            "data_start": self.data_start,
            **self.source.descriptor_fields(),
        }

    def _check_layout(self, descriptor: dict[str, Any]) -> None:
        self.source.check_unchanged(size_bytes=descriptor["size_bytes"], mtime_ns=descriptor["mtime_ns"])
        expected = {key: descriptor.get(key) for key in ("encoding", "delimiter", "data_start", "columns")}
        actual = {**self._layout_fields(), "columns": self.columns}
        if any(actual[key] != value for key, value in expected.items()):
            raise SourceReadError(f"source changed since its partitions were planned: {self.source.display}")

    #
    # Reading
    #

    def _iter_range(self, *, start: int, end: int | None) -> Iterator[pd.DataFrame]:
        if end is not None and end <= start:
            return
        column_types = {name: pa.string() for name in self.columns}
        block_size = _block_size(self._longest_record_bytes)
        with translate_file_errors(self.source.path, encoding_label=self.encoding.label):
            stream = self.source.open_stream(start=start, end=end)
            try:
                try:
                    batches = pa_csv.open_csv(
                        stream,
                        read_options=pa_csv.ReadOptions(
                            column_names=self.columns,
                            block_size=block_size,
                            encoding="utf8" if self.encoding.codec == "utf_8" else self.encoding.codec,
                        ),
                        parse_options=pa_csv.ParseOptions(
                            delimiter=self.delimiter, newlines_in_values=True, ignore_empty_lines=True
                        ),
                        convert_options=pa_csv.ConvertOptions(
                            column_types=column_types,
                            null_values=list(NULL_TOKENS),
                            strings_can_be_null=True,
                        ),
                    )
                except pa.ArrowInvalid as error:
                    if "Empty CSV file" in str(error):
                        return
                    raise
                yield from _rechunk(batches, self.chunk_rows)
            except pa.ArrowInvalid as error:
                raise self._explain(error, start=start, end=end) from None
            finally:
                stream.close()

    def _explain(self, error: pa.ArrowInvalid, *, start: int, end: int | None) -> SourceReadError:
        message = str(error)
        if "invalid UTF8" in message:
            return SourceReadError(
                f"could not decode as {self.encoding.label}: invalid byte sequence after the first "
                f"{SAMPLE_BYTES:,} bytes (the encoding was detected from the start of the file)"
            )
        if "straddling object" in message:
            block = _block_size(self._longest_record_bytes)
            return SourceReadError(f"a CSV record is longer than {block:,} bytes (or a quote is never closed)")
        if "columns, got" in message:
            try:
                located = self._locate_ragged_row(start=start, end=end)
            except csv.Error:
                located = None  # the stricter csv module gave up (e.g. a NUL byte): report without a row number
            if located is not None:
                row, line, fields = located
                return SourceReadError(
                    f"CSV row {row:,} has {fields:,} field{'' if fields == 1 else 's'}, "
                    f"header has {len(self.columns):,} (line {line:,})"
                )
            found = re.search(r"Expected (\d+) columns, got (\d+)", message)
            if found:
                return SourceReadError(f"a CSV row has {found[2]} fields, header has {found[1]}")
        # Never echo parser context: it quotes the row, which may hold personal data.
        return SourceReadError(f"could not parse {self.format.upper()}: {message.split(':')[0]}")

    def _locate_ragged_row(self, *, start: int, end: int | None) -> tuple[int, int, int] | None:
        """(data row number, line number, field count) of the first record whose field count is wrong."""
        _raise_csv_field_limit()
        with translate_file_errors(self.source.path, encoding_label=self.encoding.label):
            lines_before, rows_before = self._lines_and_rows_before(start)
            with io.TextIOWrapper(
                self.source.open_stream(start=start, end=end), encoding=self.encoding.codec, newline=""
            ) as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                row = rows_before
                previous_line = 0
                for record in reader:
                    if record:
                        row += 1
                        if len(record) != len(self.columns):
                            return row, lines_before + previous_line + 1, len(record)
                    previous_line = reader.line_num
        return None

    def _lines_and_rows_before(self, offset: int) -> tuple[int, int]:
        """Physical lines and non-blank data rows before byte ``offset`` (no quoted line breaks assumed)."""
        if offset <= self.data_start:
            return self.header_lines, 0
        newlines = blanks = 0
        previous = b"\n\n"  # the header ended a line: a data range starting with a line feed starts with a blank line
        with self.source.open_stream(start=self.data_start, end=offset) as stream:
            for block in iter(lambda: stream.read(8 << 20), b""):
                data = np.frombuffer(previous + block, dtype=np.uint8)
                is_lf = data == 10
                newlines += int(is_lf[len(previous) :].sum())
                if len(data) > 2:
                    # A blank line is a LF right after a LF, or after CR LF.
                    blank = is_lf[2:] & (is_lf[1:-1] | ((data[1:-1] == 13) & is_lf[:-2]))
                    blanks += int(blank[max(0, len(previous) - 2) :].sum())
                previous = bytes(data[-2:])
        return self.header_lines + newlines, newlines - blanks


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if counts[0] == 0:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _end_of_line(text: str, line_number: int) -> int | None:
    for count, match in enumerate(_LINE_END.finditer(text), start=1):
        if count == line_number:
            return match.end()
    return None


def _block_size(longest_record_bytes: int) -> int:
    # pyarrow keeps a few dozen blocks in flight: small blocks keep memory flat (~100 MiB at 2 MiB), but a record
    # must fit in one block.
    return int(min(_MAX_BLOCK, max(_MIN_BLOCK, 16 * longest_record_bytes)))


def _rechunk(batches: Iterator[pa.RecordBatch], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Regroup pyarrow's block-sized batches into DataFrames of exactly ``chunk_rows`` rows (the last: fewer)."""
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows < chunk_rows:
            continue
        table = pa.Table.from_batches(pending)
        offset = 0
        while pending_rows - offset >= chunk_rows:
            yield table.slice(offset, chunk_rows).to_pandas()
            offset += chunk_rows
        rest = table.slice(offset)
        pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        yield pa.Table.from_batches(pending).to_pandas()


def _raise_csv_field_limit() -> None:
    # The csv module refuses fields over 128 KiB by default; pyarrow does not, so neither may the fallbacks.
    if csv.field_size_limit() < sys.maxsize // 2:
        csv.field_size_limit(sys.maxsize // 2)
