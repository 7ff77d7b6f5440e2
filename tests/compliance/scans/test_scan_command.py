import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Asset
from tests.compliance.scans.conftest import write_people_csv


@pytest.mark.django_db
def test_scan_command_prints_the_findings_document(tmp_path, capsys):
    path = write_people_csv(tmp_path / "people.csv", rows=150)
    call_command("scan", str(path), "--dataset", "s3://raw/crm/people", "--version", "v1", "--json")
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"columns", "profile", "rows", "subject_keys"}
    assert document["rows"] == 151
    email = next(c for c in document["columns"] if c["name"] == "email")
    assert email["verdict"] == "IS" and email["entities"][0]["type"] == "EMAIL_ADDRESS"
    assert set(email) == {"name", "verdict", "entities", "sampled", "masked_examples"}
    asset = Asset.objects.get()
    assert (asset.namespace, asset.name) == ("s3://raw", "crm/people")


@pytest.mark.django_db
def test_scan_command_fails_with_one_line_for_a_bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="^scan failed: file is empty$"):
        call_command("scan", str(path), "--dataset", "demo/bad")


@pytest.mark.django_db
def test_scan_command_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("scan", str(tmp_path / "missing.csv"), "--dataset", "demo/x")
