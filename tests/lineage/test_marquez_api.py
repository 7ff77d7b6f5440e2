"""
The Marquez-compatible read API: shapes, URL-encoded namespaces with ``:`` and ``/``, roles, and query counts
that do not grow with the graph.
"""

import uuid
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import Actor
from lineage.ingestion import openlineage_events_ingest
from lineage.marquez import version_uuid
from tests.lineage.ol import dataset, facet, run_event

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
RAW = ("s3://raw-bucket", "events/2024")
FEATURES = ("s3://features", "churn/features_v3")
MODEL = ("mlflow://mlflow.example.com:5000", "models/churn/versions/1")
BUILD = uuid.UUID("11111111-1111-4111-8111-111111111111")
TRAIN = uuid.UUID("22222222-2222-4222-8222-222222222222")


def ingest(*events):
    result = openlineage_events_ingest(payloads=list(events), actor=SYSTEM, atomic=True)
    assert result.rejected == 0, result.rejections
    return result


@pytest.fixture
def graph(db):
    """raw ──features.build──> features ──churn.train──> model (+ a dataset no job touches)."""
    lineage = facet(
        fields={
            "total": {
                "inputFields": [
                    {
                        "namespace": RAW[0],
                        "name": RAW[1],
                        "field": "amount",
                        "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION"}],
                    }
                ]
            }
        }
    )
    build = {
        "job": ("ml-training", "features.build"),
        "inputs": [dataset(*RAW, columns=("user_id", "amount"))],
        "outputs": [dataset(*FEATURES, columns=("user_id", "total"), version="v3", facets={"columnLineage": lineage})],
    }
    train = {
        "job": ("ml-training", "churn.train"),
        "job_type": "TRAINING",
        "inputs": [dataset(*FEATURES, columns=("user_id", "total"))],
        "outputs": [dataset(*MODEL, model=True, version="1")],
        "run_facets": {"nominalTime": facet(nominalStartTime="2026-11-28T10:00:00Z")},
    }
    ingest(
        run_event("START", run_id=BUILD, minutes=0, **build),
        run_event("COMPLETE", run_id=BUILD, minutes=5, **build),
        run_event("START", run_id=TRAIN, minutes=10, **train),
        run_event("COMPLETE", run_id=TRAIN, minutes=20, **train),
        {
            "eventTime": "2026-11-28T09:00:00Z",
            "producer": "https://example.com/p",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            "dataset": dataset("s3://raw-bucket", "lonely"),
        },
    )


@pytest.fixture
def reader(api_client):
    return api_client("auditor", scheme="Bearer")


def ns(namespace: str) -> str:
    return quote(namespace, safe="")


@pytest.mark.parametrize(
    ("_case", "role", "status_code"),
    [
        ("anonymous", None, 401),
        ("no role", "norole", 403),
        ("auditor", "auditor", 200),
        ("scientist", "scientist", 200),
    ],
)
def test_reads_need_any_role(_case, role, status_code, api_client, graph):
    assert api_client(role).get("/api/v1/namespaces").status_code == status_code


def test_namespaces(reader, graph):
    # when
    body = reader.get("/api/v1/namespaces").json()
    # then
    assert [n["name"] for n in body["namespaces"]] == [
        "ml-training",
        "mlflow://mlflow.example.com:5000",
        "s3://features",
        "s3://raw-bucket",
    ]
    assert body["totalCount"] == 4
    assert set(body["namespaces"][0]) == {"name", "createdAt", "updatedAt", "ownerName", "description", "isHidden"}
    one = reader.get(f"/api/v1/namespaces/{ns('s3://raw-bucket')}").json()
    assert (one["name"], one["isHidden"]) == ("s3://raw-bucket", False)
    assert reader.get("/api/v1/namespaces/nowhere").status_code == 404


def test_datasets_of_a_namespace_with_an_encoded_name(reader, graph):
    # when
    listing = reader.get(f"/api/v1/namespaces/{ns('s3://raw-bucket')}/datasets").json()
    one = reader.get(f"/api/v1/namespaces/{ns('s3://raw-bucket')}/datasets/{ns('events/2024')}").json()
    # then
    assert listing["totalCount"] == 2
    assert [d["name"] for d in listing["datasets"]] == ["events/2024", "lonely"]
    assert one["id"] == {"namespace": "s3://raw-bucket", "name": "events/2024"}
    assert (one["type"], one["physicalName"], one["sourceName"]) == ("DB_TABLE", "events/2024", "s3://raw-bucket")
    assert [(f["name"], f["type"]) for f in one["fields"]] == [("user_id", "string"), ("amount", "string")]
    assert one["deleted"] is False
    assert one["currentVersion"] == version_uuid("s3://raw-bucket", "events/2024", "unversioned")


