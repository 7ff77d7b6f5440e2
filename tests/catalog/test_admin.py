"""The officer's admin: writes go through services (audited), the audit log is read-only, auditors only view."""

import pytest
from django.test import Client

from catalog.models import Asset, Licence
from core.models import AuditEvent
from tests.factories.catalog import AssetFactory, ModelAssetFactory, VersionFactory


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.mark.django_db
def test_officer_adds_a_dataset_through_the_service(officer_client):
    licence = Licence.objects.get(spdx_id="CC-BY-NC-4.0")
    response = officer_client.post(
        "/admin/catalog/datasetasset/add/",
        {
            "namespace": "s3://raw",
            "name": "events",
            "description": "",
            "status": "draft",
            "tags": "[]",
            "declared_licence": licence.pk,
            "lawful_basis": "unknown",
            "consent_status": "unknown",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = Asset.objects.get(namespace="s3://raw", name="events")
    assert (asset.kind, asset.declared_licence.spdx_id) == ("dataset", "CC-BY-NC-4.0")
    event = AuditEvent.objects.get(object_type="catalog.asset", object_id=str(asset.pk))
    assert (event.channel, event.action, event.actor_label) == ("admin", "create", "officer")


@pytest.mark.django_db
def test_officer_approves_in_the_admin_and_it_is_audited(officer_client):
    asset = AssetFactory()
    response = officer_client.post(
        f"/admin/catalog/datasetasset/{asset.pk}/change/",
        {
            "description": "reviewed",
            "status": "approved",
            "tags": "[]",
            "owner": asset.owner_id,
            "declared_licence": asset.declared_licence_id,
            "lawful_basis": "unknown",
            "consent_status": "unknown",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.status, asset.description) == ("approved", "reviewed")
    event = AuditEvent.objects.get(object_id=str(asset.pk), action="approve")
    assert event.channel == "admin"


@pytest.mark.django_db
def test_datasets_and_models_are_separate_changelists_with_filters(officer_client):
    AssetFactory(name="the-dataset")
    ModelAssetFactory(name="models/the-model")
    datasets = officer_client.get("/admin/catalog/datasetasset/?status__exact=draft").content.decode()
    models = officer_client.get("/admin/catalog/modelasset/").content.decode()
    assert "the-dataset" in datasets and "the-model" not in datasets
    assert "the-model" in models and "the-dataset" not in models
    assert "By consent status" in datasets


@pytest.mark.django_db
def test_version_page_shows_fields_inline_and_has_no_delete(officer_client):
    version = VersionFactory()
    page = officer_client.get(f"/admin/catalog/assetversion/{version.pk}/change/")
    assert page.status_code == 200
    assert officer_client.get(f"/admin/catalog/assetversion/{version.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(officer_client):
    AssetFactory()
    from catalog.services import asset_update
    from core.audit import Actor

    asset = Asset.objects.get()
    asset_update(asset=asset, data={"description": "x"}, actor=Actor.system("t"))
    event = AuditEvent.objects.get()
    assert officer_client.get("/admin/core/auditevent/").status_code == 200
    assert officer_client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert officer_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "forged"}).status_code == 403
    assert officer_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert officer_client.get("/admin/core/auditevent/add/").status_code == 403


@pytest.mark.django_db
def test_auditor_views_but_cannot_change_in_admin(auditor):
    client = Client()
    client.force_login(auditor)
    asset = AssetFactory()
    assert client.get("/admin/catalog/datasetasset/").status_code == 200
    response = client.post(f"/admin/catalog/datasetasset/{asset.pk}/change/", {"description": "x"})
    assert response.status_code == 403
