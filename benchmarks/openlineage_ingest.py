"""
Benchmark (a): OpenLineage ingestion over HTTP with the real ``openlineage-python`` client (HttpTransport, gzip,
API-key bearer token) against gunicorn (2 workers) on PostgreSQL, next to a floor endpoint that only stores the
raw event (``benchmarks/openlineage_urls.py``), measured in the same run on the same events.

Target (DESIGN.md): full projection ≥ 0.5× the floor's throughput. Run alone:
``python -m benchmarks.openlineage_ingest`` (``BENCH_EVENTS`` sets the number of events per measurement, default 600).
"""

from __future__ import annotations

import gzip
import json
import os
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

TARGET_RATIO = 0.5


def _client_events(events: list[dict]) -> list:
    """The same events as objects of the client library (what an instrumented pipeline hands to ``emit``)."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState

    converted = []
    for e in events:
        converted.append(
            RunEvent(
                eventType=RunState(e["eventType"]),
                eventTime=e["eventTime"],
                run=Run(runId=e["run"]["runId"], facets=e["run"]["facets"]),
                job=Job(namespace=e["job"]["namespace"], name=e["job"]["name"], facets=e["job"]["facets"]),
                inputs=[
                    InputDataset(namespace=i["namespace"], name=i["name"], facets=i["facets"]) for i in e["inputs"]
                ],
                outputs=[
                    OutputDataset(
                        namespace=o["namespace"],
                        name=o["name"],
                        facets=o["facets"],
                        outputFacets=o.get("outputFacets") or {},
                    )
                    for o in e["outputs"]
                ],
                producer=e["producer"],
            )
        )
    return converted


def _real_client(base: str, endpoint: str, token: str):
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport

    config = HttpConfig(
        url=base + "/",
        endpoint=endpoint,
        auth=ApiKeyTokenProvider({"apiKey": token}),
        compression=HttpCompression.GZIP,
        timeout=30,
    )
    return OpenLineageClient(transport=HttpTransport(config))


def _with_client(base: str, endpoint: str, token: str, events: list) -> float:
    client = _real_client(base, endpoint, token)
    started = time.perf_counter()
    for event in events:
        client.emit(event)
    elapsed = time.perf_counter() - started
    client.close()
    return len(events) / elapsed


def _with_session(base: str, endpoint: str, token: str, events: list[dict]) -> float:
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Content-Encoding": "gzip"}
    bodies = [gzip.compress(json.dumps(e, sort_keys=True).encode(), compresslevel=3) for e in events]
    started = time.perf_counter()
    for body in bodies:
        response = session.post(f"{base}/{endpoint}", data=body, headers=headers, timeout=30)
        response.raise_for_status()
    return len(bodies) / (time.perf_counter() - started)


def main() -> int:
    count = int(os.environ.get("BENCH_EVENTS", "400"))
    url = database_url("openlineage")
    recreate_database(url)
    setup_django(url)
    migrate()
    token = bench_user_token()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor_event (id bigserial PRIMARY KEY, payload jsonb NOT NULL, "
            "received_at timestamptz NOT NULL DEFAULT now())"
        )
    connection.close()
    rows = []
    expected = 0
    with gunicorn(url, workers=2) as base:
        for label, kwargs in (("Spark-like (schema + column lineage)", {}), ("lean", {"lean": True})):
            # Four disjoint sets of the same shape: real client (floor, full), keep-alive session (floor, full).
            events = pipeline_events(jobs=60, runs=(4 * count + 200) // 2, seed=len(label), **kwargs)
            warm, rest = events[:200], events[200:]
            sets = [rest[i * count : (i + 1) * count] for i in range(4)]
            size = sum(len(json.dumps(e)) for e in events) / len(events)
            _with_session(base, "api/v1/lineage", token, warm)
            _with_session(base, "bench/floor", token, warm)
            floor_client = _with_client(base, "bench/floor", token, _client_events(sets[0]))
            full_client = _with_client(base, "api/v1/lineage", token, _client_events(sets[1]))
            floor_session = _with_session(base, "bench/floor", token, sets[2])
            full_session = _with_session(base, "api/v1/lineage", token, sets[3])
            expected += len(warm) + 2 * count
            for client, floor, full in (
                ("openlineage-python HttpTransport, gzip", floor_client, full_client),
                ("requests keep-alive session, gzip", floor_session, full_session),
            ):
                ratio = full / floor
                rows.append(
                    [
                        f"{label}, {size / 1024:.1f} KB",
                        client,
                        f"{floor:.0f}",
                        f"{full:.0f}",
                        f"{ratio:.2f}",
                        f"≥ {TARGET_RATIO}",
                        "yes" if ratio >= TARGET_RATIO else "no",
                    ]
                )
    from lineage.models import OpenLineageEvent

    print_table(
        f"OpenLineage ingestion over HTTP, one event per request, gunicorn 2 workers, PostgreSQL "
        f"({count} events per cell, START+COMPLETE per run, full projection)",
        ["events", "client", "floor: store raw event (ev/s)", "Custodian (ev/s)", "ratio", "target", "met"],
        rows,
    )
    print(f"raw events stored by Custodian: {OpenLineageEvent.objects.count()} (expected {expected})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
