"""
Every file of the shared OpenLineage conformance material, replayed through ``POST /api/v1/lineage`` with the
outcome ``../shared/openlineage/README.md`` expects (skipped when the material is absent).

Outcome table (anything not listed: ``201``):

| File | Answer | Why |
|---|---|---|
| ``compat-consumer/simple_run_event/…`` | 422 | runId ``"run_id"`` is not a UUID: rejected, not mapped |
| ``proxy-negative/event_no_run_id.json`` | 422 | no ``run.runId`` |
| ``proxy-negative/event_invalid_run_facet.json`` | 422 | ``parent`` run facet without ``run.runId`` |
| ``proxy-negative/event_invalid_job_facet.json`` | 422 | ``ownership`` job facet owner without ``name`` |
| ``proxy-negative/event_invalid_*dataset_facet.json`` | 201 | dataset facets are only warned about |
| ``facet-samples/<Facet>/*.json`` | 201 | each facet sent inside an event at its location |
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest

from catalog.models import Asset, AssetVersion
from lineage.choices import RunState
from lineage.models import ColumnEdge, Job, OpenLineageEvent, Run
from tests.lineage.ol import at, post

ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "openlineage"
EVENTS = ROOT / "events"
needs_material = pytest.mark.skipif(not EVENTS.is_dir(), reason=f"conformance material not found at {ROOT}")

REJECTED = {
    "compat-consumer/simple_run_event/events/simple_run_event.json": "run.runId",
    "proxy-negative/event_no_run_id.json": "run.runId",
    "proxy-negative/event_invalid_run_facet.json": "run.facets.parent.run.runId",
    "proxy-negative/event_invalid_job_facet.json": "job.facets.ownership.owners[0].name",
}


def _event_files() -> list[Path]:
    if not EVENTS.is_dir():
        return []
    return sorted(
        p
        for p in EVENTS.rglob("*.json")
        if "facet-samples" not in p.relative_to(EVENTS).parts[:1] or p.name == "example_full_event.json"
    )


def _relative(path: Path) -> str:
    return path.relative_to(EVENTS).as_posix()


def _load(path: Path):
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def _demo_events() -> list[dict]:
    from tests.lineage.openlineage.conformance import demo_events

    return demo_events()


@pytest.fixture
def client(api_client):
    return api_client("scientist", scheme="Bearer")


@needs_material
@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in _event_files() if p.name != "marquez-demo.template.json"], ids=_relative)
def test_each_conformance_event_gets_its_expected_answer(path, client):
    # given
    payload = _load(path)
    expected = REJECTED.get(_relative(path))
    # when
    response = post(client, payload)
    # then
    if expected is None:
        assert response.status_code == 201, response.content
        assert OpenLineageEvent.objects.count() == 1
    else:
        assert response.status_code == 422
        assert expected in {v["path"] for v in response.json()["violations"]}
        assert OpenLineageEvent.objects.count() == 0
        assert (Run.objects.count(), Job.objects.count(), Asset.objects.count()) == (0, 0, 0)


@needs_material
@pytest.mark.django_db
@pytest.mark.parametrize(
    "scenario",
    [
        "airflow",
        "spark_dataproc_bigquery_shakespare",
        "spark_dataproc_simple_producer_test",
        "spark_dataproc_simple_producer_test_complete",
        "CLL",
    ],
)
def test_a_compatibility_scenario_replays_into_completed_runs(scenario, client):
    # given
    files = sorted((EVENTS / "compat-consumer" / scenario / "events").glob("*.json"))
    # when every event is sent twice (a retrying producer)
    answers = [post(client, _load(f)).status_code for f in files for _ in range(2)]
    # then
    assert answers == [201] * (2 * len(files))
    assert OpenLineageEvent.objects.count() == len(files)
    completed = {
        str(r) for r in OpenLineageEvent.objects.filter(event_type="COMPLETE").values_list("run_id", flat=True)
    }
    states = dict(Run.objects.filter(run_id__in=completed).values_list("run_id", "state"))
    assert set(states.values()) <= {RunState.COMPLETE}
    assert len(states) == len(completed)


@needs_material
@pytest.mark.django_db
def test_column_lineage_scenario_produces_column_edges(client):
    # given
    files = sorted((EVENTS / "compat-consumer" / "CLL" / "events").glob("*.json"))
    # when
    for f in files:
        post(client, _load(f))
    # then every output field named in a columnLineage facet has its edges
    expected = set()
    for f in files:
        for output in _load(f).get("outputs") or []:
            cll = (output.get("facets") or {}).get("columnLineage") or {}
            for field, spec in (cll.get("fields") or {}).items():
                for source in spec.get("inputFields") or []:
                    expected.add((output["name"], field, source["name"], source["field"]))
    found = set(
        ColumnEdge.objects.values_list("target_asset__name", "target_field", "source_asset__name", "source_field")
    )
    assert expected
    assert expected <= found


@needs_material
@pytest.mark.django_db
def test_the_marquez_demo_graph_is_accepted(client):
    # given the 26-event demo with its placeholders filled in
    events = _demo_events()
    # when
    answers = [post(client, event).status_code for event in events]
    # then
    assert answers == [201] * 26
    assert OpenLineageEvent.objects.count() == 26
    assert Run.objects.filter(state=RunState.COMPLETE).count() == 13
    body = client.get("/api/v1/lineage", {"nodeId": "dataset:food_delivery:public.delivery_7_days", "depth": 20}).json()
    jobs = {node["id"] for node in body["graph"] if node["type"] == "JOB"}
    assert jobs == {f"job:food_delivery:{e['job']['name']}" for e in events}
    assert len(jobs) == 13
    node = next(n for n in body["graph"] if n["id"] == "job:food_delivery:delivery_times_7_days")
    assert node["inEdges"] == [{"origin": "dataset:food_delivery:public.delivery_7_days", "destination": node["id"]}]
    assert [e["destination"] for e in node["outEdges"]] == [
        "dataset:food_delivery:public.discounts",
        "dataset:food_delivery:public.top_delivery_times",
    ]
    assert node["data"]["latestRun"]["state"] == "COMPLETED"


def _facet_samples() -> list[Path]:
    root = EVENTS / "facet-samples"
    return sorted(root.glob("*/*.json")) if root.is_dir() else []


def _wrap(folder: str, sample: dict) -> dict:
    """Put a facet sample where its name says it belongs, inside an otherwise minimal RunEvent."""
    event = {
        "eventType": "COMPLETE",
        "eventTime": at(0),
        "producer": "https://example.com/facet-samples",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4()), "facets": {}},
        "job": {"namespace": "samples", "name": folder, "facets": {}},
        "inputs": [{"namespace": "samples", "name": "input", "facets": {}, "inputFacets": {}}],
        "outputs": [{"namespace": "samples", "name": "output", "facets": {}, "outputFacets": {}}],
    }
    facets = copy.deepcopy(sample)
    schema = next((f.get("_schemaURL", "") for f in facets.values() if isinstance(f, dict)), "")
    if folder.endswith("RunFacet"):
        event["run"]["facets"].update(facets)
    elif folder.endswith("JobFacet") or schema.endswith("LineageJobFacet"):
        event["job"]["facets"].update(facets)
    elif folder.endswith("InputDatasetFacet"):
        event["inputs"][0]["inputFacets"].update(facets)
    elif folder.endswith("OutputDatasetFacet"):
        event["outputs"][0]["outputFacets"].update(facets)
    else:
        event["outputs"][0]["facets"].update(facets)
    return event


@needs_material
@pytest.mark.django_db
@pytest.mark.parametrize("path", _facet_samples(), ids=lambda p: p.relative_to(EVENTS / "facet-samples").as_posix())
def test_each_standard_facet_sample_is_accepted_inside_an_event(path, client):
    # given
    event = _wrap(path.parent.name, _load(path))
    # when
    response = post(client, event)
    # then
    assert response.status_code == 201, response.content
    assert AssetVersion.objects.filter(asset__name="output").count() == 1
