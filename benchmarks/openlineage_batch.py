"""
Benchmark: ``POST /api/v1/lineage/batch`` with 1,000-event batches over HTTP against gunicorn (2 workers) on
PostgreSQL, full projection, one transaction per batch.

Target (DESIGN.md): ≥ 2,000 events/s. Run alone: ``python -m benchmarks.openlineage_batch`` (``BENCH_BATCHES`` sets
the number of batches per measurement, default 8).
"""

from __future__ import annotations

import gzip
import json
import os
import threading
import time

from benchmarks.openlineage_common import (
    bench_user_token,
    database_url,
    gunicorn,
    migrate,
    pipeline_events,
    print_table,
    recreate_database,
    setup_django,
)

TARGET = 2000
BATCH = 1000


def _post_batches(base: str, token: str, bodies: list[bytes]) -> None:
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Content-Encoding": "gzip"}
    for body in bodies:
        response = session.post(f"{base}/api/v1/lineage/batch", data=body, headers=headers, timeout=300)
        if response.status_code != 204:
            raise RuntimeError(f"batch answered {response.status_code}: {response.text[:500]}")


def _measure(base: str, token: str, batches: list[list[dict]], clients: int) -> float:
    bodies = [gzip.compress(json.dumps(batch).encode(), compresslevel=3) for batch in batches]
    shares = [bodies[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=_post_batches, args=(base, token, share)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(len(b) for b in batches) / (time.perf_counter() - started)


def main() -> int:
    count = int(os.environ.get("BENCH_BATCHES", "8"))
    url = database_url("openlineage_batch")
    recreate_database(url)
    setup_django(url)
    migrate()
    token = bench_user_token()
    from django.db import connection

    connection.close()
    rows = []
    with gunicorn(url, workers=2) as base:
        for label, kwargs in (
            ("Spark-like: schema + column lineage on every output", {"cll_share": 1.0}),
            ("Airflow-like: schema, column lineage on a quarter of runs", {"cll_share": 0.25}),
            ("lean: 1–2 inputs, 1 output, 3-column schema", {"lean": True}),
        ):
            events = pipeline_events(jobs=100, runs=(2 * count + 1) * BATCH // 2, seed=len(label), **kwargs)
            size = sum(len(json.dumps(e)) for e in events[:2000]) / 2000
            batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
            _measure(base, token, batches[:1], 1)  # warm-up
            one = _measure(base, token, batches[1 : 1 + count // 2], 1)
            two = _measure(base, token, batches[1 + count // 2 : 1 + count], 2)
            for clients, rate in ((1, one), (2, two)):
                rows.append(
                    [
                        label,
                        f"{size / 1024:.1f} KB",
                        clients,
                        f"{rate:.0f}",
                        f"≥ {TARGET}",
                        "yes" if rate >= TARGET else "no",
                    ]
                )
    from lineage.models import OpenLineageEvent, Run

    print_table(
        f"OpenLineage batch endpoint, {BATCH}-event batches over HTTP, gunicorn 2 workers, PostgreSQL, full projection",
        ["events", "size", "concurrent clients", "events/s", "target", "met"],
        rows,
    )
    print(f"stored: {OpenLineageEvent.objects.count()} raw events, {Run.objects.count()} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
