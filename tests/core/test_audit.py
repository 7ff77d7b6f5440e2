import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from catalog import services
from catalog.choices import AssetKind
from core.audit import Actor, AuditAction, audit_record, verify_chain
from core.models import AuditChainHead, AuditEvent

SYSTEM = Actor.system("tests")


def _register(n: int) -> None:
    for i in range(n):
        services.asset_register(
            actor=SYSTEM, kind=AssetKind.DATASET, namespace="s3://a", name=f"d{i}", licence="CC0-1.0"
        )


@pytest.mark.django_db
def test_every_service_write_appends_a_chained_event():
    # when
    _register(3)
    # then
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [AuditAction.CREATE] * 3
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert AuditChainHead.objects.get().event_count == 3
    assert verify_chain() == (3, None)


@pytest.mark.django_db
def test_an_edited_row_is_detected():
    # given
    _register(3)
    middle = AuditEvent.objects.order_by("id")[1]
    # when
    AuditEvent.objects.filter(pk=middle.pk).update(after={"name": "forged"})
    # then
    count, broken = verify_chain()
    assert count == 1
    assert broken.event_id == middle.pk
    assert "edited" in broken.reason


@pytest.mark.django_db
def test_a_deleted_row_is_detected():
    # given
    _register(3)
    events = list(AuditEvent.objects.order_by("id"))
    # when
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    # then
    count, broken = verify_chain()
    assert (count, broken.event_id) == (1, events[2].pk)
    assert "deleted" in broken.reason


@pytest.mark.django_db
def test_deleting_the_newest_rows_is_detected_by_the_head():
    # given
    _register(3)
    # when
    AuditEvent.objects.order_by("-id").first().delete()
    # then
    count, broken = verify_chain()
    assert count == 2
    assert broken.event_id is None


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=SYSTEM, action="create", obj=("catalog.asset", 1))
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_change_leaves_no_audit_event():
    # given a duplicate registration, which fails validation inside the service's transaction
    _register(1)
    # when
    with pytest.raises(ValidationError), transaction.atomic():
        services.asset_register(actor=SYSTEM, kind=AssetKind.DATASET, namespace="s3://a", name="d0")
    # then
    assert AuditEvent.objects.count() == 1
    assert verify_chain() == (1, None)


@pytest.mark.django_db
def test_verify_audit_log_command_reports_ok_and_breaks(capsys):
    # given
    _register(2)
    # when / then
    call_command("verify_audit_log")
    assert "OK: 2 audit events" in capsys.readouterr().out
    AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).update(actor_label="mallory")
    with pytest.raises(CommandError, match="BROKEN at audit event"):
        call_command("verify_audit_log")