def test_the_raw_path_wins_when_the_server_passes_it(reader, graph):
    # given gunicorn's RAW_URI, where an encoded "/" is still %2F
    path = f"/api/v1/namespaces/{ns('s3://features')}/datasets/{ns('churn/features_v3')}/versions"
    # when
    body = reader.get(path, RAW_URI=path).json()
    # then
    assert body["totalCount"] == 1
    version = body["versions"][0]
    assert version["versionLabel"] == "v3"
    assert version["id"] == {
        "namespace": "s3://features",
        "name": "churn/features_v3",
        "version": version_uuid("s3://features", "churn/features_v3", "v3"),
    }
    assert version["createdByRun"]["id"] == str(BUILD)
    assert version["createdByRun"]["state"] == "COMPLETED"
    assert [f["name"] for f in version["fields"]] == ["user_id", "total"]
    by_label = reader.get(f"/api/v1/namespaces/{ns('s3://features')}/datasets/{ns('churn/features_v3')}/versions/v3")
    assert by_label.json()["version"] == version["version"]


def test_jobs_and_runs(reader, graph):
    # when
    jobs = reader.get("/api/v1/namespaces/ml-training/jobs").json()
    runs = reader.get("/api/v1/namespaces/ml-training/jobs/churn.train/runs").json()
    # then
    assert [j["name"] for j in jobs["jobs"]] == ["churn.train", "features.build"]
    train = jobs["jobs"][0]
    assert train["inputs"] == [{"namespace": "s3://features", "name": "churn/features_v3"}]
    assert train["outputs"] == [{"namespace": "mlflow://mlflow.example.com:5000", "name": "models/churn/versions/1"}]
    assert (train["type"], train["latestRun"]["state"], train["jobType"]) == ("BATCH", "COMPLETED", "training")
    assert runs["totalCount"] == 1
    run = runs["runs"][0]
    assert (run["id"], run["state"], run["durationMs"]) == (str(TRAIN), "COMPLETED", 600_000)
    assert run["nominalStartTime"] == "2026-11-28T10:00:00Z"
    assert run["inputDatasetVersions"] == [
        {
            "datasetVersionId": {
                "namespace": "s3://features",
                "name": "churn/features_v3",
                "version": version_uuid("s3://features", "churn/features_v3", "v3"),
            },
            "facets": {},
        }
    ]
    assert reader.get("/api/v1/namespaces/ml-training/jobs/nope").status_code == 404


def test_run_and_its_facets(reader, graph):
    # when
    run = reader.get(f"/api/v1/jobs/runs/{TRAIN}").json()
    run_facets = reader.get(f"/api/v1/jobs/runs/{TRAIN}/facets", {"type": "run"}).json()
    job_facets = reader.get(f"/api/v1/jobs/runs/{TRAIN}/facets", {"type": "job"}).json()
    # then
    assert (run["id"], run["state"], run["startedAt"], run["endedAt"]) == (
        str(TRAIN),
        "COMPLETED",
        "2026-11-28T10:10:00Z",
        "2026-11-28T10:20:00Z",
    )
    assert run_facets["runId"] == str(TRAIN)
    assert set(run_facets["facets"]) == {"nominalTime"}
    assert job_facets["facets"]["jobType"]["jobType"] == "TRAINING"
    assert reader.get(f"/api/v1/jobs/runs/{uuid.uuid4()}").status_code == 404
    assert reader.get("/api/v1/jobs/runs/not-a-uuid").status_code == 404


