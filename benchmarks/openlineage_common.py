"""
Shared plumbing of the OpenLineage and lineage benchmarks: a throw-away PostgreSQL database, Django set up
against it, a gunicorn server, realistic OpenLineage events and the result table. No ``main()`` here.

Databases are derived from ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/custodian_bench``)
with a suffix per benchmark family, so they never touch the development or test databases.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/custodian_bench"
SETTINGS = "benchmarks.openlineage_settings"
PRODUCER = "https://example.com/custodian-bench/pipeline/v1"


def database_url(suffix: str) -> str:
    """``BENCH_DATABASE_URL`` with ``_<suffix>`` appended to the database name."""
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    name = parts.path.lstrip("/") or "custodian_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def recreate_database(url: str) -> None:
    """Drop (forcefully) and create the database named by ``url``."""
    name = urlsplit(url).path.lstrip("/")
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    name = urlsplit(url).path.lstrip("/")
    with _admin_connection(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def setup_django(url: str) -> None:
    """Point Django at ``url`` with the benchmark settings and set it up (call before importing models)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def bench_user_token(username: str = "bench-pipeline") -> str:
    """A data-scientist service account and its API token (created when missing)."""
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from core import roles
    from core.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"is_service_account": True})
    group, _ = Group.objects.get_or_create(name=roles.DATA_SCIENTIST)
    user.groups.add(group)
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, *, workers: int = 2, threads: int = 1) -> Iterator[str]:
    """A gunicorn server for the Custodian WSGI app on ``url``'s database; yields its base URL."""
    import requests

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        "--keep-alive",
        "30",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=60).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


#
# Realistic events
#

COLUMNS = ("id", "user_id", "event_time", "amount", "country", "channel", "score", "label")


def _schema(columns: Sequence[str]) -> dict[str, Any]:
    return {
        "_producer": PRODUCER,
        "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
        "fields": [{"name": c, "type": "double" if c in ("amount", "score") else "string"} for c in columns],
    }


def pipeline_events(
    *, jobs: int = 60, runs: int = 500, seed: int = 7, cll_share: float = 1.0, lean: bool = False
) -> list[dict[str, Any]]:
    """
    START + COMPLETE events of ``runs`` runs over a DAG of ``jobs`` jobs (Airflow/Spark-like content: job type,
    source location, nominal time, schemas, column lineage on ``cll_share`` of the runs, output statistics); 4–5 KB
    each. ``lean``: one or two inputs, one output, three columns, no column lineage (about 2.4 KB).
    """
    rng = random.Random(seed)
    producers: list[list[tuple[str, str]]] = []
    for j in range(jobs):
        count = 1 if lean else 1 + (rng.random() < 0.5)
        producers.append([("s3://warehouse", f"layer{j // 10}/table_{j}_{k}") for k in range(count)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for n in range(runs):
        j = n % jobs
        day = start + timedelta(days=n // jobs, minutes=j)
        upstream = [d for p in range(max(0, j - 12), j) for d in producers[p]]
        inputs = rng.sample(upstream, k=min(len(upstream), rng.randint(1, 2 if lean else 4))) if upstream else []
        run_id = str(uuid.uuid4())
        cols = list(COLUMNS[:3] if lean else COLUMNS[: rng.randint(4, 8)])
        job_facets = {
            "jobType": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json",
                "processingType": "BATCH",
                "integration": "SPARK",
                "jobType": "JOB",
            },
            "sourceCodeLocation": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/SourceCodeLocationJobFacet.json",
                "type": "git",
                "url": f"https://git.example.com/etl/blob/main/job_{j}.py",
            },
        }
        run_facets = {
            "nominalTime": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json",
                "nominalStartTime": day.isoformat(),
            },
            "processing_engine": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json",
                "version": "3.5.1",
                "name": "spark",
                "openlineageAdapterVersion": "1.54.0",
            },
        }
        ins = [
            {"namespace": ns, "name": name, "facets": {"schema": _schema(cols)}, "inputFacets": {}}
            for ns, name in inputs
        ]
        outs = []
        with_lineage = not lean and rng.random() < cll_share
        for ns, name in producers[j]:
            lineage = {
                c: {
                    "inputFields": [
                        {
                            "namespace": i[0],
                            "name": i[1],
                            "field": c,
                            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
                        }
                        for i in inputs[:2]
                    ]
                }
                for c in cols[:3]
            }
            facets = {"schema": _schema(cols)}
            if with_lineage:
                facets["columnLineage"] = {
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json",
                    "fields": lineage,
                }
            outs.append({"namespace": ns, "name": name, "facets": facets, "outputFacets": {}})
        for state, minutes in (("START", 0), ("COMPLETE", 3)):
            event = {
                "eventType": state,
                "eventTime": (day + timedelta(minutes=minutes)).isoformat(),
                "producer": PRODUCER,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                "run": {"runId": run_id, "facets": run_facets},
                "job": {"namespace": "etl", "name": f"pipeline.job_{j}", "facets": job_facets},
                "inputs": ins,
                "outputs": outs,
            }
            if state == "COMPLETE":
                event["outputs"] = [
                    {
                        **o,
                        "outputFacets": {
                            "outputStatistics": {
                                "_producer": PRODUCER,
                                "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json",
                                "rowCount": rng.randint(1000, 10**7),
                                "size": rng.randint(10**5, 10**9),
                            }
                        },
                    }
                    for o in outs
                ]
            events.append(event)
    return events


#
# Reporting
#


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table (also valid Markdown)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print(flush=True)
