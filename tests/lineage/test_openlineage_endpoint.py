"""``POST /api/v1/lineage`` and ``…/batch``: status codes, bodies, gzip, auth, and no side effect on refusal."""

import gzip
import json
import uuid

import pytest
from django.db import OperationalError

from catalog.models import Asset, AssetVersion
from core.models import AuditEvent
from lineage import ingestion
from lineage.models import Job, OpenLineageEvent, Run
from tests.lineage.ol import dataset, post, run_event

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, int]:
    return {
        "events": OpenLineageEvent.objects.count(),
        "runs": Run.objects.count(),
        "jobs": Job.objects.count(),
        "assets": Asset.objects.count(),
        "versions": AssetVersion.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


NOTHING = {"events": 0, "runs": 0, "jobs": 0, "assets": 0, "versions": 0, "audit": 0}


def _event() -> dict:
    return run_event("START", inputs=[dataset("s3://raw", "events")], outputs=[dataset("s3://features", "f")])


def test_a_valid_event_is_accepted_with_201_and_an_empty_body(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    # when
    response = post(client, _event())
    # then
    assert response.status_code == 201
    assert response.content == b""
    assert _rows() == {"events": 1, "runs": 1, "jobs": 1, "assets": 2, "versions": 2, "audit": 1}


@pytest.mark.parametrize(
    ("_case", "role", "scheme", "status_code"),
    [
        ("no token is 401", None, "Bearer", 401),
        ("an auditor may not write", "auditor", "Bearer", 403),
        ("a user without a role may not write", "norole", "Bearer", 403),
        ("a scientist writes with Bearer", "scientist", "Bearer", 201),
        ("an officer writes with Token", "officer", "Token", 201),
    ],
)
def test_writing_needs_a_token_of_a_writing_role(_case, role, scheme, status_code, api_client):
    # given
    client = api_client(role, scheme=scheme)
    # when
    response = post(client, _event())
    # then
    assert response.status_code == status_code
    assert OpenLineageEvent.objects.count() == (1 if status_code == 201 else 0)
    assert AuditEvent.objects.filter(action="ingest").count() == (1 if status_code == 201 else 0)


def test_an_unknown_token_is_401_and_stores_nothing(client):
    # when
    response = client.generic(
        "POST",
        "/api/v1/lineage",
        json.dumps(_event()),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert _rows() == NOTHING


def test_x_api_key_header_is_accepted(api_client, scientist):
    # given
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=Token.objects.create(user=scientist).key)
    # when
    response = post(client, _event())
    # then
    assert response.status_code == 201
    assert OpenLineageEvent.objects.get().principal == scientist


@pytest.mark.parametrize(
    ("_case", "body", "encoding", "reason"),
    [
        ("not JSON", b"{not json", None, "body is not valid JSON"),
        ("empty body", b"", None, "empty request body"),
        ("bad gzip", b"\x1f\x8b\x08\x00garbage", "gzip", "gzip data"),
        ("gzip header on a plain non-JSON body", b"hello", "gzip", "invalid gzip data"),
        ("truncated gzip", gzip.compress(b'{"a": 1}')[:12], "gzip", "gzip"),
    ],
)
def test_undecodable_bodies_are_400_with_a_reason_and_store_nothing(_case, body, encoding, reason, api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    # when
    response = post(client, body, encoding=encoding)
    # then
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert _rows() == NOTHING


def test_a_body_over_the_decompressed_cap_is_413_and_stores_nothing(api_client, settings):
    # given a 2 KB cap and an event that inflates beyond it
    settings.CUSTODIAN_OPENLINEAGE_MAX_BYTES = 2048
    client = api_client("scientist", scheme="Bearer")
    event = _event()
    event["run"]["facets"]["custodian_padding"] = {"text": "x" * 50_000}
    # when
    plain = post(client, event)
    compressed = post(client, event, compress=True)
    # then
    assert (plain.status_code, compressed.status_code) == (413, 413)
    assert "exceeds 2048 bytes" in compressed.json()["detail"]
    assert _rows() == NOTHING


def test_an_invalid_event_is_422_with_its_violations_and_stores_nothing(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    event = _event()
    event["run"]["runId"] = "run_id"
    del event["job"]["name"]
    # when
    response = post(client, event)
    # then
    assert response.status_code == 422
    body = response.json()
    assert {(v["path"], v["code"]) for v in body["violations"]} == {("run.runId", "format"), ("job.name", "required")}
    assert body["detail"].startswith("invalid OpenLineage event: ")
    assert _rows() == NOTHING


def test_gzip_is_inflated_by_header_and_by_magic_bytes(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    first, second = _event(), _event()
    # when
    by_header = post(client, first, compress=True)
    by_magic = post(client, gzip.compress(json.dumps(second).encode()))
    # then
    assert (by_header.status_code, by_magic.status_code) == (201, 201)
    assert set(OpenLineageEvent.objects.values_list("run_id", flat=True)) == {
        uuid.UUID(first["run"]["runId"]),
        uuid.UUID(second["run"]["runId"]),
    }


def test_a_duplicate_is_a_2xx_no_op(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    event = _event()
    post(client, event)
    before = _rows()
    # when the same event arrives again, keys in another order and gzipped
    reordered = json.loads(json.dumps(event, sort_keys=True))
    response = post(client, reordered, compress=True)
    # then
    assert response.status_code == 201
    assert _rows() == before == {"events": 1, "runs": 1, "jobs": 1, "assets": 2, "versions": 2, "audit": 1}


def test_an_array_is_all_or_nothing(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    good, bad = _event(), _event()
    bad["run"]["runId"] = "nope"
    # when
    refused = post(client, [good, bad])
    accepted = post(client, [good, _event()])
    # then
    assert refused.status_code == 422
    assert [(f["index"], f["reason"]) for f in refused.json()["failed_events"]] == [
        (1, "run.runId is not a UUID: 'nope'")
    ]
    assert accepted.status_code == 200
    assert accepted.json() == {
        "status": "success",
        "summary": {"received": 2, "successful": 2, "failed": 0, "retriable": 0, "non_retriable": 0},
        "failed_events": [],
    }
    assert OpenLineageEvent.objects.count() == 2


def test_batch_answers_204_when_every_event_is_accepted(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    events = [_event() for _ in range(3)]
    # when
    response = post(client, events + [events[0]], path="/api/v1/lineage/batch")
    # then
    assert response.status_code == 204
    assert OpenLineageEvent.objects.count() == 3
    assert AuditEvent.objects.filter(action="ingest").count() == 3


def test_batch_reports_partial_success_and_stores_the_valid_events(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    bad = _event()
    bad["run"]["runId"] = "run_id"
    # when
    response = post(client, [_event(), bad, _event()], path="/api/v1/lineage/batch", compress=True)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "status": "partial_success",
        "summary": {"received": 3, "successful": 2, "failed": 1, "retriable": 0, "non_retriable": 1},
        "failed_events": [{"index": 1, "reason": "run.runId is not a UUID: 'run_id'", "retriable": False}],
    }
    assert OpenLineageEvent.objects.count() == 2


def test_batch_needs_an_array(api_client):
    client = api_client("scientist", scheme="Bearer")
    response = post(client, _event(), path="/api/v1/lineage/batch")
    assert response.status_code == 400
    assert _rows() == NOTHING


def test_a_database_outage_is_503_with_retry_after_and_stores_nothing(api_client, monkeypatch):
    # given a database that keeps timing out on locks
    def locked(*args, **kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(ingestion, "_store_and_project", locked)
    monkeypatch.setattr(ingestion.time, "sleep", lambda seconds: None)
    client = api_client("scientist", scheme="Bearer")
    # when
    response = post(client, _event())
    batch = post(client, [_event()], path="/api/v1/lineage/batch")
    # then
    assert (response.status_code, batch.status_code) == (503, 503)
    assert response["Retry-After"] == "2"
    assert _rows() == NOTHING


def test_get_lineage_requires_a_node_id(api_client):
    response = api_client("auditor").get("/api/v1/lineage")
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "nodeId is required"}
