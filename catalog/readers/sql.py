"""
SQL tables and queries, by SQLAlchemy database URL (``postgresql+psycopg://…``, ``sqlite:///…``).

``query`` is a table name (``customers`` or ``schema.customers``) or a ``SELECT``/``WITH`` statement. Rows are
streamed with a server-side cursor where the driver has one (``stream_results``); each session is read-only
(``SET TRANSACTION READ ONLY`` on PostgreSQL, ``PRAGMA query_only`` on SQLite). ``estimated_rows()`` runs
``COUNT(*)``.

Order and partitions: a table with a single-column integer or text primary key is read in primary-key order and
split into key ranges (``pk >= a AND pk < b``, boundaries found once with ``ORDER BY pk LIMIT 1 OFFSET n``), which
every worker reads with an index range scan. Tables without such a key, and queries, are one partition in the
database's own order.

Messages never include the password: URLs are rendered with ``***`` and driver messages are scrubbed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from catalog.readers.base import SourceReader
from catalog.readers.errors import SourceReadError, scrub_secrets
from catalog.readers.frames import frame_from_columns, unique_names

__all__ = ("SqlReader", "is_database_url")

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$")
_READ_STATEMENT = re.compile(r"^\s*(?:\(\s*)*(?:select|with|values|table)\b", re.IGNORECASE)


def is_database_url(location: str) -> bool:
    """True when ``location`` parses as a SQLAlchemy URL whose dialect is installed."""
    try:
        url = sa.make_url(location)
        url.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        return False
    return True


class SqlReader(SourceReader):
    """A table or a query on a database reachable by URL."""

    format = "sql"

    def __init__(self, location: str, *, query: str | None, chunk_rows: int) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self._location = location
        self._query_text = (query or "").strip().rstrip(";").strip()
        try:
            self._url: URL = sa.make_url(location)
        except (ArgumentError, ValueError):
            raise SourceReadError("not a database URL") from None
        self._secrets = tuple(secret for secret in (self._url.password,) if isinstance(secret, str))
        self.display = self._url.render_as_string(hide_password=True)
        if not self._query_text:
            raise SourceReadError("a database source needs query=: a table name or a SELECT statement")
        self._check_sqlite_file()
        try:
            self._engine: Engine = sa.create_engine(self._url, poolclass=NullPool)
        except ImportError:
            raise SourceReadError(
                f"cannot connect to database: no driver installed for {self._url.drivername}"
            ) from None
        except (SQLAlchemyError, ArgumentError, TypeError, ValueError) as error:
            raise SourceReadError(f"cannot connect to database: {scrub_secrets(str(error))[:300]}") from None
        self._table: sa.Table | None = None
        self._key: sa.Column | None = None
        with self._connect() as connection:
            if _TABLE_NAME.match(self._query_text):
                self._table = self._reflect(connection, self._query_text)
                self.columns = unique_names([column.name for column in self._table.columns])
                self._key = _single_key(self._table)
            elif _READ_STATEMENT.match(self._query_text):
                self.columns = unique_names(self._query_columns(connection))
            else:
                raise SourceReadError("query must be a table name or a SELECT statement")
        if not self.columns:
            raise SourceReadError("source has no columns")

    #
    # Reader interface
    #

    def estimated_rows(self) -> int:
        with self._connect() as connection:
            return int(self._run(connection, sa.select(sa.func.count()).select_from(self._selectable())).scalar_one())

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        yield from self._stream(self._select())

    def plan_partitions(self, *, target_rows: int) -> list[dict[str, Any]]:
        if target_rows < 1:
            raise ValueError("target_rows must be at least 1")
        if self._key is None:
            return [self._descriptor(kind="whole", index=0, count=1)]
        total = self.estimated_rows()
        bounds: list[Any] = []
        with self._connect() as connection:
            for offset in range(target_rows, total, target_rows):
                statement = sa.select(self._key).order_by(self._key).offset(offset).limit(1)
                bounds.append(self._run(connection, statement).scalar_one())
        edges = [None, *bounds, None]
        return [
            self._descriptor(
                kind="key_range", index=index, count=len(edges) - 1, key=self._key.name, low=low, high=high
            )
            for index, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True))
        ]

    def iter_partition(self, descriptor: dict[str, Any]) -> Iterator[pd.DataFrame]:
        if descriptor["kind"] == "whole":
            yield from self.iter_chunks()
            return
        if descriptor["kind"] != "key_range" or self._key is None or descriptor.get("key") != self._key.name:
            raise SourceReadError(f"source changed since its partitions were planned: {self.display}")
        statement = self._select()
        if descriptor["low"] is not None:
            statement = statement.where(self._key >= descriptor["low"])
        if descriptor["high"] is not None:
            statement = statement.where(self._key < descriptor["high"])
        yield from self._stream(statement)

    def close(self) -> None:
        self._engine.dispose()

    def _identity(self) -> dict[str, Any]:
        return {"location": self._location, "query": self._query_text}

    #
    # Internals
    #

    def _check_sqlite_file(self) -> None:
        # SQLite creates a missing database file on connect; a scan must not leave one behind.
        if self._url.get_backend_name() != "sqlite":
            return
        database = self._url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return
        if not Path(database).is_file():
            raise SourceReadError(f"cannot connect to database: no such SQLite file: {database}")

    def _connect(self) -> Connection:
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as error:
            raise SourceReadError(f"cannot connect to database: {self._describe(error)}") from None
        try:
            backend = self._url.get_backend_name()
            if backend == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            elif backend == "sqlite":
                connection.exec_driver_sql("PRAGMA query_only = ON")
        except SQLAlchemyError as error:
            connection.close()
            raise SourceReadError(f"cannot connect to database: {self._describe(error)}") from None
        return connection

    def _reflect(self, connection: Connection, name: str) -> sa.Table:
        schema, _, table = name.rpartition(".")
        try:
            return sa.Table(table, sa.MetaData(), schema=schema or None, autoload_with=connection)
        except NoSuchTableError:
            raise SourceReadError(f"no such table: {name}") from None
        except SQLAlchemyError as error:
            raise SourceReadError(f"cannot read table {name}: {self._describe(error)}") from None

    def _query_columns(self, connection: Connection) -> list[str]:
        result = self._run(connection, self._select(), stream=True)
        try:
            return list(result.keys())
        finally:
            result.close()

    def _selectable(self) -> sa.FromClause:
        if self._table is not None:
            return self._table
        return sa.text(self._query_text or "").columns().subquery("source")

    def _select(self) -> sa.Select[Any] | sa.TextClause:
        if self._table is not None:
            statement = sa.select(self._table)
            return statement.order_by(self._key) if self._key is not None else statement
        return sa.text(self._query_text or "")

    def _run(self, connection: Connection, statement: Any, *, stream: bool = False) -> sa.CursorResult[Any]:
        options = {"stream_results": True, "yield_per": self.chunk_rows} if stream else {}
        try:
            return connection.execution_options(**options).execute(statement)
        except SQLAlchemyError as error:
            raise SourceReadError(f"query failed: {self._describe(error)}") from None

    def _stream(self, statement: Any) -> Iterator[pd.DataFrame]:
        with self._connect() as connection:
            result = self._run(connection, statement, stream=True)
            names = unique_names(list(result.keys()))
            try:
                for rows in result.partitions(self.chunk_rows):
                    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
                    yield frame_from_columns(dict(zip(names, columns, strict=True)), length=len(rows))
            except SQLAlchemyError as error:
                raise SourceReadError(f"query failed: {self._describe(error)}") from None
            finally:
                result.close()

    def _describe(self, error: SQLAlchemyError) -> str:
        original = getattr(error, "orig", None) or error
        text = str(original).strip().split("\n")[0] or type(original).__name__
        return scrub_secrets(text, secrets=self._secrets)[:300]


def _single_key(table: sa.Table) -> sa.Column | None:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        return None
    try:
        python_type = keys[0].type.python_type
    except NotImplementedError:
        return None
    return keys[0] if python_type in (int, str) else None
