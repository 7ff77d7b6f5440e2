"""
The two ~1M-edge lineage graphs of DESIGN.md, generated straight into Custodian's tables with ``COPY`` (minutes,
not hours), each in its own database derived from ``BENCH_DATABASE_URL``. No ``main()``: used by
``benchmarks.lineage_closure`` and ``benchmarks.lineage_marquez``.

- **realistic**: ~1,000 jobs in a DAG (150 ingestion jobs, then transformations reading 1–4 recent datasets and
  writing 1–2), each run daily for a year: ~1,500 datasets, ~550k versions, 365k runs, ~1.1M version edges.
  Inputs bind to the same day's version (3 % to the previous day's, as late-arriving lookbacks do). The
  cumulative job ↔ dataset links (``JobDataset``) are filled too, for the Marquez-compatible lineage call.
- **dense**: a highly mixed worst case: 200k versions; after the first 1,000 raw ones, 12 % are newly ingested
  (raw) and the rest are each derived by their own run from 6 versions chosen uniformly among all earlier ones:
  ~1M edges, and the closure of an early raw version holds most of the derived versions (~170k).

Foreign-key triggers are switched off while loading (``session_replication_role = replica``): the rows are
consistent by construction and per-row checks would dominate the load time.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.openlineage_common import database_exists, database_url, migrate, recreate_database, setup_django

GRAPH_VERSION = "5"  # bump to regenerate existing benchmark databases


@dataclass(frozen=True)
class GraphInfo:
    name: str
    url: str
    root: int  # a raw version whose downstream closure is measured
    root_dataset: tuple[str, str]  # its dataset (namespace, name)
    stats: dict[str, int]


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _defaults(model) -> dict[str, Any]:
    import json

    from django.db import models

    now = datetime.now(UTC)
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        values[f.column] = value
    return values


def _columns(model, overrides: list[str]) -> tuple[list[str], list[Any]]:
    defaults = _defaults(model)
    columns = ["id", *overrides] + [c for c in defaults if c not in overrides]
    return columns, [defaults[c] for c in columns if c not in ("id", *overrides)]


def _meta_row(cursor) -> dict | None:
    cursor.execute("SELECT to_regclass('bench_graph_meta')")
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute("SELECT info FROM bench_graph_meta")
    row = cursor.fetchone()
    return row[0] if row else None


def _save_meta(cursor, info: dict) -> None:
    import json

    cursor.execute("CREATE TABLE bench_graph_meta (info jsonb)")
    cursor.execute("INSERT INTO bench_graph_meta VALUES (%s::jsonb)", [json.dumps(info)])


def _finish(cursor, tables: list[str]) -> None:
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    for table in tables:
        cursor.execute(f"VACUUM ANALYZE {table}")


def _raw_connection(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _busiest_raw_dataset(datasets, inputs, outputs, ingest: int) -> int:
    """The ingested (raw) dataset with the largest downstream job closure: the realistic worst case."""
    readers: dict[int, list[int]] = {}
    for job, used in enumerate(inputs):
        for ds in used:
            readers.setdefault(ds, []).append(job)
    best, best_size = 0, -1
    for j in range(ingest):
        for ds in outputs[j]:
            seen, stack = set(), [ds]
            while stack:
                for job in readers.get(stack.pop(), []):
                    if job not in seen:
                        seen.add(job)
                        stack.extend(outputs[job])
            if len(seen) > best_size:
                best, best_size = ds, len(seen)
    return best


def realistic(*, regenerate: bool = False) -> GraphInfo:
    """Generate (or reuse) the realistic pipeline graph; Django is set up against its database."""
    url = database_url("lineage_realistic")
    if not regenerate and database_exists(url):
        with _raw_connection(url) as conn:
            meta = _meta_row(conn.cursor())
        if meta and meta.get("version") == GRAPH_VERSION:
            setup_django(url)
            return GraphInfo("realistic", url, meta["root"], tuple(meta["root_dataset"]), meta["stats"])
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    migrate()
    from catalog.models import Asset, AssetVersion
    from lineage.models import Job, Run

    rng = random.Random(20261128)
    jobs, days, ingest = 1000, 365, 150
    outputs: list[list[int]] = []  # job → its dataset indexes
    inputs: list[list[int]] = []
    datasets: list[tuple[int, str]] = []  # dataset index → (producing job, name)
    for j in range(jobs):
        mine = []
        for k in range(1 + (rng.random() < 0.5)):
            mine.append(len(datasets))
            datasets.append((j, f"layer{j // 50}/table_{j}_{k}"))
        outputs.append(mine)
        if j < ingest:
            inputs.append([])
        else:
            recent = [d for p in range(max(0, j - 80), j) for d in outputs[p]]
            inputs.append(rng.sample(recent, k=min(len(recent), rng.randint(1, 4))))
    n_data = len(datasets)
    start = datetime(2025, 11, 28, tzinfo=UTC)

    def version_id(dataset: int, day: int) -> int:
        return day * n_data + dataset + 1

    def run_id(job: int, day: int) -> int:
        return day * jobs + job + 1

    stats = {"jobs": jobs, "datasets": n_data, "days": days}
    with _raw_connection(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        columns, rest = _columns(Asset, ["namespace", "name", "kind"])
        stats["assets"] = _copy(
            cur,
            "catalog_asset",
            columns,
            ([i + 1, "s3://warehouse", name, "dataset", *rest] for i, (_, name) in enumerate(datasets)),
        )
        columns, rest = _columns(Job, ["namespace", "name", "job_type"])
        _copy(cur, "lineage_job", columns, ([j + 1, "etl", f"pipeline.job_{j}", "etl", *rest] for j in range(jobs)))
        columns, rest = _columns(Run, ["run_id", "job_id", "state", "started_at", "ended_at", "origin"])

        def runs():
            for d in range(days):
                for j in range(jobs):
                    at = start + timedelta(days=d, minutes=j)
                    yield [
                        run_id(j, d),
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        j + 1,
                        "COMPLETE",
                        at,
                        at + timedelta(minutes=1),
                        "openlineage",
                        *rest,
                    ]

        stats["runs"] = _copy(cur, "lineage_run", columns, runs())
        columns, rest = _columns(AssetVersion, ["asset_id", "version", "produced_at", "state"])

        def versions():
            for d in range(days):
                for ds, (j, _) in enumerate(datasets):
                    state = "active" if d == days - 1 else "superseded"
                    yield [
                        version_id(ds, d),
                        ds + 1,
                        f"{(start + timedelta(days=d)).date()}",
                        start + timedelta(days=d, minutes=j),
                        state,
                        *rest,
                    ]

        stats["versions"] = _copy(cur, "catalog_assetversion", columns, versions())

        def edges():
            for d in range(days):
                for j in range(jobs):
                    for source in inputs[j]:
                        day = d - 1 if d > 0 and rng.random() < 0.03 else d
                        for target in outputs[j]:
                            yield [version_id(source, day), version_id(target, d), run_id(j, d), "data"]

        stats["edges"] = _copy(cur, "lineage_edge", ["source_id", "target_id", "run_id", "role"], edges())
        links = [[j + 1, ds + 1, "input", start] for j in range(jobs) for ds in inputs[j]]
        links += [[j + 1, ds + 1, "output", start] for j in range(jobs) for ds in outputs[j]]
        stats["job_dataset_links"] = _copy(
            cur, "lineage_jobdataset", ["job_id", "asset_id", "direction", "created_at"], links
        )
        cur.execute("SET session_replication_role = origin")
        _finish(
            cur,
            [
                "catalog_asset",
                "lineage_job",
                "lineage_run",
                "catalog_assetversion",
                "lineage_edge",
                "lineage_jobdataset",
            ],
        )
        root_ds = _busiest_raw_dataset(datasets, inputs, outputs, ingest)
        root = version_id(root_ds, days // 2)
        stats["generation_seconds"] = int(time.perf_counter() - started)
        _save_meta(
            cur,
            {
                "version": GRAPH_VERSION,
                "root": root,
                "root_dataset": ["s3://warehouse", datasets[root_ds][1]],
                "stats": stats,
            },
        )
    return GraphInfo("realistic", url, root, ("s3://warehouse", datasets[root_ds][1]), stats)


def dense(*, regenerate: bool = False) -> GraphInfo:
    """Generate (or reuse) the dense, highly mixed graph; Django is set up against its database."""
    url = database_url("lineage_dense")
    if not regenerate and database_exists(url):
        with _raw_connection(url) as conn:
            meta = _meta_row(conn.cursor())
        if meta and meta.get("version") == GRAPH_VERSION:
            setup_django(url)
            return GraphInfo("dense", url, meta["root"], tuple(meta["root_dataset"]), meta["stats"])
    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    migrate()
    from catalog.models import Asset, AssetVersion
    from lineage.models import Job, Run

    rng = random.Random(1128)
    n_versions, raw, fan_in, n_assets, fresh_share = 200_000, 1000, 6, 20_000, 0.12
    start = datetime(2025, 1, 1, tzinfo=UTC)
    stats = {"versions": n_versions}
    with _raw_connection(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        columns, rest = _columns(Asset, ["namespace", "name", "kind"])
        stats["assets"] = _copy(
            cur, "catalog_asset", columns, ([a + 1, "dense", f"asset_{a}", "dataset", *rest] for a in range(n_assets))
        )
        columns, rest = _columns(Job, ["namespace", "name", "job_type"])
        _copy(cur, "lineage_job", columns, ([1, "dense", "mixer", "etl", *rest],))
        columns, rest = _columns(Run, ["run_id", "job_id", "state", "origin"])
        stats["runs"] = _copy(
            cur,
            "lineage_run",
            columns,
            (
                [i + 1, uuid.UUID(int=rng.getrandbits(128), version=4), 1, "COMPLETE", "openlineage", *rest]
                for i in range(n_versions)
            ),
        )
        columns, rest = _columns(AssetVersion, ["asset_id", "version", "produced_at"])
        stats["versions"] = _copy(
            cur,
            "catalog_assetversion",
            columns,
            ([i + 1, i % n_assets + 1, f"v{i}", start + timedelta(seconds=i), *rest] for i in range(n_versions)),
        )

        def edges():
            for i in range(raw, n_versions):
                if rng.random() < fresh_share:
                    continue  # newly ingested data: a raw version in the middle of the graph
                for source in {rng.randrange(i) for _ in range(fan_in)}:
                    yield [source + 1, i + 1, i + 1, "data"]

        stats["edges"] = _copy(cur, "lineage_edge", ["source_id", "target_id", "run_id", "role"], edges())
        cur.execute("SET session_replication_role = origin")
        _finish(cur, ["catalog_asset", "lineage_job", "lineage_run", "catalog_assetversion", "lineage_edge"])
        root = 1  # the first raw version
        stats["generation_seconds"] = int(time.perf_counter() - started)
        _save_meta(cur, {"version": GRAPH_VERSION, "root": root, "root_dataset": ["dense", "asset_0"], "stats": stats})
    return GraphInfo("dense", url, root, ("dense", "asset_0"), stats)


__all__ = ("GraphInfo", "dense", "realistic")
