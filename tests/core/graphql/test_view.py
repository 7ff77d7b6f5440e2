"""The GraphQL door: authentication, read-only, depth limit, GraphiQL served offline."""

import json

import pytest
from django.test import Client

from tests.factories.catalog import VersionFactory

ROLES_OK = ("auditor", "scientist", "officer")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status_code"), [("anonymous", 401), ("norole", 403), *[(r, 200) for r in ROLES_OK]])
def test_graphql_requires_a_role(role, status_code, graphql):
    status, body = graphql(role)("{ licences { spdxId } }")
    assert status == status_code
    if status == 200:
        assert {"spdxId": "CC-BY-NC-4.0"} in body["data"]["licences"]


@pytest.mark.django_db
def test_graphql_has_no_mutations(graphql):
    status, body = graphql("officer")("mutation { deleteAsset(id: 1) { ok } }")
    assert status == 400
    assert "mutation" in body["errors"][0]["message"].lower()


@pytest.mark.django_db
def test_graphql_depth_limit_rejects_deep_queries(graphql, settings):
    deep = "{ assets { " + "versions { asset { " * 6 + "name" + " } }" * 6 + " } }"
    status, body = graphql("auditor")(deep)
    assert status == 400
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


@pytest.mark.django_db
def test_graphql_session_post_needs_csrf(auditor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    response = client.post(
        "/graphql/", data=json.dumps({"query": "{ licences { spdxId } }"}), content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_graphiql_is_served_from_local_static_files(auditor):
    client = Client()
    client.force_login(auditor)
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/graphiql/graphiql.min.js" in html
    assert "https://" not in html


def test_graphiql_assets_exist_in_static():
    from django.contrib.staticfiles import finders

    for name in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"):
        assert finders.find(f"vendor/graphiql/{name}"), name


@pytest.mark.django_db
def test_anonymous_browser_is_sent_to_login():
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_version_and_asset_queries(graphql):
    version = VersionFactory(version="7")
    status, body = graphql("auditor")(
        "query ($id: ID!) { version(id: $id) { version asset { qualifiedName kind owner } fields { name } } }",
        {"id": version.pk},
    )
    assert status == 200
    assert body["data"]["version"] == {
        "version": "7",
        "asset": {
            "qualifiedName": version.asset.qualified_name,
            "kind": "dataset",
            "owner": version.asset.owner.username,
        },
        "fields": [],
    }
