"""Scans end to end in-process: verdicts, profile, subject keys, failures that leave nothing behind."""

import gzip
import io
from datetime import timedelta

import pandas as pd
import pytest
from django.core import serializers
from django.db.models import Count
from django.utils import timezone

from catalog.models import AssetVersion, Field
from compliance.choices import FindingReview, ScanStatus
from compliance.identifiers import subject_digest
from compliance.models import ColumnFinding, Scan, SubjectKey
from compliance.services import finding_review, scan_request, scan_run_local, scan_sweep
from core.audit import Actor
from tests.compliance.scans.conftest import PLANTED, write_people_csv
from tests.factories.catalog import AssetFactory, VersionFactory

SYSTEM = Actor.system("tests")
KEY = b"test-subject-key"


def _scan(path, **kwargs) -> Scan:
    version = VersionFactory(uri=f"file://{path}")
    scan = scan_request(version=version, actor=SYSTEM, enqueue=False, **kwargs)
    return scan_run_local(scan=scan, actor=SYSTEM)


@pytest.mark.django_db
def test_scan_classifies_columns_and_profiles(people_csv):
    # when
    scan = _scan(people_csv)
    # then
    assert (scan.status, scan.error) == (ScanStatus.SUCCEEDED, "")
    verdicts = {f.column: (f.verdict, f.entity_types[:1]) for f in scan.findings.all()}
    assert verdicts["email"] == ("IS", ["EMAIL_ADDRESS"])
    assert verdicts["name"] == ("IS", ["PERSON"])
    assert verdicts["phone"] == ("IS", ["PHONE_NUMBER"])
    assert verdicts["amount"][0] == "NONE"
    assert verdicts["customer_id"][0] == "NONE"
    version = AssetVersion.objects.get(pk=scan.version_id)
    assert version.row_count == 401
    assert version.quality_profile["rows"] == 401
    assert version.quality_profile["columns"]["amount"]["type"] == "float"
    assert version.pii_summary["personal_data_columns"] == ["name", "email", "phone", "notes"] or set(
        version.pii_summary["personal_data_columns"]
    ) >= {"name", "email", "phone"}
    assert [f.name for f in Field.objects.filter(version=version).order_by("ordinal")] == [
        "customer_id",
        "name",
        "email",
        "phone",
        "amount",
        "notes",
    ]


@pytest.mark.django_db
def test_identifier_columns_are_indexed_as_keyed_digests(people_csv):
    scan = _scan(people_csv)
    indexed = set(scan.findings.filter(indexed=True).values_list("column", flat=True))
    assert indexed == {"email", "phone"}
    assert scan.subject_keys == SubjectKey.objects.filter(scan=scan).count()
    assert scan.subject_keys == 802  # 401 distinct emails + 401 distinct phones


@pytest.mark.django_db
def test_the_index_finds_a_planted_email_despite_case_and_spaces_and_not_another(people_csv):
    scan = _scan(people_csv)
    variant = "  jane.planted@EXAMPLE.com "
    found = SubjectKey.objects.filter(digest=bytes.fromhex(subject_digest("email", variant, key=KEY)))
    assert list(found.values_list("version_id", flat=True)) == [scan.version_id]
    other = bytes.fromhex(subject_digest("email", "jane.planted@example.org", key=KEY))
    assert not SubjectKey.objects.filter(digest=other).exists()


@pytest.mark.django_db
def test_no_raw_sampled_value_is_stored_anywhere(people_csv):
    # when
    scan = _scan(people_csv)
    assert scan.status == ScanStatus.SUCCEEDED
    # then: the whole database, serialised, holds none of the planted values
    dump = serializers.serialize("json", _all_rows()).lower()
    for value in (PLANTED["email"], PLANTED["name"], "202-555-0143", "2025550143"):
        assert value.lower() not in dump, value


def _all_rows():
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            yield from model.objects.all()


@pytest.mark.django_db
def test_masked_examples_only_and_at_most_three(people_csv):
    scan = _scan(people_csv)
    email = scan.findings.get(column="email")
    assert 0 < len(email.masked_examples) <= 3
    assert all("***" in example for example in email.masked_examples)


@pytest.mark.django_db
def test_personal_data_columns_have_their_ranges_suppressed(tmp_path):
    path = tmp_path / "dob.csv"
    births = pd.date_range("1950-01-01", periods=150, freq="73D").strftime("%Y-%m-%d")
    pd.DataFrame({"date_of_birth": births, "amount": [1.0, 2.0, 3.0] * 50}).to_csv(path, index=False)
    scan = _scan(path)
    profile = AssetVersion.objects.get(pk=scan.version_id).quality_profile["columns"]
    assert scan.findings.get(column="date_of_birth").verdict == "IS"
    assert (profile["date_of_birth"]["min"], profile["date_of_birth"]["max"]) == (None, None)
    assert (profile["amount"]["min"], profile["amount"]["max"]) == (1.0, 3.0)


@pytest.mark.django_db
def test_full_mode_indexes_customer_ids_and_emails_in_text(tmp_path):
    path = tmp_path / "full.csv"
    pd.DataFrame(
        {
            "customer_id": [f"C-{i:05d}" for i in range(300)],
            "notes": [f"wrote from user{i}@mail.example.com today" if i % 2 else "no contact" for i in range(300)],
        }
    ).to_csv(path, index=False)
    scan = _scan(path, full=True)
    kinds = dict(SubjectKey.objects.filter(scan=scan).values_list("kind").annotate(n=Count("id")))
    assert kinds == {"customer_id": 300, "email": 150}
    digest = bytes.fromhex(subject_digest("customer_id", "c 00042", key=KEY))
    assert SubjectKey.objects.filter(digest=digest, scan=scan).exists()


