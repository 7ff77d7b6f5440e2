"""
Automatic verification of dataset actions by the scan of a later version, with real scans (each committed, as in
production): a subject found in free text needs a full scan of the new version; other assets, earlier versions
and closed requests are not touched.
"""

import pandas as pd
import pytest

from catalog.services import version_register
from compliance.models import ActionVerification
from compliance.services import scan_request, scan_run_local
from compliance.services_requests import subject_request_close, subject_request_create
from core.audit import Actor
from tests.factories.catalog import AssetFactory

pytestmark = pytest.mark.django_db(transaction=True)
SYSTEM = Actor.system("tests")
SUBJECT = "jane.planted@example.com"


def _notes_csv(path, *, with_subject: bool):
    """Support notes where e-mails are rare: the column *contains* personal data, indexed in full mode only."""
    notes = [
        f"wrote from user{i}@mail.example.com today" if i % 8 == 0 else f"call back about order {i}" for i in range(200)
    ]
    if with_subject:
        notes[10] = f"Customer {SUBJECT} asked for a refund"
    pd.DataFrame({"ticket": range(200), "notes": notes}).to_csv(path, index=False)
    return path


def _publish(asset, label, path, *, full: bool):
    version = version_register(actor=SYSTEM, asset=asset, version=label, uri=f"file://{path}", notify=False)
    scan = scan_run_local(scan=scan_request(version=version, actor=SYSTEM, enqueue=False, full=full), actor=SYSTEM)
    assert scan.status == "succeeded", scan.error
    return version, scan


@pytest.fixture
def tickets(tmp_path):
    asset = AssetFactory(namespace="s3://support", name="tickets")
    version, scan = _publish(asset, "1", _notes_csv(tmp_path / "t1.csv", with_subject=True), full=True)
    request = subject_request_create(kind="erasure", identifiers=[("email", SUBJECT)], actor=SYSTEM)
    return {"asset": asset, "v1": version, "request": request, "tmp": tmp_path}


def test_a_subject_found_in_free_text_is_verified_only_by_a_full_scan(tickets):
    # given
    action = tickets["request"].actions.get()
    assert (action.version_id, action.hit_scan.full) == (tickets["v1"].pk, True)
    path = _notes_csv(tickets["tmp"] / "t2.csv", with_subject=False)
    # when: the new version is scanned without full mode (free text is not indexed), then in full mode
    v2, quick = _publish(tickets["asset"], "2", path, full=False)
    action.refresh_from_db()
    status_after_quick = action.status
    thorough = scan_run_local(scan=scan_request(version=v2, actor=SYSTEM, enqueue=False, full=True), actor=SYSTEM)
    # then
    checks = list(ActionVerification.objects.order_by("id").values_list("scan_id", "passed", "detail"))
    assert checks == [
        (
            quick.pk,
            False,
            f"Scan #{quick.pk} of version 2 did not index 'notes', where the subject was found: "
            "scan it in full mode to verify.",
        ),
        (thorough.pk, True, f"Version 2 (scan #{thorough.pk}) no longer holds the subject."),
    ]
    action.refresh_from_db()
    assert (status_after_quick, action.status) == ("open", "verified")


def test_a_new_version_that_drops_the_column_verifies(tickets):
    # given
    path = tickets["tmp"] / "t2.csv"
    pd.DataFrame({"ticket": range(50), "amount": [1.5] * 50}).to_csv(path, index=False)
    # when
    _publish(tickets["asset"], "2", path, full=False)
    # then
    assert ActionVerification.objects.get().passed is True
    assert tickets["request"].actions.get().status == "verified"


def test_other_assets_earlier_versions_and_closed_requests_are_not_checked(tickets):
    # given: another dataset's version, and a re-scan of the very version that holds the subject
    other = AssetFactory(namespace="s3://support", name="other")
    _publish(other, "1", _notes_csv(tickets["tmp"] / "o.csv", with_subject=False), full=True)
    scan_run_local(scan=scan_request(version=tickets["v1"], actor=SYSTEM, enqueue=False, full=True), actor=SYSTEM)
    assert ActionVerification.objects.count() == 0
    # when the request is closed, a later version is not checked either
    subject_request_close(request=tickets["request"], outcome="cannot_identify", note="No proof", actor=SYSTEM)
    _publish(tickets["asset"], "2", _notes_csv(tickets["tmp"] / "t2.csv", with_subject=False), full=True)
    # then
    assert ActionVerification.objects.count() == 0
