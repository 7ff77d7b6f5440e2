"""
Concurrent producers on PostgreSQL: several threads post overlapping, duplicated, out-of-order events for the
same runs over real HTTP (single events and batches). Nothing is lost, nothing is doubled.
"""

import json
import random
import threading
import time
import uuid

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from catalog.models import AssetVersion
from core.audit import verify_chain
from core.models import AuditEvent
from lineage.choices import RunState
from lineage.models import Edge, JobDataset, OpenLineageEvent, Run, RunInput, RunOutput, RunStateChange
from tests.lineage.ol import dataset, run_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL row locks"),
]

RUNS = 6
THREADS = 8


def _events() -> list[dict]:
    """Per run: START (input a, output shared), RUNNING (input b), COMPLETE (input c, output own), OTHER."""
    events = []
    for n in range(RUNS):
        run_id = uuid.uuid4()
        job = ("etl", f"job-{n % 3}")
        events += [
            run_event(
                "START",
                run_id=run_id,
                job=job,
                minutes=n,
                inputs=[dataset("s3://raw", "a")],
                outputs=[dataset("s3://o", "shared")],
            ),
            run_event("RUNNING", run_id=run_id, job=job, minutes=n + 1, inputs=[dataset("s3://raw", "b")]),
            run_event(
                "COMPLETE",
                run_id=run_id,
                job=job,
                minutes=n + 2,
                inputs=[dataset("s3://raw", "c")],
                outputs=[dataset("s3://o", f"own-{n}")],
            ),
            run_event("OTHER", run_id=run_id, job=job, minutes=n + 0.5, inputs=[dataset("s3://raw", "a")]),
        ]
    return events


def _post(session: requests.Session, url: str, body) -> int:
    for _ in range(20):  # as the OpenLineage client does on 503
        response = session.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=30)
        if response.status_code != 503:
            return response.status_code
        time.sleep(float(response.headers.get("Retry-After", "1")) / 10)
    return 503


def test_overlapping_producers_lose_nothing_and_double_nothing(live_server, scientist):
    # given every event sent by every thread, each in its own shuffled order, half of them in batches
    events = _events()
    token = Token.objects.create(user=scientist).key
    statuses: list[int] = []
    lock = threading.Lock()

    def producer(seed: int) -> None:
        order = events[:]
        random.Random(seed).shuffle(order)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        if seed % 2:
            got = [
                _post(session, f"{live_server.url}/api/v1/lineage/batch", order[i : i + 5])
                for i in range(0, len(order), 5)
            ]
        else:
            got = [_post(session, f"{live_server.url}/api/v1/lineage", event) for event in order]
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=producer, args=(seed,)) for seed in range(THREADS)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then every request succeeded
    assert set(statuses) <= {201, 204}
    # and each distinct event is stored, projected and audited exactly once
    assert OpenLineageEvent.objects.count() == len(events)
    assert AuditEvent.objects.filter(action="ingest").count() == len(events)
    assert RunStateChange.objects.count() == len(events)
    assert Run.objects.count() == RUNS
    assert set(Run.objects.values_list("state", flat=True)) == {RunState.COMPLETE}
    # one version per output per run, inputs are the union of the run's events
    assert AssetVersion.objects.filter(asset__name="shared").count() == RUNS
    assert AssetVersion.objects.filter(asset__name__startswith="own-").count() == RUNS
    assert RunOutput.objects.count() == 2 * RUNS
    assert RunInput.objects.count() == 3 * RUNS
    assert Edge.objects.count() == 3 * 2 * RUNS
    for name in ("a", "b", "c"):
        assert AssetVersion.objects.filter(asset__name=name).count() == 1  # one placeholder each, never two
    assert JobDataset.objects.count() == 3 * (3 + 1) + RUNS
    # and the audit chain is intact
    checked, broken = verify_chain()
    assert (checked, broken) == (AuditEvent.objects.count(), None)


def test_concurrent_events_merge_facets_of_a_shared_dataset_without_losing_any(live_server, scientist):
    # given twelve runs of different jobs, each adding its own facet to the dataset they all read
    from catalog.models import Asset
    from tests.lineage.ol import facet

    token = Token.objects.create(user=scientist).key
    events = [
        run_event(
            "START",
            job=("etl", f"reader-{n}"),
            minutes=n,
            inputs=[dataset("s3://raw", "shared", facets={f"custodian_note{n}": facet(text=str(n))})],
        )
        for n in range(12)
    ]
    statuses: list[int] = []
    lock = threading.Lock()

    def producer(share: list[dict]) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        got = [_post(session, f"{live_server.url}/api/v1/lineage", event) for event in share]
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=producer, args=(events[i::4],)) for i in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert statuses == [201] * 12
    assert set(Asset.objects.get(name="shared").facets) == {f"custodian_note{n}" for n in range(12)}
