"""
Benchmark (c): the Marquez-compatible ``GET /api/v1/lineage?nodeId=…&depth=20`` end to end over HTTP (gunicorn, 2
workers, PostgreSQL) on the realistic graph of ``benchmarks/lineage_graphs.py`` (1,000 jobs, ~1,500 datasets, each
job reading 1–4 recent datasets and writing 1–2, run daily for a year), next to Marquez's own lineage query shape
(a depth-tracking recursive CTE joining on array overlap) on the same job ↔ dataset table.

Target (DESIGN.md): ≤ 100 ms end to end. Run alone: ``python -m benchmarks.lineage_marquez``.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks.openlineage_common import bench_user_token, gunicorn, print_table

TARGET_MS = 100
REQUESTS = 20

MARQUEZ_SHAPE = """
WITH RECURSIVE job_io AS (
    SELECT job_id,
           COALESCE(ARRAY_AGG(DISTINCT asset_id) FILTER (WHERE direction = 'input'), '{}') AS inputs,
           COALESCE(ARRAY_AGG(DISTINCT asset_id) FILTER (WHERE direction = 'output'), '{}') AS outputs
    FROM lineage_jobdataset GROUP BY job_id
),
lineage(job_id, inputs, outputs, depth) AS (
    SELECT job_id, inputs, outputs, 0 FROM job_io WHERE job_id = ANY(%s)
    UNION
    SELECT io.job_id, io.inputs, io.outputs, l.depth + 1
    FROM job_io io, lineage l
    WHERE io.job_id <> l.job_id
      AND array_cat(io.inputs, io.outputs) && array_cat(l.inputs, l.outputs)
      AND l.depth < %s
)
SELECT COUNT(DISTINCT job_id) FROM lineage
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from benchmarks import lineage_graphs

    info = lineage_graphs.realistic(regenerate="--regenerate" in argv)
    import requests
    from django.db import connection

    from catalog.models import Asset
    from lineage.models import Job, JobDataset

    token = bench_user_token()
    root_asset = Asset.objects.get(namespace=info.root_dataset[0], name=info.root_dataset[1])
    middle = Job.objects.get(name="pipeline.job_500")
    leaf_asset = Asset.objects.filter(namespace="s3://warehouse").order_by("-id").first()
    nodes = [
        ("raw dataset", f"dataset:{root_asset.namespace}:{root_asset.name}", root_asset),
        ("mid-DAG job", f"job:etl:{middle.name}", None),
        ("last dataset", f"dataset:{leaf_asset.namespace}:{leaf_asset.name}", leaf_asset),
    ]
    rows = []
    connection.close()
    with gunicorn(info.url, workers=2) as base:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for label, node_id, _ in nodes:
            params = {"nodeId": node_id, "depth": 20}
            first = session.get(f"{base}/api/v1/lineage", params=params, timeout=120)
            first.raise_for_status()
            graph = first.json()["graph"]
            samples = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = session.get(f"{base}/api/v1/lineage", params=params, timeout=120)
                response.raise_for_status()
                samples.append(time.perf_counter() - started)
            median = statistics.median(samples) * 1000
            jobs = sum(1 for node in graph if node["type"] == "JOB")
            datasets = len(graph) - jobs
            rows.append(
                [
                    label,
                    node_id,
                    f"{jobs} jobs / {datasets} datasets",
                    f"{len(first.content) / 1e6:.1f} MB",
                    f"{median:.0f} ms",
                    f"≤ {TARGET_MS} ms",
                    "yes" if median <= TARGET_MS else "no",
                ]
            )
    # Marquez's query shape on the same table, from the raw dataset's jobs.
    start_jobs = list(JobDataset.objects.filter(asset=root_asset).values_list("job_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '120s'")
        started = time.perf_counter()
        try:
            cursor.execute(MARQUEZ_SHAPE, [start_jobs, 20])
            marquez = f"{cursor.fetchone()[0]} jobs in {(time.perf_counter() - started):.1f} s"
        except Exception:  # noqa: BLE001 - statement timeout
            marquez = "did not finish within 120 s"
    print_table(
        f"Marquez-compatible GET /api/v1/lineage?depth=20 over HTTP, gunicorn 2 workers, PostgreSQL "
        f"({info.stats['jobs']} jobs, {info.stats['datasets']} datasets, {info.stats['runs']:,} runs, "
        f"{info.stats['edges']:,} version edges), median of {REQUESTS}",
        ["node", "nodeId", "graph", "body", "median", "target", "met"],
        rows,
    )
    print(
        f"Marquez's lineage query shape (depth-tracking recursive CTE, array overlap) from the raw dataset: {marquez}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