@pytest.mark.django_db
def test_rescanning_a_version_replaces_its_keys(people_csv):
    first = _scan(people_csv)
    second = scan_run_local(scan=scan_request(version=first.version, actor=SYSTEM, enqueue=False), actor=SYSTEM)
    assert second.status == ScanStatus.SUCCEEDED
    assert set(SubjectKey.objects.filter(version=first.version).values_list("scan_id", flat=True)) == {second.pk}


def _truncated_parquet(path):
    buffer = io.BytesIO()
    pd.DataFrame({"email": ["a@b.com"] * 100}).to_parquet(buffer)
    path.write_bytes(buffer.getvalue()[:-40])


BAD_INPUTS = {
    "truncated parquet": ("bad.parquet", _truncated_parquet),
    "ragged csv": ("ragged.csv", lambda p: p.write_text("a,b\n1,2\n3,4,5,6\n7,8\n")),
    "binary junk": ("junk.csv", lambda p: p.write_bytes(bytes(range(256)) * 50)),
    "empty file": ("empty.csv", lambda p: p.write_bytes(b"")),
    "no columns": ("blank.csv", lambda p: p.write_text("\n\n\n")),
    "bad gzip": ("data.csv.gz", lambda p: p.write_bytes(gzip.compress(b"a,b\n1,2\n" * 100)[:-30])),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_the_scan_with_a_reason_and_writes_nothing(case, tmp_path):
    name, write = BAD_INPUTS[case]
    path = tmp_path / name
    write(path)
    scan = _scan(path)
    assert scan.status == ScanStatus.FAILED
    assert scan.error and "\n" not in scan.error and not scan.error.startswith("internal error"), scan.error
    assert ColumnFinding.objects.count() == 0
    assert SubjectKey.objects.count() == 0
    assert AssetVersion.objects.get(pk=scan.version_id).quality_profile == {}


@pytest.mark.django_db
def test_a_database_that_does_not_connect_fails_the_scan_with_a_reason():
    version = VersionFactory(uri="postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    scan = scan_run_local(scan=scan_request(version=version, actor=SYSTEM, query="people", enqueue=False), actor=SYSTEM)
    assert scan.status == ScanStatus.FAILED
    assert "secret" not in scan.error and "secret" not in scan.location
    assert scan.source_secret == "" or Scan.objects.get(pk=scan.pk).source_secret == ""


@pytest.mark.django_db
def test_a_sql_table_is_scanned(tmp_path):
    import sqlite3

    db = tmp_path / "crm.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)")
        conn.executemany("INSERT INTO people (email) VALUES (?)", [(f"person{i}@example.org",) for i in range(120)])
    version = VersionFactory(uri=f"sqlite:///{db}")
    scan = scan_run_local(scan=scan_request(version=version, actor=SYSTEM, query="people", enqueue=False), actor=SYSTEM)
    assert scan.status == ScanStatus.SUCCEEDED, scan.error
    assert scan.findings.get(column="email").verdict == "IS"
    assert scan.subject_keys == 120


@pytest.mark.django_db
def test_unreadable_uri_cannot_be_scanned():
    from compliance.services import ScanNotPossible

    with pytest.raises(ScanNotPossible):
        scan_request(version=VersionFactory(uri="s3://bucket/key.parquet"), actor=SYSTEM)
    assert Scan.objects.count() == 0


@pytest.mark.django_db
def test_sweeper_fails_a_scan_whose_worker_died(people_csv):
    version = VersionFactory(uri=f"file://{people_csv}")
    scan = scan_request(version=version, actor=SYSTEM, enqueue=False)
    Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1))
    assert scan_sweep(actor=SYSTEM) == [scan.pk]
    scan.refresh_from_db()
    assert scan.status == ScanStatus.FAILED
    assert "stopped responding" in scan.error


@pytest.mark.django_db
def test_confirming_a_finding_classifies_the_field_and_the_asset(people_csv, officer):
    scan = _scan(people_csv)
    finding = scan.findings.get(column="email")
    actor = Actor.for_user(officer, channel="admin")
    finding_review(finding=finding, decision=FindingReview.CONFIRMED, actor=actor, note="checked")
    field = Field.objects.get(version=scan.version, name="email")
    assert field.pii_entities == ["EMAIL_ADDRESS"]
    assert AssetVersion.objects.get(pk=scan.version_id).asset.contains_personal_data == "yes"
    finding_review(finding=finding, decision=FindingReview.DISMISSED, actor=actor, note="false alarm")
    assert Field.objects.get(pk=field.pk).pii_entities == []


@pytest.mark.django_db
def test_uploaded_files_are_deleted_when_the_scan_ends(tmp_path, settings, django_capture_on_commit_callbacks):
    from compliance.services import scan_upload

    settings.CUSTODIAN_UPLOAD_DIR = tmp_path / "uploads"
    source = write_people_csv(tmp_path / "upload.csv", rows=50)
    asset = AssetFactory()
    with open(source, "rb") as handle:
        scan = scan_upload(asset=asset, upload=handle, filename="upload.csv", actor=SYSTEM)
    assert len(list((tmp_path / "uploads").iterdir())) == 1
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_run_local(scan=scan, actor=SYSTEM)
    assert scan.status == ScanStatus.SUCCEEDED
    assert list((tmp_path / "uploads").iterdir()) == []
    assert scan.version.content_hash.startswith("sha256:")
    assert AssetVersion.objects.get(pk=scan.version_id).pii_summary["subject_keys"] == scan.subject_keys
