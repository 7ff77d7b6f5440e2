"""Every REST endpoint × every role, including anonymous: status, rows written, audit events written."""

import pytest

from catalog.choices import AssetKind, AssetStatus
from catalog.models import Asset, AssetVersion, Deployment, Licence, Purpose, Source
from core.models import AuditEvent
from lineage.models import Run
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory

ROLES = ("anonymous", "norole", "auditor", "scientist", "officer")
LISTS = ("datasets", "models", "versions", "runs", "sources", "licences", "purposes", "deployments", "scans")
READ_STATUS = {"anonymous": 401, "norole": 403, "auditor": 200, "scientist": 200, "officer": 200}


@pytest.mark.django_db
@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_list_endpoints_by_role(resource, role, api_client):
    response = api_client(role).get(f"/api/{resource}/")
    assert response.status_code == READ_STATUS[role]
    if response.status_code == 200:
        assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_detail_and_lineage_endpoints_by_role(role, api_client):
    version = VersionFactory()
    client = api_client(role)
    for url in (
        f"/api/datasets/{version.asset_id}/",
        f"/api/versions/{version.pk}/",
        f"/api/versions/{version.pk}/lineage/?direction=downstream",
        "/api/licences/CC-BY-4.0/",
    ):
        assert client.get(url).status_code == READ_STATUS[role], url


@pytest.mark.django_db
def test_list_results_are_only_of_the_requested_kind(api_client):
    AssetFactory(name="d"), ModelAssetFactory(name="m")
    client = api_client("auditor")
    assert [a["name"] for a in client.get("/api/datasets/").json()["results"]] == ["d"]
    assert [a["name"] for a in client.get("/api/models/").json()["results"]] == ["m"]


CREATE_STATUS = {"anonymous": 401, "norole": 403, "auditor": 403, "scientist": 201, "officer": 201}
OFFICER_ONLY_STATUS = {"anonymous": 401, "norole": 403, "auditor": 403, "scientist": 403, "officer": 201}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("resource", "payload", "model", "expected"),
    [
        (
            "datasets",
            {"namespace": "s3://raw", "name": "events", "description": "d", "licence": "CC-BY-4.0"},
            Asset,
            CREATE_STATUS,
        ),
        (
            "models",
            {"namespace": "mlflow://r", "name": "models/m", "description": "m", "licence": "Apache-2.0"},
            Asset,
            CREATE_STATUS,
        ),
        ("sources", {"name": "CRM", "kind": "internal_system"}, Source, CREATE_STATUS),
        (
            "licences",
            {"spdx_id": "LicenseRef-Custom", "name": "Custom", "use_class": "academic_only"},
            Licence,
            OFFICER_ONLY_STATUS,
        ),
        ("purposes", {"name": "Fraud detection", "lawful_basis": "legitimate_interests"}, Purpose, OFFICER_ONLY_STATUS),
    ],
)
def test_create_by_role_writes_row_and_audit_only_when_allowed(role, resource, payload, model, expected, api_client):
    # given
    rows, events = model.objects.count(), AuditEvent.objects.count()
    # when
    response = api_client(role).post(f"/api/{resource}/", payload, format="json")
    # then
    assert response.status_code == expected[role], response.content
    created = 1 if expected[role] == 201 else 0
    assert model.objects.count() == rows + created
    assert AuditEvent.objects.count() == events + created
    if created:
        assert AuditEvent.objects.last().channel == "api"
        assert "id" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "owner_is_caller", "status_code"),
    [
        ("anonymous", False, 401),
        ("auditor", False, 403),
        ("scientist", False, 403),
        ("scientist", True, 200),
        ("officer", False, 200),
    ],
)
def test_asset_update_needs_ownership_or_officer(role, owner_is_caller, status_code, api_client):
    # given
    client = api_client(role)
    asset = AssetFactory(owner=client.user if owner_is_caller else None)
    # when
    response = client.patch(f"/api/datasets/{asset.pk}/", {"description": "changed"}, format="json")
    # then
    assert response.status_code == status_code
    asset.refresh_from_db()
    assert (asset.description == "changed") == (status_code == 200)


@pytest.mark.django_db
def test_scientist_cannot_approve_even_their_own_dataset(api_client):
    client = api_client("scientist")
    asset = AssetFactory(owner=client.user)
    response = client.patch(f"/api/datasets/{asset.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 403
    assert "compliance officer" in response.json()["detail"]
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DRAFT


@pytest.mark.django_db
def test_officer_approval_is_audited_as_approve(api_client):
    asset = AssetFactory()
    response = api_client("officer").patch(f"/api/datasets/{asset.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="catalog.asset", object_id=str(asset.pk))
    assert (event.action, event.before["status"], event.after["status"]) == ("approve", "draft", "approved")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "own", "status_code"),
    [("scientist", True, 201), ("scientist", False, 403), ("officer", False, 201), ("auditor", False, 403)],
)
def test_version_registration_needs_the_assets_owner_or_officer(role, own, status_code, api_client):
    client = api_client(role)
    asset = AssetFactory(owner=client.user if own else None)
    response = client.post("/api/versions/", {"asset": asset.pk, "version": "1", "uri": "s3://x/1"}, format="json")
    assert response.status_code == status_code
    assert AssetVersion.objects.filter(asset=asset).count() == (1 if status_code == 201 else 0)