def test_lineage_graph_runs_dataset_to_job_to_dataset(reader, graph):
    # when
    body = reader.get("/api/v1/lineage", {"nodeId": f"dataset:{RAW[0]}:{RAW[1]}", "depth": 20}).json()
    # then
    nodes = {node["id"]: node for node in body["graph"]}
    assert set(nodes) == {
        "job:ml-training:features.build",
        "job:ml-training:churn.train",
        "dataset:s3://raw-bucket:events/2024",
        "dataset:s3://features:churn/features_v3",
        "dataset:mlflow://mlflow.example.com:5000:models/churn/versions/1",
    }
    build = nodes["job:ml-training:features.build"]
    assert build["type"] == "JOB"
    assert build["inEdges"] == [
        {"origin": "dataset:s3://raw-bucket:events/2024", "destination": "job:ml-training:features.build"}
    ]
    assert build["outEdges"] == [
        {"origin": "job:ml-training:features.build", "destination": "dataset:s3://features:churn/features_v3"}
    ]
    features = nodes["dataset:s3://features:churn/features_v3"]
    assert features["data"]["id"] == {"namespace": "s3://features", "name": "churn/features_v3"}
    assert [e["origin"] for e in features["inEdges"]] == ["job:ml-training:features.build"]
    assert [e["destination"] for e in features["outEdges"]] == ["job:ml-training:churn.train"]
    model = nodes["dataset:mlflow://mlflow.example.com:5000:models/churn/versions/1"]
    assert (model["type"], model["data"]["kind"]) == ("DATASET", "model")


def test_lineage_depth_limits_the_jobs(reader, graph):
    # when
    body = reader.get("/api/v1/lineage", {"nodeId": "job:ml-training:churn.train", "depth": 0}).json()
    # then only the job itself and its datasets
    assert {n["id"] for n in body["graph"]} == {
        "job:ml-training:churn.train",
        "dataset:s3://features:churn/features_v3",
        "dataset:mlflow://mlflow.example.com:5000:models/churn/versions/1",
    }


def test_a_dataset_without_jobs_is_a_one_node_graph(reader, graph):
    body = reader.get("/api/v1/lineage", {"nodeId": "dataset:s3://raw-bucket:lonely"}).json()
    assert [(n["id"], n["type"], n["inEdges"], n["outEdges"]) for n in body["graph"]] == [
        ("dataset:s3://raw-bucket:lonely", "DATASET", [], [])
    ]


@pytest.mark.parametrize(
    ("node_id", "status_code"),
    [("dataset:s3://raw-bucket:missing", 404), ("nonsense", 400), ("job:nowhere:x", 404), (f"run:{TRAIN}", 400)],
)
def test_lineage_bad_nodes(node_id, status_code, reader, graph):
    assert reader.get("/api/v1/lineage", {"nodeId": node_id}).status_code == status_code


def test_column_lineage(reader, graph):
    # when
    body = reader.get(
        "/api/v1/column-lineage", {"nodeId": "datasetField:s3://features:churn/features_v3:total", "depth": 20}
    ).json()
    # then
    nodes = {n["id"]: n for n in body["graph"]}
    assert set(nodes) == {
        "datasetField:s3://features:churn/features_v3:total",
        "datasetField:s3://raw-bucket:events/2024:amount",
    }
    total = nodes["datasetField:s3://features:churn/features_v3:total"]
    assert total["type"] == "DATASET_FIELD"
    assert (total["data"]["field"], total["data"]["fieldType"], total["data"]["transformationType"]) == (
        "total",
        "string",
        "DIRECT",
    )
    assert [(f["dataset"], f["field"]) for f in total["data"]["inputFields"]] == [("events/2024", "amount")]
    assert total["inEdges"] == [
        {
            "origin": "datasetField:s3://raw-bucket:events/2024:amount",
            "destination": "datasetField:s3://features:churn/features_v3:total",
        }
    ]
    downstream = reader.get(
        "/api/v1/column-lineage",
        {"nodeId": "datasetField:s3://raw-bucket:events/2024:amount", "withDownstream": "true"},
    ).json()
    assert {n["id"] for n in downstream["graph"]} == set(nodes)


def test_search(reader, graph):
    # when
    body = reader.get("/api/v1/search", {"q": "churn", "sort": "name"}).json()
    jobs_only = reader.get("/api/v1/search", {"q": "churn", "filter": "job"}).json()
    # then
    assert body["totalCount"] == 3
    assert [(r["type"], r["name"], r["nodeId"]) for r in body["results"]] == [
        ("JOB", "churn.train", "job:ml-training:churn.train"),
        ("DATASET", "churn/features_v3", "dataset:s3://features:churn/features_v3"),
        ("DATASET", "models/churn/versions/1", "dataset:mlflow://mlflow.example.com:5000:models/churn/versions/1"),
    ]
    assert [r["name"] for r in jobs_only["results"]] == ["churn.train"]
    assert reader.get("/api/v1/search", {"q": "x", "filter": "bogus"}).status_code == 400


