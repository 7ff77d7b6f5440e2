"""Every format, plain and gzip, from paths, file:// URIs and uploads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.readers import open_source
from tests.catalog.readers.helpers import read_all

PEOPLE = [
    {"id": "1", "name": "Ann", "email": "ann@example.com"},
    {"id": "2", "name": "Bob", "email": None},
    {"id": "3", "name": "Zoë", "email": "zoe@example.com"},
]
CSV_TEXT = "id,name,email\n1,Ann,ann@example.com\n2,Bob,\n3,Zoë,zoe@example.com\n"
JSON_ROWS = [
    {"id": 1, "name": "Ann", "email": "ann@example.com"},
    {"id": 2, "name": "Bob", "email": None},
    {"id": 3, "name": "Zoë", "email": "zoe@example.com"},
]


@pytest.mark.parametrize("name", ["people.csv", "people.csv.gz"])
def test_csv_reads_every_cell_as_text(write, name):
    # given
    path = write(name, CSV_TEXT)
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
        # then
        assert reader.format == "csv"
        assert reader.columns == ["id", "name", "email"]
        assert reader.values_are_text is True
        assert reader.estimated_rows() == 3
        assert reader.size_bytes == path.stat().st_size
        assert reader.content_hash() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows == PEOPLE


@pytest.mark.parametrize("name", ["people.tsv", "people.tsv.gz"])
def test_tsv(write, name):
    # given
    path = write(name, CSV_TEXT.replace(",", "\t"))
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
        # then
        assert reader.format == "tsv"
    assert rows == PEOPLE


def test_csv_semicolon_delimiter_is_sniffed(write):
    # given
    path = write("people.csv", CSV_TEXT.replace(",", ";"))
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == PEOPLE


def test_csv_keeps_text_exactly_and_knows_null_tokens(write):
    # given
    path = write("codes.csv", 'zip,note\n02134,"a, quoted\nline"\n00501,NULL\n,N/A\n')
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == [
        {"zip": "02134", "note": "a, quoted\nline"},
        {"zip": "00501", "note": None},
        {"zip": None, "note": None},
    ]


def test_csv_blank_and_repeated_header_names_are_made_unique(write):
    # given
    path = write("dupes.csv", "a,,a,a\n1,2,3,4\n")
    # when
    with open_source(str(path)) as reader:
        columns = reader.columns
        rows = read_all(reader)
    # then
    assert columns == ["a", "column_2", "a_2", "a_3"]
    assert rows == [{"a": "1", "column_2": "2", "a_2": "3", "a_3": "4"}]


def test_csv_header_only_has_columns_and_no_rows(write):
    # given
    path = write("empty_table.csv", "id,name\n")
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
        columns = reader.columns
    # then
    assert columns == ["id", "name"]
    assert rows == []


@pytest.mark.parametrize("name", ["people.jsonl", "people.jsonl.gz", "people.ndjson"])
def test_jsonl(write, name):
    # given
    path = write(name, "\n".join(json.dumps(row) for row in JSON_ROWS) + "\n\n")
    # when
    with open_source(str(path)) as reader:
        chunks = list(reader.iter_chunks())
        # then
        assert reader.format == "jsonl"
        assert reader.values_are_text is False
        assert reader.estimated_rows() == 3
    assert [str(dtype) for dtype in chunks[0].dtypes] == ["Int64", "str", "str"]
    assert chunks[0].to_dict("list")["id"] == [1, 2, 3]
    assert chunks[0]["email"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize("name", ["people.json", "people.json.gz"])
def test_json_array_of_records(write, name):
    # given
    path = write(name, json.dumps(JSON_ROWS, indent=2))
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
        # then
        assert reader.format == "json"
        assert reader.columns == ["id", "name", "email"]
    assert rows == JSON_ROWS


def test_json_records_under_a_top_level_key(write):
    # given
    document = {"meta": {"source": "crm"}, "tags": ["a", "b"], "data": JSON_ROWS, "after": 1}
    path = write("export.json", json.dumps(document))
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == JSON_ROWS


def test_json_single_object_is_one_record(write):
    # given
    path = write("one.json", '{"id": 7, "name": "Eve"}')
    # when
    with open_source(str(path)) as reader:
        rows = read_all(reader)
    # then
    assert rows == [{"id": 7, "name": "Eve"}]


def test_json_keys_first_seen_late_become_extra_columns(write):
    # given
    path = write("late.jsonl", '{"a": 1}\n{"a": 2, "b": {"x": [1, 2]}}\n')
    # when
    with open_source(str(path)) as reader:
        columns = reader.columns
        rows = read_all(reader)
    # then
    assert columns == ["a", "b"]
    assert rows == [{"a": 1, "b": None}, {"a": 2, "b": '{"x":[1,2]}'}]


def test_json_streams_a_file_larger_than_its_read_blocks(write):
    # given
    rows = [{"n": index, "text": "x" * 50} for index in range(30_000)]  # ~2 MB, read in 1 MiB blocks
    path = write("big.json", json.dumps(rows))
    # when
    with open_source(str(path), chunk_rows=7_000) as reader:
        sizes = [len(chunk) for chunk in reader.iter_chunks()]
        first_and_last = read_all(reader)[0::29_999]
    # then
    assert sizes == [7_000, 7_000, 7_000, 7_000, 2_000]
    assert first_and_last == [{"n": 0, "text": "x" * 50}, {"n": 29_999, "text": "x" * 50}]


@pytest.mark.parametrize("name", ["people.parquet", "people.parquet.gz"])
def test_parquet(write, tmp_path, name):
    # given
    table = pa.table({"id": pa.array([1, None, 3]), "name": ["Ann", "Bob", None], "score": [0.5, 1.5, None]})
    plain = tmp_path / "source.parquet"
    pq.write_table(table, plain)
    path = write(name, plain.read_bytes())
    # when
    with open_source(str(path)) as reader:
        chunks = list(reader.iter_chunks())
        # then
        assert reader.format == "parquet"
        assert reader.columns == ["id", "name", "score"]
        assert reader.estimated_rows() == 3
    assert [str(dtype) for dtype in chunks[0].dtypes] == ["Int64", "str", "float64"]
    assert chunks[0]["id"].tolist() == [1, pd.NA, 3]


def test_chunks_hold_at_most_chunk_rows(write):
    # given
    path = write("numbers.csv", "n\n" + "".join(f"{i}\n" for i in range(10)))
    # when
    with open_source(str(path), chunk_rows=4) as reader:
        chunks = [chunk["n"].tolist() for chunk in reader.iter_chunks()]
    # then
    assert chunks == [["0", "1", "2", "3"], ["4", "5", "6", "7"], ["8", "9"]]


def test_file_uri(write):
    # given
    path = write("with space.csv", CSV_TEXT)
    uri = "file://" + str(path).replace(" ", "%20")
    # when
    with open_source(uri) as reader:
        rows = read_all(reader)
    # then
    assert rows == PEOPLE


def test_uploaded_temp_file_takes_its_format_from_the_original_name(write):
    # given
    path = write("tmpa8f3kq", "\n".join(json.dumps(row) for row in JSON_ROWS).encode() + b"\n")
    # when
    with open_source(str(path), filename="people.jsonl.gz") as reader:
        fmt = reader.format
        rows = read_all(reader)
    # then
    assert fmt == "jsonl"
    assert rows == JSON_ROWS


def test_explicit_format_wins_over_the_extension(write):
    # given
    path = write("export.txt", CSV_TEXT.replace(",", "\t"))
    # when
    with open_source(str(path), format="tsv") as reader:
        rows = read_all(reader)
    # then
    assert rows == PEOPLE


@pytest.mark.parametrize(
    ("_case", "content", "expected"),
    [
        ("csv", CSV_TEXT, "csv"),
        ("tsv", CSV_TEXT.replace(",", "\t"), "tsv"),
        ("json array", json.dumps(JSON_ROWS), "json"),
        ("json object", json.dumps({"data": JSON_ROWS}, indent=1), "json"),
        ("jsonl", "\n".join(json.dumps(row) for row in JSON_ROWS), "jsonl"),
    ],
)
def test_format_is_sniffed_from_content_without_a_known_extension(write, _case, content, expected):
    # given
    path = write("upload.bin", content)
    # when
    with open_source(str(path)) as reader:
        fmt = reader.format
        rows = read_all(reader)
    # then
    assert fmt == expected
    assert len(rows) == 3


def test_parquet_and_gzip_are_sniffed_from_magic_bytes(write, tmp_path):
    # given
    plain = tmp_path / "source.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), plain)
    path = write("upload.gz", plain.read_bytes())
    # when
    with open_source(str(path)) as reader:
        fmt = reader.format
        rows = read_all(reader)
    # then
    assert fmt == "parquet"
    assert rows == [{"a": 1}, {"a": 2}]


def test_gzip_parquet_temporary_copy_is_removed_on_close(write, tmp_path):
    # given
    plain = tmp_path / "source.parquet"
    pq.write_table(pa.table({"a": [1]}), plain)
    path = write("data.parquet.gz", plain.read_bytes())
    reader = open_source(str(path))
    temporary = reader._temporary
    # when
    reader.close()
    # then
    assert temporary is not None
    assert Path(temporary).exists() is False


@pytest.mark.parametrize("name", ["wide.csv", "wide.csv.gz", "wide.jsonl"])
def test_row_estimate_of_files_larger_than_the_sample(write, name):
    # given: 200,000 fixed-width rows (2.2 MB), more than the 1 MiB sample
    if name.endswith(".jsonl"):
        content = "".join(f'{{"n": "{index:07d}"}}\n' for index in range(200_000))
    else:
        content = "n,t\n" + "".join(f"{index:07d},x\n" for index in range(200_000))
    path = write(name, content)
    # when
    with open_source(str(path)) as reader:
        estimate = reader.estimated_rows()
    # then
    assert estimate == 200_000