@pytest.mark.django_db
def test_run_creation_records_inputs_outputs_and_edges(api_client):
    client = api_client("scientist")
    source = VersionFactory()
    target = VersionFactory(asset=AssetFactory(owner=client.user))
    response = client.post(
        "/api/runs/",
        {
            "job_namespace": "etl",
            "job_name": "clean",
            "job_type": "etl",
            "inputs": [{"version": source.pk}],
            "outputs": [target.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(i["version"], i["role"]) for i in body["inputs"]] == [(source.pk, "data")]
    assert [o["version"] for o in body["outputs"]] == [target.pk]
    assert Run.objects.get().edges.count() == 1


@pytest.mark.django_db
def test_deployment_of_a_dataset_version_is_refused_with_a_reason(api_client):
    client = api_client("officer")
    response = client.post(
        "/api/deployments/", {"model_version": VersionFactory().pk, "environment": "prod"}, format="json"
    )
    assert response.status_code == 400
    assert "model_version" in response.json()
    assert Deployment.objects.count() == 0


@pytest.mark.django_db
def test_deployment_create_and_retire(api_client):
    client = api_client("scientist")
    version = VersionFactory(asset=ModelAssetFactory(owner=client.user))
    created = client.post("/api/deployments/", {"model_version": version.pk, "environment": "prod"}, format="json")
    assert created.status_code == 201
    retired = client.post(f"/api/deployments/{created.json()['id']}/retire/")
    assert retired.status_code == 200
    assert retired.json()["is_active"] is False


@pytest.mark.django_db
def test_asset_delete_by_owner_and_refusal_when_versions_exist(api_client):
    client = api_client("scientist")
    empty = AssetFactory(owner=client.user)
    used = VersionFactory(asset=AssetFactory(owner=client.user)).asset
    assert client.delete(f"/api/datasets/{empty.pk}/").status_code == 204
    response = client.delete(f"/api/datasets/{used.pk}/")
    assert response.status_code == 409
    assert Asset.objects.filter(pk=used.pk).exists()
    assert not Asset.objects.filter(pk=empty.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"namespace": "s3://a", "name": "x", "licence": "WTFPL-9"}, "licence"),
        ({"namespace": "s3://a"}, "name"),
        ({"namespace": "s3://a", "name": "x", "lawful_basis": "because"}, "lawful_basis"),
    ],
)
def test_bad_dataset_input_gets_a_drf_error_body_and_writes_nothing(payload, field, api_client):
    response = api_client("scientist").post("/api/datasets/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Asset.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_dataset_is_a_400_not_a_500(api_client):
    client = api_client("scientist")
    payload = {"namespace": "s3://a", "name": "x", "licence": "CC0-1.0"}
    assert client.post("/api/datasets/", payload, format="json").status_code == 201
    response = client.post("/api/datasets/", payload, format="json")
    assert response.status_code == 400
    assert Asset.objects.count() == 1


@pytest.mark.django_db
def test_versions_are_immutable_over_rest(api_client):
    client = api_client("officer")
    version = VersionFactory(uri="s3://a/1")
    response = client.patch(f"/api/versions/{version.pk}/", {"uri": "s3://a/forged"}, format="json")
    assert response.status_code == 400
    assert "uri" in response.json()
    version.refresh_from_db()
    assert version.uri == "s3://a/1"
    ok = client.patch(f"/api/versions/{version.pk}/", {"privacy_measure": "pseudonymised"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["privacy_measure"] == "pseudonymised"


@pytest.mark.django_db
def test_unknown_input_version_is_a_400(api_client):
    client = api_client("scientist")
    asset = ModelAssetFactory(owner=client.user)
    response = client.post(
        "/api/versions/", {"asset": asset.pk, "version": "1", "inputs": [{"version": 999999}]}, format="json"
    )
    assert response.status_code == 400
    assert "inputs" in response.json()


@pytest.mark.django_db
def test_token_endpoint_and_both_auth_schemes(scientist, api_client):
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "scientist", "password": "pw"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    for scheme in ("Token", "Bearer"):
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert client.get("/api/datasets/").status_code == 200
    assert APIClient().post("/api/auth/token/", {"username": "scientist", "password": "no"}).status_code == 400
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get("/api/datasets/").status_code == 401


@pytest.mark.django_db
def test_filters_on_licence_status_and_owner(api_client):
    client = api_client("auditor")
    AssetFactory(name="nc", declared_licence=Licence.objects.get(spdx_id="CC-BY-NC-4.0"))
    AssetFactory(name="by", status=AssetStatus.APPROVED)
    assert [a["name"] for a in client.get("/api/datasets/?licence=cc-by-nc-4.0").json()["results"]] == ["nc"]
    assert [a["name"] for a in client.get("/api/datasets/?status=approved").json()["results"]] == ["by"]
    assert client.get("/api/datasets/?kind=model").status_code == 200
    assert Asset.objects.filter(kind=AssetKind.DATASET).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status_code"), [("scientist", 403), ("auditor", 403), ("officer", 200)])
def test_purposes_are_edited_by_officers_only(role, status_code, api_client):
    purpose = Purpose.objects.create(name="Fraud detection")
    response = api_client(role).patch(f"/api/purposes/{purpose.pk}/", {"description": "card fraud"}, format="json")
    assert response.status_code == status_code
    purpose.refresh_from_db()
    assert (purpose.description == "card fraud") == (status_code == 200)
    assert AuditEvent.objects.filter(object_type="catalog.purpose").count() == (1 if status_code == 200 else 0)


@pytest.mark.django_db
def test_licence_terms_update_through_the_service(api_client):
    response = api_client("officer").patch("/api/licences/MIT/", {"share_alike": True}, format="json")
    assert response.status_code == 200
    assert response.json()["share_alike"] is True
    event = AuditEvent.objects.get(object_type="catalog.licence")
    assert (event.before["share_alike"], event.after["share_alike"]) == (False, True)
