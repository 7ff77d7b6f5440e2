"""Builders for OpenLineage events and a poster for the ingestion endpoint (shared by the lineage tests)."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

PRODUCER = "https://example.com/custodian-tests/v1"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def at(minutes: float = 0) -> str:
    """``T0`` + ``minutes`` as an ISO 8601 ``eventTime``."""
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def facet(**fields: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/X.json", **fields}


def schema(*columns: str | tuple[str, str]) -> dict[str, Any]:
    fields = [{"name": c, "type": "string"} if isinstance(c, str) else {"name": c[0], "type": c[1]} for c in columns]
    return facet(fields=fields)


def dataset(
    namespace: str,
    name: str,
    *,
    facets: dict[str, Any] | None = None,
    model: bool = False,
    version: str | None = None,
    columns: tuple | None = None,
    role: str | None = None,
    io_facets: dict[str, Any] | None = None,
    io_key: str = "inputFacets",
) -> dict[str, Any]:
    all_facets = dict(facets or {})
    if model:
        all_facets["datasetType"] = facet(datasetType="MODEL", subType="MODEL_VERSION")
    if version is not None:
        all_facets["version"] = facet(datasetVersion=version)
    if columns:
        all_facets["schema"] = schema(*columns)
    item: dict[str, Any] = {"namespace": namespace, "name": name, "facets": all_facets}
    extra = dict(io_facets or {})
    if role is not None:
        extra["custodian_inputRole"] = facet(role=role)
    if extra:
        item[io_key] = extra
    return item


def run_event(
    event_type: str | None = "START",
    *,
    run_id: str | uuid.UUID | None = None,
    job: tuple[str, str] = ("tests", "job"),
    inputs: list[dict] | None = None,
    outputs: list[dict] | None = None,
    minutes: float = 0,
    run_facets: dict[str, Any] | None = None,
    job_facets: dict[str, Any] | None = None,
    job_type: str | None = None,
) -> dict[str, Any]:
    facets = dict(job_facets or {})
    if job_type is not None:
        facets["jobType"] = facet(processingType="BATCH", integration="CUSTOM", jobType=job_type)
    event: dict[str, Any] = {
        "eventTime": at(minutes),
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
        "run": {"runId": str(run_id or uuid.uuid4()), "facets": dict(run_facets or {})},
        "job": {"namespace": job[0], "name": job[1], "facets": facets},
        "inputs": list(inputs or []),
        "outputs": list(outputs or []),
    }
    if event_type is not None:
        event["eventType"] = event_type
    return event


def post(client, body: Any, *, path: str = "/api/v1/lineage", compress: bool = False, encoding: str | None = None):
    """POST ``body`` (JSON-encoded unless bytes) as OpenLineage producers do; gzip when ``compress``."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if compress:
        data = gzip.compress(data, compresslevel=3)
        headers["HTTP_CONTENT_ENCODING"] = "gzip"
    if encoding is not None:
        headers["HTTP_CONTENT_ENCODING"] = encoding
    return client.generic("POST", path, data, content_type="application/json", **headers)
