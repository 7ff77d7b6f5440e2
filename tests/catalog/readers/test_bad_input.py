"""Every bad input a user can hand over ends in SourceReadError with a one-line reason."""

from __future__ import annotations

import gzip
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.readers import SourceReadError, open_source
from tests.catalog.readers.helpers import read_all


def read_everything(location: str, **options: object) -> None:
    with open_source(location, **options) as reader:
        read_all(reader)


@pytest.mark.parametrize(
    ("_case", "name", "content", "reason"),
    [
        ("empty csv", "empty.csv", b"", "file is empty"),
        ("empty gzip content", "empty.csv.gz", b"", "file is empty"),
        ("empty json", "empty.json", b"", "file is empty"),
        ("empty parquet", "empty.parquet", b"", "file is empty"),
        ("csv of blank lines", "blank.csv", b"\n\n   \n\r\n", "source has no columns"),
        ("empty json object", "brace.json", b"{}", "source has no columns"),
        ("empty json array", "brackets.json", b"[ ]", "source has no columns"),
        ("jsonl of empty objects", "braces.jsonl", b"{}\n{}\n", "source has no columns"),
        ("json scalar", "scalar.json", b"42", "JSON must be an array of records or an object holding one"),
        ("json array of scalars", "numbers.json", b"[1, 2]", "JSON record 1 (line 1) is not an object"),
        (
            "malformed json",
            "bad.json",
            b'[{"a": 1},\n {"a": 2},\n {"a" 3}]',
            "malformed JSON at line 3: Expecting ':' delimiter",
        ),
        (
            "truncated json",
            "cut.json",
            b'[{"a": 1},\n {"a": "xy',
            "malformed JSON at line 2: Unterminated string starting at",
        ),
        (
            "malformed jsonl line",
            "bad.jsonl",
            b'{"a": 1}\n{"a": 2}\n\n{"a": 3,}\n',
            "malformed JSON on line 4: Expecting property name enclosed in double quotes (column 9)",
        ),
        ("jsonl line that is not an object", "list.jsonl", b'{"a": 1}\n[1, 2]\n', "JSONL line 2 is not a JSON object"),
        (
            "binary junk",
            "junk.csv",
            bytes(range(256)) * 8,
            "could not decode as UTF-8/UTF-16/Latin-1: binary content (NUL byte at byte 0)",
        ),
        (
            "parquet named file that is text",
            "data.parquet",
            b"a,b\n1,2\n",
            "not a Parquet file: the PAR1 header is missing",
        ),
    ],
)
def test_bad_files(write, _case, name, content, reason):
    # given
    path = write(name, content)
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == reason
    assert str(raised.value) == reason


def test_random_bytes_are_binary_junk(write):
    # given
    junk = random.Random(7).randbytes(4_096)
    path = write("upload.csv", junk)
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert (
        raised.value.reason
        == f"could not decode as UTF-8/UTF-16/Latin-1: binary content (NUL byte at byte {junk.index(0):,})"
    )


def test_ragged_csv_row_is_reported_with_its_number(write):
    # given
    content = "a,b,c,d,e\n" + "1,2,3,4,5\n" * 1_203 + "1,2,3,4,5,6,7\n" + "1,2,3,4,5\n" * 10
    path = write("ragged.csv", content)
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "CSV row 1,204 has 7 fields, header has 5 (line 1,205)"


def test_short_csv_row_counts_blank_lines_in_lines_not_rows(write):
    # given
    path = write("short.csv", "a,b\n1,2\n\n3\n")
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "CSV row 2 has 1 field, header has 2 (line 4)"


def test_invalid_utf8_after_the_sample(write):
    # given
    path = write("late.csv", b"a\n" + b"x\n" * 600_000 + b"\xff\xfe\xfa\n")
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == (
        "could not decode as UTF-8: invalid byte sequence after the first 1,048,576 bytes "
        "(the encoding was detected from the start of the file)"
    )


def test_truncated_gzip(tmp_path):
    # given
    rows = "".join(f"{index},{random.Random(index).random()}\n" for index in range(20_000))
    compressed = gzip.compress(("n,x\n" + rows).encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "truncated gzip file: the compressed stream ends early"


def test_truncated_parquet(tmp_path):
    # given
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"a": list(range(1_000))}), whole)
    data = whole.read_bytes()
    path = tmp_path / "cut.parquet"
    path.write_bytes(data[: len(data) // 2])
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "truncated Parquet file: footer missing"


def test_parquet_without_columns(tmp_path):
    # given
    path = tmp_path / "nothing.parquet"
    pq.write_table(pa.table({}), path)
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "source has no columns"


def test_missing_file(tmp_path):
    # given
    path = tmp_path / "nope.csv"
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == f"no such file: {path}"


def test_directory_is_not_a_file(tmp_path):
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(tmp_path))
    # then
    assert raised.value.reason == f"not a file but a directory: {tmp_path}"


@pytest.mark.parametrize(
    ("_case", "location", "options", "reason"),
    [
        (
            "unknown scheme",
            "s3://bucket/key.csv",
            {},
            "unsupported location: s3://bucket/key.csv (expected a file path, file:// URI or database URL)",
        ),
        (
            "unknown format",
            "/tmp/x.csv",
            {"format": "xlsx"},
            "unknown format 'xlsx': expected one of csv, tsv, json, jsonl, parquet, sql",
        ),
        ("query on a file", "/tmp/x.csv", {"query": "select 1"}, "query= applies to database URLs only"),
        ("remote file uri", "file://server/share/x.csv", {}, "file:// URI names another host: server"),
    ],
)
def test_bad_locations(_case, location, options, reason):
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(location, **options)
    # then
    assert raised.value.reason == reason


def test_error_never_echoes_row_content(write):
    # given
    path = write("secret.csv", "name,ssn\nAnn,123-45-6789,extra\n")
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything(str(path))
    # then
    assert raised.value.reason == "CSV row 1 has 3 fields, header has 2 (line 2)"
    assert "123-45-6789" not in json.dumps(raised.value.reason)


def test_credentials_are_scrubbed_from_location_messages():
    # when
    with pytest.raises(SourceReadError) as raised:
        read_everything("s3://reader:t0ps3cret@bucket/people.csv?token=abc123")
    # then
    assert raised.value.reason == (
        "unsupported location: s3://reader:***@bucket/people.csv?token=*** "
        "(expected a file path, file:// URI or database URL)"
    )
