"""
Data-subject requests (GDPR Arts. 12, 15, 17, 18, 19, 21): the request with its deadlines, the subject's
identifiers as keyed digests and masked hints only, one action per affected version or deployment, the automatic
verifications of dataset actions, and the Art. 19 notices to recipients.

Written only by ``compliance.services_requests`` (and ``compliance.evidence`` for exports), each change audited.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel

__all__ = (
    "ActionKind",
    "ActionStatus",
    "ActionTarget",
    "ActionVerification",
    "ExemptionGround",
    "ImpactReason",
    "RecipientNotification",
    "RequestChannel",
    "RequestOutcome",
    "RequestStatus",
    "SubjectIdentifier",
    "SubjectRequest",
    "SubjectRequestAction",
    "SubjectRequestKind",
)


#
# Vocabulary
#
class SubjectRequestKind(models.TextChoices):
    ERASURE = "erasure", "Erasure (Art. 17)"
    ACCESS = "access", "Access (Art. 15)"
    RESTRICTION = "restriction", "Restriction (Art. 18)"
    OBJECTION = "objection", "Objection (Art. 21)"


class RequestChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEB_FORM = "web_form", "Web form"
    POST = "post", "Post"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    OTHER = "other", "Other"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RequestOutcome(models.TextChoices):
    """How a request ended (regulation.md §9 DataSubjectRequest.outcome)."""

    PENDING = "", "Pending"
    FULFILLED = "fulfilled", "Fulfilled"
    PARTIAL = "partial", "Partially fulfilled (exemptions)"
    REFUSED_UNFOUNDED = "refused_unfounded_excessive", "Refused: manifestly unfounded or excessive (Art. 12(5))"
    REFUSED_EXEMPTION = "refused_exemption", "Refused: exemption applies"
    CANNOT_IDENTIFY = "cannot_identify", "Subject cannot be identified (Art. 11(2))"


class ImpactReason(models.TextChoices):
    DIRECT = "direct", "Holds the subject (subject-key index)"
    DOWNSTREAM = "downstream", "Derived from a version holding the subject"
    ANONYMISED = "anonymised", "Anonymised descendant: no action needed"


class ActionTarget(models.TextChoices):
    DATASET = "dataset", "Dataset version"
    MODEL = "model", "Model version"
    DEPLOYMENT = "deployment", "Deployment"


class ActionKind(models.TextChoices):
    DELETE_RECORDS = "delete_records", "Delete the subject's records and publish a new version"
    REBUILD = "rebuild", "Rebuild without the subject"
    RETRAIN = "retrain", "Retrain without the subject"
    UNLEARNING = "unlearning", "Apply machine unlearning"
    EXEMPTION = "exemption", "Art. 17(3) exemption"
    REDEPLOY = "redeploy", "Redeploy a model built without the subject"
    RETIRE = "retire", "Retire the deployment"
    RESTRICT = "restrict", "Restrict processing of the subject's data (Art. 18)"
    STOP_PROCESSING = "stop_processing", "Stop processing the subject's data (Art. 21)"
    NONE = "none", "No action needed"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    VERIFIED = "verified", "Verified"
    EXEMPTED = "exempted", "Exempted (Art. 17(3))"
    NOT_REQUIRED = "not_required", "Not required"


RESOLVED_STATUSES = (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.EXEMPTED, ActionStatus.NOT_REQUIRED)


class ExemptionGround(models.TextChoices):
    """GDPR Art. 17(3): erasure does not apply to the extent that processing is necessary for …"""

    EXPRESSION = "a", "(a) freedom of expression and information"
    LEGAL_OBLIGATION = "b", "(b) legal obligation, public-interest task or official authority"
    PUBLIC_HEALTH = "c", "(c) public interest in public health"
    RESEARCH = "d", "(d) archiving, scientific or historical research, statistics (Art. 89(1))"
    LEGAL_CLAIMS = "e", "(e) establishment, exercise or defence of legal claims"


#
# Requests
#
class SubjectRequest(TimeStampedModel):
    """
    A data-subject request (DSAR): erasure, access, restriction or objection, received on a date through a
    channel, due one calendar month later (``compliance.deadlines``), extendable once by up to two months with a
    reason recorded before the first deadline. The subject is known only by the digests and masked hints of
    ``SubjectIdentifier``; the request never holds an identifier.
    """

    kind = models.CharField(max_length=16, choices=SubjectRequestKind.choices)
    channel = models.CharField(max_length=16, choices=RequestChannel.choices, default=RequestChannel.EMAIL)
    electronic = models.BooleanField(
        default=True, help_text="Made by electronic means: answer electronically where possible (Art. 12(3))."
    )
    received_on = models.DateField(help_text="Day of receipt (not counted in the one-month period).")
    due_on = models.DateField(help_text="One calendar month after receipt (Art. 12(3), Reg. 1182/71).")
    identity_requested_on = models.DateField(
        null=True, blank=True, help_text="When proof of identity was asked for (Art. 12(6))."
    )
    identity_confirmed_on = models.DateField(null=True, blank=True, help_text="When the identity was confirmed.")
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extension_recorded_on = models.DateField(null=True, blank=True)
    extension_notified_on = models.DateField(
        null=True, blank=True, help_text="When the subject was told of the extension and its reasons."
    )
    extended_due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True)
    outcome = models.CharField(max_length=32, choices=RequestOutcome.choices, blank=True, default="")
    outcome_note = models.TextField(blank=True, help_text="Reasons given to the subject (Art. 12(4) for refusals).")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    impact_computed_at = models.DateTimeField(null=True, blank=True)
    impact_is_partial = models.BooleanField(
        default=False, help_text="The downstream closure hit the lineage depth limit: more may be affected."
    )
    created_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-received_on", "-id")
        verbose_name = "subject request"
        indexes = (models.Index(fields=("status", "due_on"), name="compliance_dsr_status_due"),)

    def __str__(self) -> str:
        return f"DSR-{self.pk} {self.kind}"

    @property
    def effective_due_on(self):
        """The deadline that counts: the extended one when extended."""
        return self.extended_due_on or self.due_on

    @property
    def is_closed(self) -> bool:
        return self.status == RequestStatus.CLOSED


class SubjectIdentifier(models.Model):
    """
    One identifier of a request's subject, as the keyed digest the subject-key index uses (HMAC-SHA256 of the
    normalised identifier) and a masked hint an officer recognises (``j***@example.com``). Never the identifier.
    """

    request = models.ForeignKey(to="compliance.SubjectRequest", on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16)
    digest = models.BinaryField(max_length=32)
    hint = models.CharField(max_length=255)

    AUDIT_EXCLUDE = ("digest",)

    class Meta:
        ordering = ("request", "id")
        constraints = (models.UniqueConstraint(fields=("request", "digest"), name="compliance_subjectid_unique"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.hint}"


class SubjectRequestAction(TimeStampedModel):
    """
    One item affected by a request — a version holding the subject, a version or model version derived from one,
    an anonymised descendant, or a deployment serving an affected model version — with the lineage path that
    reached it and what is done about it: the recommended and chosen action, assignee, status, evidence and, for
    an Art. 17(3) exemption, its ground and justification.
    """

    request = models.ForeignKey(to="compliance.SubjectRequest", on_delete=models.CASCADE, related_name="actions")
    target = models.CharField(max_length=12, choices=ActionTarget.choices)
    version = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="subject_actions"
    )
    deployment = models.ForeignKey(
        to="catalog.Deployment", on_delete=models.PROTECT, null=True, blank=True, related_name="subject_actions"
    )
    reason = models.CharField(max_length=12, choices=ImpactReason.choices)
    path = models.JSONField(
        default=list, blank=True, help_text="Version ids from a version holding the subject to this one."
    )
    runs = models.JSONField(default=list, blank=True, help_text="Run ids between consecutive versions of the path.")
    depth = models.PositiveIntegerField(default=0)
    was_current = models.BooleanField(default=False, help_text="The asset's current version when the impact was found.")
    hit_scan = models.ForeignKey(
        to="compliance.Scan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published scan whose subject-key index holds the subject (direct hits).",
    )
    recommended = models.CharField(max_length=16, choices=ActionKind.choices)
    action = models.CharField(max_length=16, choices=ActionKind.choices)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True)
    assignee = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exemption_ground = models.CharField(max_length=1, choices=ExemptionGround.choices, blank=True)
    justification = models.TextField(blank=True, help_text="Why the exemption applies (mandatory for exemptions).")
    evidence_note = models.TextField(blank=True, help_text="What was done: job ids, counts, new version, ticket.")
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("request", "depth", "id")
        verbose_name = "subject request action"
        constraints = (
            models.CheckConstraint(
                condition=(Q(version__isnull=False) & Q(deployment__isnull=True))
                | (Q(version__isnull=True) & Q(deployment__isnull=False)),
                name="compliance_dsraction_version_xor_deployment",
            ),
            models.UniqueConstraint(
                fields=("request", "version"),
                condition=Q(version__isnull=False),
                name="compliance_dsraction_unique_version",
            ),
            models.UniqueConstraint(
                fields=("request", "deployment"),
                condition=Q(deployment__isnull=False),
                name="compliance_dsraction_unique_deployment",
            ),
        )

    def __str__(self) -> str:
        what = f"version {self.version_id}" if self.version_id else f"deployment {self.deployment_id}"
        return f"DSR-{self.request_id}: {self.action} on {what}"

    @property
    def is_resolved(self) -> bool:
        return self.status in RESOLVED_STATUSES


class ActionVerification(models.Model):
    """
    An automatic check of a dataset action: a later version of the dataset was scanned, and its subject-key index
    did (``passed`` false) or did not (``passed`` true) still hold one of the subject's digests.
    """

    action = models.ForeignKey(
        to="compliance.SubjectRequestAction", on_delete=models.CASCADE, related_name="verifications"
    )
    scan = models.ForeignKey(to="compliance.Scan", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField()
    detail = models.CharField(max_length=500)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ("action", "checked_at", "id")

    def __str__(self) -> str:
        return f"{'passed' if self.passed else 'failed'}: scan {self.scan_id} of version {self.version_id}"


class RecipientNotification(TimeStampedModel):
    """
    An Art. 19 notice: a recipient of an affected dataset was told of the erasure or restriction — or why telling
    them proved impossible or would involve disproportionate effort.
    """

    request = models.ForeignKey(to="compliance.SubjectRequest", on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(to="compliance.Recipient", on_delete=models.PROTECT, related_name="+")
    notified_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=255, blank=True, help_text="e.g. e-mail to the DPA contact, ticket ref.")
    not_notified_reason = models.TextField(
        blank=True, help_text="Why notice proved impossible or disproportionate (Art. 19)."
    )
    recorded_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("request", "recipient", "id")
        constraints = (
            models.UniqueConstraint(fields=("request", "recipient"), name="compliance_dsrnotice_unique"),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=False) | ~Q(not_notified_reason=""),
                name="compliance_dsrnotice_date_or_reason",
            ),
        )

    def __str__(self) -> str:
        return f"DSR-{self.request_id} notice to recipient {self.recipient_id}"
