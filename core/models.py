"""Core models: the custom user and the append-only, hash-chained audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

__all__ = ("AuditChainHead", "AuditChannel", "AuditEvent", "TimeStampedModel", "User")


class User(AbstractUser):
    """A person or service principal using Custodian. Roles are Django groups (see ``core.roles``)."""

    is_service_account = models.BooleanField(
        default=False,
        help_text="A non-human principal, e.g. a pipeline emitting OpenLineage events.",
    )

    class Meta:
        db_table = "core_user"


class TimeStampedModel(models.Model):
    """Abstract base with creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditChannel(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "REST API"
    GRAPHQL = "graphql", "GraphQL"
    OPENLINEAGE = "openlineage", "OpenLineage"
    TASK = "task", "Task"
    COMMAND = "command", "Command"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    """
    One change made to the catalog, by whom, through which door.

    Rows form a hash chain: ``hash = sha256(prev_hash + canonical(event))``. They are only ever appended, inside
    the transaction of the change they record; ``manage.py verify_audit_log`` detects any edit or deletion.
    Before/after states hold metadata only — never raw personal data.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=255, help_text="Username, task id or command at the time.")
    channel = models.CharField(max_length=16, choices=AuditChannel.choices)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("object_type", "object_id"), name="core_audit_object_idx"),)

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_label}"


class AuditChainHead(models.Model):
    """
    The head of the audit hash chain: the last event's hash and the number of events.

    A single row, locked with ``SELECT … FOR UPDATE`` by every append so that concurrent writers extend the chain
    one after another; verification compares it with the last row, so deleting the newest events is detected too.
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    event_count = models.BigIntegerField(default=0)

    class Meta:
        constraints = (models.CheckConstraint(condition=models.Q(singleton=1), name="core_auditchainhead_singleton"),)

    def __str__(self) -> str:
        return f"audit head after {self.event_count} events"
