"""A multi-partition scan on a real Celery worker with Redis gives the same result as an eager one."""

import os
import time

import pandas as pd
import pytest
from django.db import transaction

from catalog.models import AssetVersion
from compliance.choices import ScanStatus
from compliance.identifiers import subject_digests
from compliance.models import Scan, SubjectKey
from compliance.services import scan_request, scan_run_local
from core.audit import Actor
from tests.compliance.scans.conftest import write_people_csv
from tests.factories.catalog import VersionFactory

SYSTEM = Actor.system("tests")


@pytest.fixture
def celery_worker_app(settings):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        if os.environ.get("CUSTODIAN_REQUIRE_SERVICES"):
            pytest.fail("CELERY_BROKER_URL must point at Redis for the worker test")
        pytest.skip("no Redis broker configured (set CELERY_BROKER_URL)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
        yield app
    app.conf.update(saved)


def _wait(scan_id: int, timeout: float = 120) -> Scan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scan = Scan.objects.get(pk=scan_id)
        if scan.is_finished:
            return scan
        time.sleep(0.2)
    raise AssertionError(f"scan {scan_id} did not finish: {Scan.objects.get(pk=scan_id).status}")


def _result(scan: Scan) -> dict:
    return {
        "findings": [
            (f.column, f.verdict, f.entities, f.sampled, f.masked_examples, f.indexed)
            for f in scan.findings.order_by("ordinal")
        ],
        "digests": {bytes(d) for d in SubjectKey.objects.filter(scan=scan).values_list("digest", flat=True)},
        "profile": AssetVersion.objects.get(pk=scan.version_id).quality_profile,
        "rows": scan.rows_total,
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_partitioned_scan_on_a_worker_equals_the_eager_scan(celery_worker_app, tmp_path, settings):
    # given a file that splits into several partitions
    settings.CUSTODIAN_SCAN_PARTITION_ROWS = 250
    path = write_people_csv(tmp_path / "people.csv", rows=1200)
    # when: one scan through the broker and the worker, one in-process
    with transaction.atomic():
        queued = scan_request(version=VersionFactory(uri=f"file://{path}"), actor=SYSTEM)
    on_worker = _wait(queued.pk)
    eager = scan_run_local(
        scan=scan_request(version=VersionFactory(uri=f"file://{path}"), actor=SYSTEM, enqueue=False), actor=SYSTEM
    )
    # then
    assert on_worker.status == ScanStatus.SUCCEEDED, on_worker.error
    assert on_worker.partitions_total >= 4
    assert on_worker.partitions_done == on_worker.partitions_total
    worker_result, eager_result = _result(on_worker), _result(eager)
    assert worker_result == eager_result
    frame = pd.read_csv(path, dtype=str)
    expected = {
        bytes.fromhex(d)
        for kind in ("email", "phone")
        for d in subject_digests(kind, frame[kind].tolist(), key=b"test-subject-key")
    }
    assert worker_result["digests"] == expected
    assert on_worker.subject_keys == len(expected)
