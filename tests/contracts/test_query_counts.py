"""N+1 guards: list endpoints and the GraphQL lineage query cost a fixed number of queries, whatever the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import ColumnFinding, Scan
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory
from tests.factories.lineage import derive

LIST_URLS = (
    "/api/datasets/",
    "/api/models/",
    "/api/versions/",
    "/api/runs/",
    "/api/deployments/",
    "/api/sources/",
    "/api/licences/",
    "/api/scans/",
)


def _populate(n: int) -> None:
    for i in range(n):
        dataset = VersionFactory(asset=AssetFactory(name=f"d{i}-{n}"))
        _scan_with_findings(dataset)
        model = VersionFactory(asset=ModelAssetFactory(name=f"models/m{i}-{n}"))
        derive([dataset], [model], job=f"train{i}-{n}")


def _scan_with_findings(version) -> None:
    scan = Scan.objects.create(version=version, location="x.csv", status="succeeded")
    for ordinal, column in enumerate(("email", "name")):
        ColumnFinding.objects.create(scan=scan, version=version, column=column, ordinal=ordinal, verdict="IS")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_count_does_not_grow_with_rows(url, api_client):
    # given
    client = api_client("auditor")
    _populate(2)
    small = _count(client, url)
    # when
    _populate(8)
    # then
    assert _count(client, url) == small


LINEAGE_QUERY = """
query ($id: ID!) { lineage(versionId: $id, direction: DOWNSTREAM, depth: 3) {
  nodes { id asset kind version depth } edges { source target role } depthReached isPartial } }
"""


def _fan_out(width: int):
    root = VersionFactory()
    middle = [VersionFactory() for _ in range(width)]
    leaves = [VersionFactory(asset=ModelAssetFactory()) for _ in range(width)]
    derive([root], middle, job=f"fan{width}")
    for i, (m, leaf) in enumerate(zip(middle, leaves, strict=True)):
        derive([m], [leaf], job=f"train{width}-{i}")
    return root


@pytest.mark.django_db
def test_graphql_lineage_query_count_is_constant_in_graph_size(graphql):
    run = graphql("auditor")
    counts = []
    for width in (3, 30):
        root = _fan_out(width)
        with CaptureQueriesContext(connection) as ctx:
            status, body = run(LINEAGE_QUERY, {"id": root.pk})
        assert status == 200, body
        assert len(body["data"]["lineage"]["nodes"]) == 1 + 2 * width
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


ASSETS_QUERY = (
    "{ assets(limit: 100) { qualifiedName licence { spdxId } purposes { name } versions { version fields { name } } } }"
)


@pytest.mark.django_db
def test_graphql_assets_with_versions_query_count_is_flat(graphql):
    run = graphql("auditor")
    _populate(2)
    with CaptureQueriesContext(connection) as small:
        run(ASSETS_QUERY)
    _populate(10)
    with CaptureQueriesContext(connection) as large:
        status, body = run(ASSETS_QUERY)
    assert status == 200
    assert len(body["data"]["assets"]) == 24
    assert len(large.captured_queries) == len(small.captured_queries)