def test_raw_lineage_events(reader, graph):
    # when
    newest = reader.get("/api/v1/events/lineage", {"limit": 2}).json()
    window = reader.get(
        "/api/v1/events/lineage",
        {"after": "2026-11-28T10:04:00Z", "before": "2026-11-28T10:11:00Z", "sortDirection": "asc"},
    ).json()
    # then
    assert newest["totalCount"] == 5
    assert [(e["eventType"], e["eventTime"]) for e in newest["events"]] == [
        ("COMPLETE", "2026-11-28T10:20:00Z"),
        ("START", "2026-11-28T10:10:00Z"),
    ]
    assert [e["eventTime"] for e in window["events"]] == ["2026-11-28T10:05:00Z", "2026-11-28T10:10:00Z"]
    assert reader.get("/api/v1/events/lineage", {"before": "yesterday"}).status_code == 400


def _fan(width: int) -> None:
    """A source dataset read by ``width`` jobs, each writing its own dataset read by one more job (depth 2)."""
    events = []
    for n in range(width):
        events.append(
            run_event(
                "COMPLETE",
                job=("fan", f"first-{n}"),
                inputs=[dataset("s3://fan", "source")],
                outputs=[dataset("s3://fan", f"mid-{n}")],
            )
        )
        events.append(
            run_event(
                "COMPLETE",
                job=("fan", f"second-{n}"),
                inputs=[dataset("s3://fan", f"mid-{n}")],
                outputs=[dataset("s3://fan", f"end-{n}")],
            )
        )
    ingest(*events)


@pytest.mark.parametrize("width", [2, 40])
def test_lineage_query_count_does_not_grow_with_the_graph(width, reader, django_assert_num_queries):
    # given
    _fan(width)
    reader.get("/api/v1/lineage", {"nodeId": "dataset:s3://fan:source"})  # links from other doors folded in
    # when / then: token, roles, sync check, node, start jobs, 2 levels, jobs (+ latest runs), links,
    # datasets (+ current versions), fields
    with django_assert_num_queries(11):
        body = reader.get("/api/v1/lineage", {"nodeId": "dataset:s3://fan:source", "depth": 20}).json()
    assert len([n for n in body["graph"] if n["type"] == "JOB"]) == 2 * width


def test_dataset_listing_query_count_is_flat(reader, django_assert_num_queries):
    # given
    _fan(25)
    # when / then
    with CaptureQueriesContext(connection) as queries:
        body = reader.get(f"/api/v1/namespaces/{ns('s3://fan')}/datasets", {"limit": 100}).json()
    assert body["totalCount"] == 51
    assert len(queries) <= 8


def test_encoded_namespaces_over_real_http(live_server, transactional_db, scientist):
    # given
    import requests
    from rest_framework.authtoken.models import Token

    ingest(
        run_event(
            "COMPLETE",
            inputs=[dataset("postgres://db.internal:5432", "shop.public.orders")],
            outputs=[dataset("s3://b", "out/2024/11")],
        )
    )
    headers = {"Authorization": f"Bearer {Token.objects.create(user=scientist).key}"}
    base = f"{live_server.url}/api/v1/namespaces"
    # when
    table = requests.get(f"{base}/{ns('postgres://db.internal:5432')}/datasets/shop.public.orders", headers=headers)
    nested = requests.get(f"{base}/{ns('s3://b')}/datasets/{ns('out/2024/11')}/versions", headers=headers)
    graph = requests.get(
        f"{live_server.url}/api/v1/lineage",
        params={"nodeId": "dataset:postgres://db.internal:5432:shop.public.orders"},
        headers=headers,
    )
    # then
    assert table.status_code == 200
    assert table.json()["id"] == {"namespace": "postgres://db.internal:5432", "name": "shop.public.orders"}
    assert nested.json()["totalCount"] == 1
    assert "dataset:s3://b:out/2024/11" in {n["id"] for n in graph.json()["graph"]}
