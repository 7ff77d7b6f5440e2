import pytest
from django.core.management import call_command

from catalog.models import Asset, AssetVersion, Deployment
from core.audit import verify_chain
from core.models import User
from lineage.selectors import lineage_upstream


@pytest.mark.django_db
def test_demo_loads_the_story_once(capsys):
    # when
    call_command("demo")
    call_command("demo")
    # then
    out = capsys.readouterr().out
    assert "Demo catalog loaded." in out and "Demo catalog already present." in out
    assert set(User.objects.values_list("username", flat=True)) >= {"officer", "scientist", "auditor"}
    assert Asset.objects.filter(declared_licence__spdx_id="CC-BY-NC-4.0").count() == 1
    assert Deployment.objects.count() == 1
    quantised = AssetVersion.objects.get(asset__name="models/support-classifier-ft-int8")
    upstream = {n.asset for n in lineage_upstream(version=quantised).nodes}
    assert {
        "mlflow://registry/models/support-classifier",
        "s3://vendor/acme/product-reviews",
        "s3://raw/support/tickets",
    } <= upstream
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_demo_users_can_log_in_with_the_configured_password(monkeypatch):
    monkeypatch.setenv("CUSTODIAN_DEMO_PASSWORD", "s3cret-demo")
    call_command("demo", "--quiet-credentials")
    assert User.objects.get(username="auditor").check_password("s3cret-demo")


@pytest.mark.django_db
def test_demo_scans_its_ticket_file(django_capture_on_commit_callbacks):
    from compliance.models import Scan

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-credentials")
    scan = Scan.objects.get()
    assert scan.status == "succeeded"
    verdicts = dict(scan.findings.values_list("column", "verdict"))
    assert (verdicts["email"], verdicts["customer_name"], verdicts["ticket_id"]) == ("IS", "IS", "NONE")
    assert scan.subject_keys > 0


@pytest.mark.django_db
def test_demo_opens_an_erasure_request_reaching_the_deployment(django_capture_on_commit_callbacks):
    from compliance.models import GovernanceFlag, ProcessingActivity, SubjectRequest

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet-credentials")
    call_command("demo", "--quiet-credentials")  # the compliance half runs once the scan has finished
    request = SubjectRequest.objects.get()
    targets = sorted(
        (a.version.asset.name if a.version_id else "deployment")
        for a in request.actions.select_related("version__asset")
    )
    assert targets == [
        "deployment",
        "models/support-classifier",
        "models/support-classifier-ft",
        "models/support-classifier-ft-int8",
        "support/tickets",
        "support/tickets-clean",
    ]
    assert ProcessingActivity.objects.get().datasets.count() == 2
    assert GovernanceFlag.objects.filter(kind="personal_data").count() == 5
