"""Scans over REST: 202 on request, progress and findings on read, uploads, auto-scan of a registered file."""

import pandas as pd
import pytest

from compliance.models import Scan
from tests.compliance.scans.conftest import write_people_csv
from tests.factories.catalog import AssetFactory, VersionFactory


@pytest.fixture
def parquet(tmp_path):
    csv = write_people_csv(tmp_path / "people.csv", rows=300)
    path = tmp_path / "people.parquet"
    pd.read_csv(csv).to_parquet(path)
    return path


@pytest.mark.django_db
def test_registering_a_parquet_file_scans_it_without_further_action(
    parquet, api_client, django_capture_on_commit_callbacks
):
    # given
    scientist = api_client("scientist")
    dataset = scientist.post(
        "/api/datasets/", {"namespace": "file", "name": "people", "licence": "CC0-1.0"}, format="json"
    ).json()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = scientist.post(
            "/api/versions/", {"asset": dataset["id"], "version": "1", "uri": f"file://{parquet}"}, format="json"
        )
    # then the officer sees verdicts, the profile and the number of subject keys
    assert response.status_code == 201
    scans = api_client("officer").get(f"/api/scans/?version={response.json()['id']}").json()["results"]
    assert len(scans) == 1
    scan = scans[0]
    assert scan["status"] == "succeeded"
    verdicts = {f["name"]: f["verdict"] for f in scan["findings"]}
    assert (verdicts["email"], verdicts["name"], verdicts["amount"]) == ("IS", "IS", "NONE")
    assert scan["profile"]["rows"] == 301
    assert scan["subject_keys"] == 602
    assert scan["progress"]["rows_done"] == 301
    version = api_client("auditor").get(f"/api/versions/{response.json()['id']}/").json()
    assert version["row_count"] == 301
    assert version["pii_summary"]["subject_keys"] == 602


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "own", "status_code"),
    [
        ("scientist", True, 202),
        ("scientist", False, 403),
        ("officer", False, 202),
        ("auditor", False, 403),
        ("anonymous", False, 401),
    ],
)
def test_scan_request_by_role(role, own, status_code, parquet, api_client):
    client = api_client(role)
    version = VersionFactory(uri=f"file://{parquet}", asset=AssetFactory(owner=client.user if own else None))
    response = client.post("/api/scans/", {"version": version.pk}, format="json")
    assert response.status_code == status_code
    assert Scan.objects.count() == (1 if status_code == 202 else 0)
    if status_code == 202:
        assert response.json()["status"] == "queued"


@pytest.mark.django_db
def test_upload_scan_creates_the_version_and_reports_findings(
    tmp_path, api_client, settings, django_capture_on_commit_callbacks
):
    settings.CUSTODIAN_UPLOAD_DIR = tmp_path / "uploads"
    client = api_client("scientist")
    asset = AssetFactory(owner=client.user)
    source = write_people_csv(tmp_path / "upload.csv", rows=120)
    with open(source, "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/scans/", {"file": handle, "dataset": asset.pk, "version": "2026-11-28"}, format="multipart"
        )
    assert response.status_code == 202, response.content
    scan = client.get(f"/api/scans/{response.json()['id']}/").json()
    assert (scan["status"], scan["version_label"], scan["filename"]) == ("succeeded", "2026-11-28", "upload.csv")
    assert {f["name"] for f in scan["findings"] if f["verdict"] == "IS"} >= {"email", "phone"}
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.django_db
def test_a_failed_scan_says_why(tmp_path, api_client, django_capture_on_commit_callbacks):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    client = api_client("officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/scans/", {"version": VersionFactory(uri=f"file://{path}").pk}, format="json")
    scan = client.get(f"/api/scans/{response.json()['id']}/").json()
    assert scan["status"] == "failed"
    assert scan["error"] == "file is empty"
    assert scan["findings"] == []


@pytest.mark.django_db
def test_a_version_without_a_readable_uri_cannot_be_scanned_and_says_so(api_client):
    client = api_client("officer")
    response = client.post("/api/scans/", {"version": VersionFactory(uri="s3://bucket/x.parquet").pk}, format="json")
    assert response.status_code == 400
    assert "location" in response.json()


@pytest.mark.django_db
def test_officer_confirms_a_finding_over_rest(parquet, api_client, django_capture_on_commit_callbacks):
    officer = api_client("officer")
    with django_capture_on_commit_callbacks(execute=True):
        scan = officer.post(
            "/api/scans/", {"version": VersionFactory(uri=f"file://{parquet}").pk}, format="json"
        ).json()
    scan = officer.get(f"/api/scans/{scan['id']}/").json()
    email = next(f for f in scan["findings"] if f["name"] == "email")
    url = f"/api/scans/{scan['id']}/findings/{email['id']}/review/"
    assert api_client("scientist").post(url, {"decision": "confirm"}, format="json").status_code == 403
    response = officer.post(url, {"decision": "confirm", "note": "customer emails"}, format="json")
    assert response.status_code == 200
    assert next(f for f in response.json()["findings"] if f["name"] == "email")["review"] == "confirmed"
