"""Partitions: JSON-serialisable descriptors whose rows, concatenated, are exactly the full read."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.readers import SourceReadError, open_source, plan_partitions, read_partition
from tests.catalog.readers.helpers import read_all, records


def concatenated(descriptors: list[dict], *, chunk_rows: int = 1_000) -> list[dict]:
    return [row for descriptor in descriptors for row in records(read_partition(descriptor, chunk_rows=chunk_rows))]


def full_read(location: str) -> list[dict]:
    with open_source(location) as reader:
        return read_all(reader)


def test_csv_byte_ranges_concatenate_to_the_full_read(write):
    # given
    lines = "".join(f"{index},name {index},{index * 1.5}\r\n" for index in range(10_000))
    path = write("rows.csv", "id,name,value\r\n" + lines)
    # when
    descriptors = plan_partitions(str(path), target_rows=1_500)
    # then
    assert json.loads(json.dumps(descriptors)) == descriptors
    assert [d["kind"] for d in descriptors] == ["byte_range"] * len(descriptors)
    assert len(descriptors) == 7
    assert [d["index"] for d in descriptors] == list(range(7))
    assert all(d["columns"] == ["id", "name", "value"] for d in descriptors)
    assert all(a["end"] == b["start"] for a, b in zip(descriptors, descriptors[1:], strict=False))
    assert descriptors[-1]["end"] == path.stat().st_size
    whole = full_read(str(path))
    assert len(whole) == 10_000
    assert concatenated(descriptors) == whole


def test_csv_with_quoted_line_breaks_is_one_partition(write):
    # given
    lines = "".join(f'{index},"line one\nline two"\n' for index in range(5_000))
    path = write("notes.csv", "id,note\n" + lines)
    # when
    descriptors = plan_partitions(str(path), target_rows=500)
    # then
    assert [(d["kind"], d["count"]) for d in descriptors] == [("whole", 1)]
    assert concatenated(descriptors) == full_read(str(path))


def test_tsv_partitions(write):
    # given
    path = write("rows.tsv", "a\tb\n" + "".join(f"{index}\tx{index}\n" for index in range(3_000)))
    # when
    descriptors = plan_partitions(str(path), target_rows=1_000)
    # then
    assert len(descriptors) == 3
    assert concatenated(descriptors, chunk_rows=128) == full_read(str(path))


def test_jsonl_byte_ranges_concatenate_to_the_full_read(write):
    # given
    lines = "".join(json.dumps({"id": index, "tags": ["a"] if index % 7 else None}) + "\n" for index in range(8_000))
    path = write("events.jsonl", lines)
    # when
    descriptors = plan_partitions(str(path), target_rows=1_000)
    # then
    assert [d["kind"] for d in descriptors] == ["byte_range"] * 8
    assert concatenated(descriptors, chunk_rows=333) == full_read(str(path))


def test_parquet_row_groups_concatenate_to_the_full_read(tmp_path):
    # given
    path = tmp_path / "events.parquet"
    table = pa.table({"id": list(range(10_000)), "name": [f"n{index}" for index in range(10_000)]})
    pq.write_table(table, path, row_group_size=1_000)
    # when
    descriptors = plan_partitions(str(path), target_rows=2_500)
    # then
    assert [d["row_groups"] for d in descriptors] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert concatenated(descriptors, chunk_rows=700) == full_read(str(path))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rows.csv.gz", "a\n" + "1\n" * 5_000),
        ("rows.json", json.dumps([{"a": index} for index in range(5_000)])),
    ],
)
def test_gzip_and_json_are_one_partition(write, name, content):
    # given
    path = write(name, content)
    # when
    descriptors = plan_partitions(str(path), target_rows=100)
    # then
    assert [(d["kind"], d["count"]) for d in descriptors] == [("whole", 1)]
    assert concatenated(descriptors) == full_read(str(path))


def test_upload_partitions_keep_the_original_name(write):
    # given
    path = write("tmp0x1", "a,b\n" + "".join(f"{index},{index}\n" for index in range(2_000)))
    # when
    descriptors = plan_partitions(str(path), filename="upload.csv", target_rows=500)
    # then
    assert {d["filename"] for d in descriptors} == {"upload.csv"}
    assert len(concatenated(descriptors)) == 2_000


def test_ragged_row_inside_a_later_partition_reports_absolute_numbers(write):
    # given
    lines = ["id,name"] + [f"{index},n{index}" for index in range(1, 3_001)]
    lines[2_500] = "2500,n2500,oops"
    lines.insert(100, "")  # a blank line: one more line, not one more row
    path = write("ragged.csv", "\n".join(lines) + "\n")
    descriptors = plan_partitions(str(path), target_rows=1_000)
    # when
    with pytest.raises(SourceReadError) as raised:
        for descriptor in descriptors:
            records(read_partition(descriptor))
    # then
    assert raised.value.reason == "CSV row 2,500 has 3 fields, header has 2 (line 2,502)"


def test_malformed_jsonl_line_inside_a_later_partition_reports_the_file_line(write):
    # given
    lines = [json.dumps({"id": index}) for index in range(1, 3_001)]
    lines[2_699] = '{"id": 2700'
    path = write("events.jsonl", "\n".join(lines) + "\n")
    descriptors = plan_partitions(str(path), target_rows=1_000)
    # when
    with pytest.raises(SourceReadError) as raised:
        for descriptor in descriptors:
            records(read_partition(descriptor))
    # then
    assert raised.value.reason == "malformed JSON on line 2,700: Expecting ',' delimiter (column 12)"


def test_a_changed_file_is_refused(write):
    # given
    path = write("rows.csv", "a\n" + "1\n" * 3_000)
    descriptors = plan_partitions(str(path), target_rows=1_000)
    with path.open("a") as handle:
        handle.write("2\n")
    os.utime(path, ns=(1, 1))
    # when
    with pytest.raises(SourceReadError) as raised:
        records(read_partition(descriptors[1]))
    # then
    assert raised.value.reason == f"source changed since its partitions were planned: {path}"


def test_a_foreign_descriptor_is_refused():
    # when
    with pytest.raises(SourceReadError) as raised:
        records(read_partition({"kind": "whole"}))
    # then
    assert raised.value.reason == "not a partition descriptor of this Custodian version"


def test_utf16_csv_is_one_partition(write):
    # given: a line feed is two bytes in UTF-16, so byte ranges cannot be cut at b"\n"
    path = write("wide.csv", "a,b\n" + "".join(f"{index},ü\n" for index in range(3_000)), encoding="utf-16")
    # when
    descriptors = plan_partitions(str(path), target_rows=500)
    # then
    assert [(d["kind"], d["encoding"]) for d in descriptors] == [("whole", "utf_16_le")]
    assert len(concatenated(descriptors)) == 3_000
