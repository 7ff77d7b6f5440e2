"""The officer's admin for scans: findings on the version page, confirm with a note, re-scan."""

import pytest
from django.test import Client

from catalog.models import Field
from compliance.models import ColumnFinding, Scan
from compliance.services import scan_request, scan_run_local
from core.audit import Actor
from core.models import AuditEvent
from tests.factories.catalog import VersionFactory


@pytest.fixture
def scanned(people_csv):
    version = VersionFactory(uri=f"file://{people_csv}")
    scan_run_local(scan=scan_request(version=version, actor=Actor.system("t"), enqueue=False), actor=Actor.system("t"))
    return version


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.mark.django_db
def test_version_page_shows_findings_with_masked_examples_and_scan_progress(scanned, officer_client):
    page = officer_client.get(f"/admin/catalog/assetversion/{scanned.pk}/change/").content.decode()
    assert "PII findings" in page
    assert "EMAIL_ADDRESS 100%" in page
    assert "@e***." in page
    assert "802 subject keys" in page
    assert "Re-scan" in page


@pytest.mark.django_db
def test_officer_confirms_a_finding_with_a_note(scanned, officer_client):
    finding = ColumnFinding.objects.get(version=scanned, column="email")
    url = f"/admin/compliance/columnfinding/{finding.pk}/confirm/"
    assert "Note for the audit log" in officer_client.get(url).content.decode()
    response = officer_client.post(url, {"note": "customer contact emails"})
    assert response.status_code == 302
    assert Field.objects.get(version=scanned, name="email").pii_entities == ["EMAIL_ADDRESS"]
    event = AuditEvent.objects.get(object_type="compliance.columnfinding", object_id=str(finding.pk))
    assert (event.channel, event.action, event.reason) == ("admin", "decision", "customer contact emails")


@pytest.mark.django_db
def test_rescan_button_queues_a_new_scan(scanned, officer_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(f"/admin/catalog/assetversion/{scanned.pk}/rescan/")
    assert response.status_code == 302
    assert Scan.objects.filter(version=scanned).count() == 2
    assert Scan.objects.filter(version=scanned).latest("created_at").status == "succeeded"


@pytest.mark.django_db
def test_auditor_cannot_confirm(scanned, auditor):
    client = Client()
    client.force_login(auditor)
    finding = ColumnFinding.objects.get(version=scanned, column="email")
    client.post(f"/admin/compliance/columnfinding/{finding.pk}/confirm/", {"note": "x"})
    finding.refresh_from_db()
    assert finding.review == "pending"
