"""SQL sources through SQLAlchemy URLs (SQLite files here)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from catalog.readers import SourceReadError, open_source, plan_partitions, read_partition
from tests.catalog.readers.helpers import read_all, records


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "crm.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, score REAL, joined TIMESTAMP, vip BOOLEAN)"
    )
    connection.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
        [
            (
                index,
                f"c{index}@example.com",
                None if index % 3 == 0 else index / 2,
                f"2024-01-{index:02d} 10:00:00",
                index % 2,
            )
            for index in range(1, 11)
        ],
    )
    connection.execute("CREATE TABLE events (kind TEXT, amount INTEGER)")
    connection.executemany("INSERT INTO events VALUES (?, ?)", [("a", 1), ("b", None), ("a", 3)])
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


def test_table_by_name(database):
    # when
    with open_source(database, query="customers", chunk_rows=4) as reader:
        chunks = list(reader.iter_chunks())
        # then
        assert reader.format == "sql"
        assert reader.columns == ["id", "email", "score", "joined", "vip"]
        assert reader.estimated_rows() == 10
        assert reader.size_bytes is None
        assert reader.content_hash() is None
    assert [len(chunk) for chunk in chunks] == [4, 4, 2]
    assert [str(dtype) for dtype in chunks[0].dtypes] == ["Int64", "str", "float64", "datetime64[us]", "boolean"]
    assert records(chunks)[2] == {
        "id": 3,
        "email": "c3@example.com",
        "score": None,
        "joined": pd.Timestamp("2024-01-03 10:00:00"),
        "vip": True,
    }


def test_query(database):
    # when
    with open_source(database, query="SELECT kind, amount FROM events WHERE kind = 'a';") as reader:
        columns = reader.columns
        count = reader.estimated_rows()
        rows = read_all(reader)
    # then
    assert columns == ["kind", "amount"]
    assert count == 2
    assert rows == [{"kind": "a", "amount": 1}, {"kind": "a", "amount": 3}]


def test_missing_table(database):
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source(database, query="orders")
    # then
    assert raised.value.reason == "no such table: orders"


def test_query_on_a_missing_table(database):
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source(database, query="SELECT * FROM orders")
    # then
    assert raised.value.reason == "query failed: no such table: orders"


def test_writes_are_refused(database):
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source(database, query="DELETE FROM customers")
    # then
    assert raised.value.reason == "query must be a table name or a SELECT statement"


def test_missing_sqlite_file_is_not_created(tmp_path):
    # given
    path = tmp_path / "nope.sqlite3"
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source(f"sqlite:///{path}", query="customers")
    # then
    assert raised.value.reason == f"cannot connect to database: no such SQLite file: {path}"
    assert path.exists() is False


def test_unreachable_server_message_has_no_password():
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source("postgresql+psycopg://scanner:hunter2@127.0.0.1:1/crm", query="customers")
    # then
    assert raised.value.reason.startswith("cannot connect to database: ")
    assert "hunter2" not in raised.value.reason


def test_missing_query(database):
    # when
    with pytest.raises(SourceReadError) as raised:
        open_source(database)
    # then
    assert raised.value.reason == "a database source needs query=: a table name or a SELECT statement"


def test_table_with_integer_key_splits_into_key_ranges(database):
    # when
    descriptors = plan_partitions(database, query="customers", target_rows=4)
    # then
    assert json.loads(json.dumps(descriptors)) == descriptors
    assert [(d["kind"], d["low"], d["high"]) for d in descriptors] == [
        ("key_range", None, 5),
        ("key_range", 5, 9),
        ("key_range", 9, None),
    ]
    with open_source(database, query="customers") as reader:
        whole = read_all(reader)
    parts = [row for descriptor in descriptors for row in records(read_partition(descriptor, chunk_rows=3))]
    assert parts == whole


def test_table_without_key_and_queries_are_one_partition(database):
    # when
    table = plan_partitions(database, query="events", target_rows=1)
    query = plan_partitions(database, query="SELECT * FROM customers", target_rows=1)
    # then
    assert [(d["kind"], d["count"]) for d in table] == [("whole", 1)]
    assert [(d["kind"], d["count"]) for d in query] == [("whole", 1)]
    assert records(read_partition(table[0])) == [
        {"kind": "a", "amount": 1},
        {"kind": "b", "amount": None},
        {"kind": "a", "amount": 3},
    ]


def test_query_values_keep_the_driver_types(database):
    # when: a raw query on SQLite carries no column types, so the driver's text comes through as text
    with open_source(database, query="SELECT joined FROM customers WHERE id = 1") as reader:
        rows = read_all(reader)
    # then
    assert rows == [{"joined": "2024-01-01 10:00:00"}]
