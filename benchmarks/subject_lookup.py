"""
Benchmark: subject lookup among 10M indexed identifiers + impact closure (DESIGN.md: ≤ 100 ms).

A separate PostgreSQL database (``custodian_bench_subjects``, from ``BENCH_DATABASE_URL`` + ``_subjects``) holds
a realistic catalog: 200 customer tables × 10 snapshots = 2,000 raw dataset versions, each with a published scan
and 5,000 subject keys (10M ``SubjectKey`` rows generated in the database with ``INSERT … SELECT
generate_series``), and below every snapshot a pipeline: cleaned → trained model (on two consecutive cleaned
snapshots) → fine-tune → quantised, every tenth quantised model deployed, and an anonymised export (where the
impact stops). One subject appears in twelve snapshots. Built once (about two minutes), reused afterwards
(``--rebuild`` to start again).

Measured, median and p95 of repeated runs after a warm-up:

- lookup: the subject's digest → versions holding it (``versions_holding_digests``, the 10M-row index);
- impact: digests → every affected version with its path, and the deployments (``subject_impact``) — the target;
- receive: ``subject_request_create`` end to end (digest, impact, one action per item, audit), rolled back.

Run: ``python -m benchmarks.subject_lookup [--rows N] [--runs N] [--rebuild]``. Exits 1 above the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/custodian_bench"
TARGET_MS = 100.0
TABLES = 200
SNAPSHOTS = 10
SUBJECT_SNAPSHOTS = 12
SUBJECT = "jane.benchmark@example.com"
MARKER = "bench:subject_lookup:v1"


def database_url() -> str:
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    name = parts.path.lstrip("/") or "custodian_bench"
    return urlunsplit(parts._replace(path=f"/{name}_subjects"))


def _admin(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def ensure_database(url: str, *, rebuild: bool) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _populated(rows: int) -> bool:
    from django.db import connection

    from compliance.models import Scan

    if not Scan.objects.filter(location=MARKER).exists():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'compliance_subjectkey'")
        estimate = cursor.fetchone()[0]
    return abs(estimate - rows) <= rows * 0.05


def build(rows: int) -> None:
    """The catalog, its pipelines and ``rows`` subject keys (see the module docstring)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.choices import AssetKind, PrivacyMeasure
    from catalog.models import Asset, AssetVersion, Deployment
    from compliance.identifiers import subject_digest
    from compliance.models import Scan, SubjectKey
    from compliance.scanning import subject_key
    from lineage.choices import InputRole, JobType
    from lineage.models import Edge, Job, Run, RunInput, RunOutput

    started = time.perf_counter()
    now = timezone.now()
    raws = TABLES * SNAPSHOTS
    print(f"building: {raws:,} raw versions with pipelines, {rows:,} subject keys …", flush=True)
    with transaction.atomic():
        tables = Asset.objects.bulk_create(
            Asset(kind=AssetKind.DATASET, namespace="postgres://crm", name=f"public.customers_{t:03d}")
            for t in range(TABLES)
        )

        def assets(prefix: str, kind: str, namespace: str) -> list:
            return Asset.objects.bulk_create(
                Asset(kind=kind, namespace=namespace, name=f"{prefix}_{t:03d}") for t in range(TABLES)
            )

        families = {
            "clean": assets("clean/customers", AssetKind.DATASET, "s3://lake"),
            "anon": assets("exports/customers_anon", AssetKind.DATASET, "s3://lake"),
            "model": assets("models/churn", AssetKind.MODEL, "mlflow://registry"),
            "ft": assets("models/churn-ft", AssetKind.MODEL, "mlflow://registry"),
            "int8": assets("models/churn-ft-int8", AssetKind.MODEL, "mlflow://registry"),
        }
        families["raw"] = tables

        def versions(family: str, **extra) -> list:
            return AssetVersion.objects.bulk_create(
                AssetVersion(asset=families[family][i // SNAPSHOTS], version=str(i % SNAPSHOTS), **extra)
                for i in range(raws)
            )

        v = {name: versions(name) for name in ("raw", "clean", "model", "ft", "int8")}
        v["anon"] = versions("anon", privacy_measure=PrivacyMeasure.ANONYMISED)
        jobs = {
            kind: Job.objects.create(namespace="bench", name=kind, job_type=job_type)
            for kind, job_type in (
                ("clean", JobType.ETL),
                ("anon", JobType.ANONYMISATION),
                ("model", JobType.TRAINING),
                ("ft", JobType.FINE_TUNING),
                ("int8", JobType.QUANTISATION),
            )
        }
        plan = []  # (job, [(input version, role)], output version)
        for i in range(raws):
            previous = v["clean"][i - 1] if i % SNAPSHOTS else None
            plan.append((jobs["clean"], [(v["raw"][i], InputRole.DATA)], v["clean"][i]))
            plan.append((jobs["anon"], [(v["raw"][i], InputRole.DATA)], v["anon"][i]))
            trained_on = [(v["clean"][i], InputRole.TRAINING_DATA)] + (
                [(previous, InputRole.TRAINING_DATA)] if previous else []
            )
            plan.append((jobs["model"], trained_on, v["model"][i]))
            plan.append((jobs["ft"], [(v["model"][i], InputRole.BASE_MODEL)], v["ft"][i]))
            plan.append((jobs["int8"], [(v["ft"][i], InputRole.BASE_MODEL)], v["int8"][i]))
        runs = Run.objects.bulk_create(Run(job=job, state="COMPLETE") for job, _, _ in plan)
        RunInput.objects.bulk_create(
            RunInput(run=run, version=version, role=role)
            for run, (_, inputs, _) in zip(runs, plan, strict=True)
            for version, role in inputs
        )
        RunOutput.objects.bulk_create(
            RunOutput(run=run, version=out) for run, (_, _, out) in zip(runs, plan, strict=True)
        )
        Edge.objects.bulk_create(
            Edge(source=version, target=out, run=run, role=role)
            for run, (_, inputs, out) in zip(runs, plan, strict=True)
            for version, role in inputs
        )
        Deployment.objects.bulk_create(
            Deployment(model_version=v["int8"][i], environment="production", deployed_at=now)
            for i in range(0, raws, 10)
        )
        scans = Scan.objects.bulk_create(
            Scan(version=version, location=MARKER, full=True, status="succeeded", finished_at=now)
            for version in v["raw"]
        )
        print(f"  catalog and lineage: {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_map (idx int PRIMARY KEY, version_id bigint, scan_id bigint)")
            with cursor.copy("COPY bench_map (idx, version_id, scan_id) FROM STDIN") as copy:
                for index, scan in enumerate(scans):
                    copy.write_row((index, scan.version_id, scan.pk))
            table = SubjectKey._meta.db_table
            # Indexes and FK checks off while loading, rebuilt after: one sort per index instead of 10M inserts.
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS compliance_subjectkey_unique")
            cursor.execute("DROP INDEX IF EXISTS compliance_subjectkey_digest")
            cursor.execute("DROP INDEX IF EXISTS compliance_subjectkey_version")
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"INSERT INTO {table} (version_id, scan_id, digest, kind, column_ordinal) "  # noqa: S608
                "SELECT m.version_id, m.scan_id, sha256(int8send(g)), 'email', 2 "
                "FROM generate_series(1, %s) AS g JOIN bench_map m ON m.idx = g %% %s",
                [rows - SUBJECT_SNAPSHOTS, raws],
            )
            digest = bytes.fromhex(subject_digest("email", SUBJECT, key=subject_key()))
            for scan in scans[:SUBJECT_SNAPSHOTS]:
                cursor.execute(
                    f"INSERT INTO {table} (version_id, scan_id, digest, kind, column_ordinal) "  # noqa: S608
                    "VALUES (%s, %s, %s, 'email', 2)",
                    [scan.version_id, scan.pk, digest],
                )
            cursor.execute("SET LOCAL session_replication_role = origin")
            print(f"  {rows:,} subject keys: {time.perf_counter() - started:.0f} s", flush=True)
            cursor.execute(f"CREATE INDEX compliance_subjectkey_digest ON {table} (digest)")
            cursor.execute(f"CREATE INDEX compliance_subjectkey_version ON {table} (version_id)")
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT compliance_subjectkey_unique UNIQUE (scan_id, digest)")
            print(f"  indexes: {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def _timed(func, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class _Rollback(Exception):
    pass


def measure(runs: int) -> list[tuple[str, list[float], float | None, str]]:
    from django.db import transaction

    from compliance.identifiers import subject_digest
    from compliance.scanning import subject_key
    from compliance.selectors import versions_holding_digests
    from compliance.selectors_requests import subject_impact
    from compliance.services_requests import subject_request_create
    from core.audit import Actor

    key = subject_key()
    actor = Actor.system("benchmark")
    facts: dict[str, int] = {}

    def lookup():
        digest = bytes.fromhex(subject_digest("email", SUBJECT, key=key))
        facts["hits"] = len(versions_holding_digests([digest]))

    def impact():
        digest = bytes.fromhex(subject_digest("email", SUBJECT, key=key))
        found = subject_impact(digests=[digest])
        facts["items"], facts["deployments"] = len(found.items), len(found.deployments)

    def receive():
        try:
            with transaction.atomic():
                request = subject_request_create(kind="erasure", identifiers=[("email", SUBJECT)], actor=actor)
                facts["actions"] = request.actions.count()
                raise _Rollback
        except _Rollback:
            pass

    results = [
        ("lookup: digest → versions (10M-key index)", _timed(lookup, runs), None, ""),
        ("impact: lookup + closure + deployments", _timed(impact, runs), TARGET_MS, ""),
        ("receive: create request + actions + audit", _timed(receive, max(5, runs // 3)), None, ""),
    ]
    print(
        f"subject found in {facts['hits']} versions; impact {facts['items']} versions, "
        f"{facts['deployments']} deployments; {facts['actions']} actions opened"
    )
    # 12 raw, 12 cleaned, 12 anonymised, 13 models (the 13th trained on the 12th cleaned snapshot), 13 fine-tunes,
    # 13 quantised; int8 #0 and #10 are deployed.
    expected = (SUBJECT_SNAPSHOTS, 75, 2)
    if (facts["hits"], facts["items"], facts["deployments"]) != expected:
        raise SystemExit(f"unexpected impact {facts}, wanted hits/items/deployments {expected}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rows", type=int, default=10_000_000, help="subject keys (default 10M)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per workload")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args(argv)
    url = database_url()
    ensure_database(url, rebuild=args.rebuild)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not _populated(args.rows):
        if not args.rebuild:
            from django.db import connection

            connection.close()
            ensure_database(url, rebuild=True)
            call_command("migrate", verbosity=0, interactive=False)
        build(args.rows)
    results = measure(args.runs)
    print(f"\n{'workload':<46} {'median':>9} {'p95':>9} {'target':>9}  verdict")
    failed = False
    for name, samples, target, _ in results:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)
        verdict = "" if target is None else ("ok" if median <= target else "TOO SLOW")
        failed |= verdict == "TOO SLOW"
        target_text = f"≤{target:.0f} ms" if target else "—"
        print(f"{name:<46} {median:>6.1f} ms {p95:>6.1f} ms {target_text:>9}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
