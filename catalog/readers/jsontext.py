"""
JSON and JSON Lines files, streamed.

JSONL: one object per line (blank lines skipped), parsed a chunk at a time. Splittable into byte ranges cut after a
line feed (a JSON string cannot hold a raw line break), when the file is uncompressed and in a line-safe encoding.

JSON: an array of records (``[{…}, {…}]``), or an object whose first member holding an array of objects is the
records (``{"meta": …, "data": [{…}]}``; members after that array are not read), or a single object, which is one
record. The array is parsed one record at a time with the standard library's scanner, so memory is bounded by the
chunk, not the file; a single value above 256 MiB is refused. Always one partition.

Columns are the keys of the first 1,000 records, in order of first appearance; a key first seen later becomes an
extra column of the chunks that hold it. Nested objects and arrays become compact JSON text.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import pandas as pd

from catalog.readers.base import FileSource, SourceReader, count_newlines, line_aligned_cuts, translate_file_errors
from catalog.readers.encoding import TextEncoding, decode_sample, detect_encoding
from catalog.readers.errors import SourceReadError
from catalog.readers.frames import frame_from_records

__all__ = ("JsonLinesReader", "JsonReader")

SAMPLE_BYTES = 1 << 20
SAMPLE_RECORDS = 1_000
_BLOCK_CHARS = 1 << 20
_MAX_VALUE_CHARS = 256 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _TextFileReader(SourceReader):
    """Shared set-up of the JSON formats: encoding detection on the first MiB."""

    def __init__(self, source: FileSource, *, chunk_rows: int, identity: dict[str, Any]) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self.source = source
        self._identity_fields = identity
        head = source.read_head(SAMPLE_BYTES)
        if not head:
            raise SourceReadError("file is empty")
        self._sample_is_complete = len(head) < SAMPLE_BYTES
        self.encoding: TextEncoding = detect_encoding(head, complete=self._sample_is_complete)
        self._sample_text = decode_sample(head, self.encoding, complete=self._sample_is_complete)
        if not self._sample_text.strip():
            raise SourceReadError("source has no columns")
        self._bytes_per_char = len(head) / max(1, len(self._sample_text))
        self._sample_records = 0
        self._sample_chars = 0

    @property
    def size_bytes(self) -> int:
        return self.source.size_bytes

    def content_hash(self) -> str:
        return self.source.sha256()

    def estimated_rows(self) -> int | None:
        if self._sample_is_complete:
            return self._sample_records
        total = self.source.uncompressed_size_hint()
        if total is None or not self._sample_records or not self._sample_chars:
            return None
        return round(total * self._sample_records / (self._sample_chars * self._bytes_per_char))

    def _identity(self) -> dict[str, Any]:
        return self._identity_fields

    def _text_stream(self, *, start: int, end: int | None = None) -> TextIO:
        return io.TextIOWrapper(self.source.open_stream(start=start, end=end), encoding=self.encoding.codec, newline="")

    def _translate(self) -> Any:
        return translate_file_errors(self.source.path, encoding_label=self.encoding.label)

    def _set_columns(self, records: list[dict[str, Any]]) -> None:
        self.columns = list(dict.fromkeys(key for record in records for key in record))
        if not self.columns:
            raise SourceReadError("source has no columns")


#
# JSON Lines
#


class JsonLinesReader(_TextFileReader):
    """A JSON Lines (NDJSON) file, plain or gzip."""

    format = "jsonl"

    def __init__(self, source: FileSource, *, chunk_rows: int, identity: dict[str, Any]) -> None:
        super().__init__(source, chunk_rows=chunk_rows, identity=identity)
        lines = self._sample_text.splitlines(keepends=True)
        if not self._sample_is_complete and lines:
            lines = lines[:-1]  # the last line of a partial sample may be cut
        sample: list[str] = []
        numbers: list[int] = []
        for number, line in enumerate(lines, start=1):
            self._sample_chars += len(line)
            if line and not line.isspace():
                sample.append(line)
                numbers.append(number)
        self._sample_records = len(sample)
        self._set_columns(_parse_lines(sample[:SAMPLE_RECORDS], numbers[:SAMPLE_RECORDS], line_offset=lambda: 0))

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        yield from self._iter_range(start=self.encoding.bom_length, end=None)

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        if target_rows < 1:
            raise ValueError("target_rows must be at least 1")
        estimate = self.estimated_rows()
        fields = {"encoding": self.encoding.codec, **self.source.descriptor_fields()}
        if (
            self.source.compression is not None
            or not self.encoding.splits_on_newline_bytes
            or estimate is None
            or estimate <= target_rows
        ):
            return [self._descriptor(kind="whole", index=0, count=1, **fields)]
        cuts = line_aligned_cuts(
            self.source, start=self.encoding.bom_length, end=self.source.size_bytes, parts=-(-estimate // target_rows)
        )
        ranges = list(zip(cuts[:-1], cuts[1:], strict=True))
        return [
            self._descriptor(kind="byte_range", index=index, count=len(ranges), start=start, end=end, **fields)
            for index, (start, end) in enumerate(ranges)
        ]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        self.source.check_unchanged(size_bytes=descriptor["size_bytes"], mtime_ns=descriptor["mtime_ns"])
        if descriptor.get("encoding") != self.encoding.codec or descriptor.get("columns") != self.columns:
            raise SourceReadError(f"source changed since its partitions were planned: {self.source.display}")
        if descriptor["kind"] == "whole":
            yield from self.iter_chunks()
        elif descriptor["kind"] == "byte_range":
            yield from self._iter_range(start=int(descriptor["start"]), end=int(descriptor["end"]))
        else:
            raise SourceReadError(f"partition kind {descriptor['kind']!r} does not apply to jsonl sources")

    def _iter_range(self, *, start: int, end: int | None) -> Iterator[pd.DataFrame]:
        def line_offset() -> int:
            if start <= self.encoding.bom_length:
                return 0
            with self._translate():
                return count_newlines(self.source, start=0, end=start)

        with self._translate(), self._text_stream(start=start, end=end) as text:
            lines: list[str] = []
            numbers: list[int] = []
            for number, line in enumerate(text, start=1):
                if line and not line.isspace():
                    lines.append(line)
                    numbers.append(number)
                    if len(lines) == self.chunk_rows:
                        yield frame_from_records(_parse_lines(lines, numbers, line_offset), columns=self.columns)
                        lines, numbers = [], []
            if lines:
                yield frame_from_records(_parse_lines(lines, numbers, line_offset), columns=self.columns)


def _parse_lines(lines: list[str], numbers: list[int], line_offset: Callable[[], int]) -> list[dict[str, Any]]:
    """Parse JSONL lines into dicts at C speed; on failure, find the first bad line for the message."""
    try:
        records = json.loads("[" + ",".join(lines) + "]")
    except (json.JSONDecodeError, RecursionError):
        records = None
    if records is not None and len(records) == len(lines) and all(type(record) is dict for record in records):
        return records
    for line, number in zip(lines, numbers, strict=True):
        try:
            value = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            raise SourceReadError(
                f"malformed JSON on line {line_offset() + number:,}: {error.msg} (column {error.colno:,})"
            ) from None
        except RecursionError:
            raise SourceReadError(f"JSON nested too deeply on line {line_offset() + number:,}") from None
        if type(value) is not dict:
            raise SourceReadError(f"JSONL line {line_offset() + number:,} is not a JSON object")
    raise SourceReadError("malformed JSON Lines content")  # pragma: no cover - every line parsed on its own


#
# JSON
#


class JsonReader(_TextFileReader):
    """A JSON document holding records, plain or gzip; read as one partition."""

    format = "json"

    def __init__(self, source: FileSource, *, chunk_rows: int, identity: dict[str, Any]) -> None:
        super().__init__(source, chunk_rows=chunk_rows, identity=identity)
        sample: list[dict[str, Any]] = []
        with self._translate(), self._text_stream(start=self.encoding.bom_length) as text:
            cursor = _Cursor(text)
            records = _records(cursor)
            for record in records:
                if len(sample) < SAMPLE_RECORDS:
                    sample.append(record)
                self._sample_records += 1
                if cursor.chars_consumed() >= len(self._sample_text):
                    break  # past the first MiB: enough for the columns and the size estimate
            else:
                self._sample_is_complete = True
            self._sample_chars = cursor.chars_consumed()
        self._set_columns(sample)

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        with self._translate(), self._text_stream(start=self.encoding.bom_length) as text:
            batch: list[dict[str, Any]] = []
            for record in _records(_Cursor(text)):
                batch.append(record)
                if len(batch) == self.chunk_rows:
                    yield frame_from_records(batch, columns=self.columns)
                    batch = []
            if batch:
                yield frame_from_records(batch, columns=self.columns)

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        return [self._descriptor(kind="whole", index=0, count=1, **self.source.descriptor_fields())]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        self.source.check_unchanged(size_bytes=descriptor["size_bytes"], mtime_ns=descriptor["mtime_ns"])
        yield from super().iter_partition(descriptor)


class _Cursor:
    """A growing window over a text stream that parses one JSON value at a time."""

    def __init__(self, text: TextIO) -> None:
        self._text = text
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self._dropped_chars = 0
        self._dropped_lines = 0

    def chars_consumed(self) -> int:
        return self._dropped_chars + self.pos

    def line(self, position: int | None = None) -> int:
        """1-based line number of ``position`` in the buffer (default: the cursor)."""
        at = self.pos if position is None else position
        return self._dropped_lines + self.buffer.count("\n", 0, at) + 1

    def fill(self) -> bool:
        """Drop consumed text and read another block; False at end of input."""
        if self.eof:
            return False
        if self.pos:
            self._dropped_lines += self.buffer.count("\n", 0, self.pos)
            self._dropped_chars += self.pos
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        block = self._text.read(max(_BLOCK_CHARS, len(self.buffer)))
        if not block:
            self.eof = True
            return False
        self.buffer += block
        return True

    def peek(self) -> str:
        """The next non-whitespace character, not consumed ("" at end of input)."""
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.fill():
                return ""

    def peek_inside(self) -> str:
        """The first non-whitespace character after the one at the cursor (used to look into an array)."""
        while True:
            index = _WHITESPACE.match(self.buffer, self.pos + 1).end()  # type: ignore[union-attr]
            if index < len(self.buffer):
                return self.buffer[index]
            if not self.fill():
                return ""

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            found = "the end of the file" if not char else repr(char)
            wanted = " or ".join(repr(c) for c in allowed)
            raise SourceReadError(f"malformed JSON at line {self.line():,}: expected {wanted}, found {found}")
        self.pos += 1
        return char

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if not self.eof and _maybe_cut(error, len(self.buffer)):
                    if len(self.buffer) - self.pos > _MAX_VALUE_CHARS:
                        raise SourceReadError(
                            f"JSON value at line {self.line():,} is larger than {_MAX_VALUE_CHARS:,} characters"
                        ) from None
                    self.fill()
                    continue
                raise SourceReadError(f"malformed JSON at line {self.line(error.pos):,}: {error.msg}") from None
            except RecursionError:
                raise SourceReadError(f"JSON nested too deeply at line {self.line():,}") from None
            if end == len(self.buffer) and not self.eof and isinstance(value, (int, float)) and self.fill():
                continue  # a number at the end of the buffer may go on in the next block
            self.pos = end
            return value


def _maybe_cut(error: json.JSONDecodeError, length: int) -> bool:
    return error.pos >= length - 64 or error.msg.startswith("Unterminated string")


def _records(cursor: _Cursor) -> Iterator[dict[str, Any]]:
    first = cursor.peek()
    if first == "[":
        cursor.pos += 1
        yield from _array_records(cursor)
        _expect_end(cursor)
    elif first == "{":
        cursor.pos += 1
        yield from _object_records(cursor)
    elif not first:
        raise SourceReadError("source has no columns")
    else:
        raise SourceReadError("JSON must be an array of records or an object holding one")


def _array_records(cursor: _Cursor) -> Iterator[dict[str, Any]]:
    if cursor.peek() == "]":
        cursor.pos += 1
        return
    number = 0
    while True:
        item = cursor.value()
        number += 1
        if type(item) is not dict:
            raise SourceReadError(f"JSON record {number:,} (line {cursor.line():,}) is not an object")
        yield item
        if cursor.expect(",]") == "]":
            return


def _object_records(cursor: _Cursor) -> Iterator[dict[str, Any]]:
    members: dict[str, Any] = {}
    if cursor.peek() == "}":
        cursor.pos += 1
        yield members
        return
    while True:
        if cursor.peek() != '"':
            raise SourceReadError(f"malformed JSON at line {cursor.line():,}: expected a member name")
        key = cursor.value()
        cursor.expect(":")
        if cursor.peek() == "[" and cursor.peek_inside() == "{":
            cursor.pos += 1
            yield from _array_records(cursor)
            return
        members[key] = cursor.value()
        if cursor.expect(",}") == "}":
            _expect_end(cursor)
            yield members
            return


def _expect_end(cursor: _Cursor) -> None:
    if cursor.peek():
        raise SourceReadError(f"malformed JSON at line {cursor.line():,}: unexpected content after the records")
