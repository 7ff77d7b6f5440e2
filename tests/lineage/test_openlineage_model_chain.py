"""
One graph: a training → fine-tune → quantisation chain sent as OpenLineage events has the same upstream lineage
as the same chain registered over REST, in REST, GraphQL and the Marquez-shaped graph.
"""

import pytest

from catalog.models import AssetVersion
from tests.lineage.ol import dataset, post, run_event

pytestmark = pytest.mark.django_db

CHAIN = (
    # (job type over REST, OpenLineage jobType, output model, inputs as (asset, kind, role))
    ("training", "TRAINING", "base", [("raw", "dataset", "training_data")]),
    ("fine_tuning", "FINE_TUNING", "tuned", [("base", "model", "base_model"), ("ft_data", "dataset", "training_data")]),
    ("quantisation", "QUANTISATION", "int8", [("tuned", "model", "base_model")]),
)


def _register_over_rest(client) -> int:
    """The chain through ``POST /api/datasets/``, ``/api/models/`` and ``/api/versions/``; returns int8's version."""
    assets, versions = {}, {}
    for name in ("raw", "ft_data"):
        response = client.post(
            "/api/datasets/", {"namespace": "rest", "name": name, "licence": "CC-BY-4.0"}, format="json"
        )
        assets[name] = response.json()["id"]
        versions[name] = client.post("/api/versions/", {"asset": assets[name], "version": "1"}, format="json").json()
    for name in ("base", "tuned", "int8"):
        assets[name] = client.post(
            "/api/models/", {"namespace": "rest", "name": name, "licence": "Apache-2.0"}, format="json"
        ).json()["id"]
    for job_type, _, output, inputs in CHAIN:
        body = {
            "asset": assets[output],
            "version": "1",
            "job_type": job_type,
            "inputs": [{"version": versions[name]["id"], "role": role} for name, _, role in inputs],
        }
        response = client.post("/api/versions/", body, format="json")
        assert response.status_code == 201, response.content
        versions[output] = response.json()
    return versions["int8"]["id"]


def _send_over_openlineage(client) -> int:
    """The same chain as three COMPLETE events (roles left to the convention: no custodian_inputRole)."""
    for minutes, (_, ol_type, output, inputs) in enumerate(CHAIN):
        event = run_event(
            "COMPLETE",
            minutes=minutes * 10,
            job=("ol", f"{output}.{ol_type.lower()}"),
            job_type=ol_type,
            inputs=[dataset("ol", name, model=kind == "model", version="1") for name, kind, _ in inputs],
            outputs=[dataset("ol", output, model=True, version="1")],
        )
        assert post(client, event).status_code == 201
    return AssetVersion.objects.get(asset__namespace="ol", asset__name="int8").pk


def _normalised(lineage: dict) -> tuple[set, set]:
    by_id = {node["id"]: node for node in lineage["nodes"]}

    def name(node_id):
        node = by_id[node_id]
        return node["asset"].split("/", 1)[1], node["kind"], node["version"]

    nodes = {(*name(node["id"]), node["depth"]) for node in lineage["nodes"]}
    edges = {(name(e["source"]), name(e["target"]), e["role"]) for e in lineage["edges"]}
    return nodes, edges


def test_the_chain_over_openlineage_matches_the_chain_over_rest(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    rest_int8 = _register_over_rest(client)
    ol_int8 = _send_over_openlineage(client)
    # when
    rest = client.get(f"/api/versions/{rest_int8}/lineage/", {"direction": "upstream"}).json()
    sent = client.get(f"/api/versions/{ol_int8}/lineage/", {"direction": "upstream"}).json()
    # then
    assert _normalised(sent) == _normalised(rest)
    nodes, edges = _normalised(sent)
    assert nodes == {
        ("int8", "model", "1", 0),
        ("tuned", "model", "1", 1),
        ("base", "model", "1", 2),
        ("ft_data", "dataset", "1", 2),
        ("raw", "dataset", "1", 3),
    }
    assert edges == {
        (("raw", "dataset", "1"), ("base", "model", "1"), "training_data"),
        (("base", "model", "1"), ("tuned", "model", "1"), "base_model"),
        (("ft_data", "dataset", "1"), ("tuned", "model", "1"), "training_data"),
        (("tuned", "model", "1"), ("int8", "model", "1"), "base_model"),
    }


def test_the_chain_is_the_same_in_graphql(api_client, graphql):
    # given
    client = api_client("scientist", scheme="Bearer")
    rest_int8, ol_int8 = _register_over_rest(client), _send_over_openlineage(client)
    query = """query ($id: ID!) { lineage(versionId: $id, direction: UPSTREAM) {
        nodes { id asset kind version depth } edges { source target role } } }"""
    # when
    answers = [graphql("auditor")(query, {"id": str(pk)}) for pk in (rest_int8, ol_int8)]
    # then
    (rest_status, rest_body), (ol_status, ol_body) = answers
    assert (rest_status, ol_status) == (200, 200)
    assert _normalised(ol_body["data"]["lineage"]) == _normalised(rest_body["data"]["lineage"])
    assert len(ol_body["data"]["lineage"]["nodes"]) == 5


def test_both_chains_appear_in_the_marquez_graph(api_client):
    # given
    client = api_client("scientist", scheme="Bearer")
    _register_over_rest(client)
    _send_over_openlineage(client)
    # when
    graphs = {
        ns: client.get("/api/v1/lineage", {"nodeId": f"dataset:{ns}:int8", "depth": 20}).json()["graph"]
        for ns in ("ol", "rest")
    }
    # then the three derivation jobs and the five assets of each chain, whichever door they came in through
    for ns, graph in graphs.items():
        datasets = {node["id"] for node in graph if node["type"] == "DATASET"}
        assert datasets == {f"dataset:{ns}:{name}" for name in ("raw", "ft_data", "base", "tuned", "int8")}
        assert len([node for node in graph if node["type"] == "JOB"]) == 3
    quantise = next(n for n in graphs["ol"] if n["id"] == "job:ol:int8.quantisation")
    assert quantise["inEdges"] == [{"origin": "dataset:ol:tuned", "destination": "job:ol:int8.quantisation"}]
    assert quantise["data"]["jobType"] == "quantisation"
