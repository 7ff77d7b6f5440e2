"""The foundation's 'done when': a scientist registers data and a model chain over REST; lineage answers it."""

import pytest

from core.models import AuditEvent
from lineage.models import Edge, Run

UPSTREAM = """
query ($id: ID!) { lineage(versionId: $id, direction: UPSTREAM) {
  nodes { id asset kind version } edges { source target role } isPartial } }
"""


@pytest.fixture
def chain(api_client):
    client = api_client("scientist")

    def post(url, payload):
        response = client.post(url, payload, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    dataset = post(
        "/api/datasets/",
        {"namespace": "s3://raw", "name": "tickets", "description": "Support tickets", "licence": "CC-BY-NC-4.0"},
    )
    data_v1 = post(
        "/api/versions/",
        {
            "asset": dataset["id"],
            "version": "2026-11-01",
            "uri": "s3://raw/tickets/2026-11-01.parquet",
            "fields": [{"name": "email", "data_type": "string"}],
        },
    )
    base = post(
        "/api/models/",
        {"namespace": "mlflow://reg", "name": "models/clf", "description": "Classifier", "licence": "Apache-2.0"},
    )
    base_v1 = post(
        "/api/versions/",
        {
            "asset": base["id"],
            "version": "1",
            "uri": "s3://models/clf/1",
            "inputs": [{"version": data_v1["id"], "role": "training_data"}],
            "job_type": "training",
        },
    )
    tuned = post(
        "/api/models/",
        {"namespace": "mlflow://reg", "name": "models/clf-ft", "description": "Fine-tune", "licence": "Apache-2.0"},
    )
    tuned_v1 = post(
        "/api/versions/",
        {"asset": tuned["id"], "version": "1", "inputs": [{"version": base_v1["id"]}], "job_type": "fine_tuning"},
    )
    return {"data": data_v1, "base": base_v1, "tuned": tuned_v1}


@pytest.mark.django_db
def test_fine_tune_upstream_over_rest_reaches_base_model_and_dataset(chain, api_client):
    # when
    response = api_client("auditor").get(f"/api/versions/{chain['tuned']['id']}/lineage/?direction=upstream")
    # then
    body = response.json()
    assert response.status_code == 200
    assert [(n["id"], n["asset"], n["kind"], n["version"]) for n in body["nodes"]] == [
        (chain["tuned"]["id"], "mlflow://reg/models/clf-ft", "model", "1"),
        (chain["base"]["id"], "mlflow://reg/models/clf", "model", "1"),
        (chain["data"]["id"], "s3://raw/tickets", "dataset", "2026-11-01"),
    ]
    assert {(e["source"], e["target"], e["role"]) for e in body["edges"]} == {
        (chain["base"]["id"], chain["tuned"]["id"], "base_model"),
        (chain["data"]["id"], chain["base"]["id"], "training_data"),
    }
    assert (body["depth_reached"], body["is_partial"]) == (2, False)


@pytest.mark.django_db
def test_fine_tune_upstream_over_graphql_matches_rest(chain, graphql):
    status, body = graphql("auditor")(UPSTREAM, {"id": chain["tuned"]["id"]})
    assert status == 200
    assert {n["id"] for n in body["data"]["lineage"]["nodes"]} == {
        str(chain[k]["id"]) for k in ("tuned", "base", "data")
    }
    assert body["data"]["lineage"]["isPartial"] is False


@pytest.mark.django_db
def test_registration_creates_runs_jobs_edges_and_audit(chain):
    assert Run.objects.count() == 2
    assert sorted(Run.objects.values_list("job__name", "job__job_type")) == [
        ("models/clf-ft.fine_tuning", "fine_tuning"),
        ("models/clf.training", "training"),
    ]
    assert Edge.objects.count() == 2
    assert set(AuditEvent.objects.values_list("channel", flat=True)) == {"api"}


@pytest.mark.django_db
def test_quantisation_of_a_fine_tune_extends_the_chain(chain, api_client):
    client = api_client("scientist")
    q = client.post(
        "/api/models/",
        {"namespace": "mlflow://reg", "name": "models/clf-ft-int8", "licence": "Apache-2.0"},
        format="json",
    ).json()
    qv = client.post(
        "/api/versions/",
        {"asset": q["id"], "version": "1", "job_type": "quantisation", "inputs": [{"version": chain["tuned"]["id"]}]},
        format="json",
    ).json()
    body = client.get(f"/api/versions/{chain['data']['id']}/lineage/?direction=downstream").json()
    assert [n["id"] for n in body["nodes"]][-1] == qv["id"]
    assert body["depth_reached"] == 3


@pytest.mark.django_db
def test_auditor_reads_but_cannot_write(chain, api_client):
    client = api_client("auditor")
    assert client.get("/api/versions/").json()["count"] == 3
    assert client.post("/api/datasets/", {"namespace": "x", "name": "y"}, format="json").status_code == 403
    assert client.patch(f"/api/versions/{chain['data']['id']}/", {"description": "x"}, format="json").status_code == 403
