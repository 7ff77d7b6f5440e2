from django.conf import settings
from django.db import models

from compliance.choices import FindingReview, ScanStatus, Verdict
from core.models import TimeStampedModel

__all__ = ("ColumnFinding", "Scan", "SubjectKey")


class Scan(TimeStampedModel):
    """
    One scan of a dataset version's source: which columns hold personal data, the quality profile, and (for
    identifier columns) the subject-key index. Runs as Celery work split into partitions; progress is rows done
    of rows total. A scan whose worker stops reporting is failed by the sweeper, never left running.
    """

    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.PROTECT, related_name="scans")
    location = models.CharField(max_length=2000, help_text="What was read (credentials scrubbed).")
    filename = models.CharField(max_length=500, blank=True, help_text="Original name of an uploaded file.")
    format = models.CharField(max_length=16, blank=True)
    query = models.TextField(blank=True, help_text="Table or SELECT, for database sources.")
    full = models.BooleanField(default=False, help_text="Also index id-like columns and identifiers in free text.")
    status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    rows_total = models.BigIntegerField(null=True, blank=True)
    rows_done = models.BigIntegerField(default=0)
    partitions_total = models.PositiveIntegerField(default=0)
    partitions_done = models.PositiveIntegerField(default=0)
    subject_keys = models.BigIntegerField(default=0, help_text="Distinct subject digests indexed.")
    timings = models.JSONField(default=dict, blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text="Merged first pass (masked verdicts, profile, index plan) until finished."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Path of an uploaded file's temporary copy (and a database URL's secret part): deleted when the scan ends.
    source_secret = models.TextField(blank=True, editable=False)

    AUDIT_EXCLUDE = ("source_secret",)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"scan #{self.pk} of {self.version_id} ({self.status})"

    @property
    def progress(self) -> float | None:
        if not self.rows_total:
            return 1.0 if self.status == ScanStatus.SUCCEEDED else None
        return min(1.0, self.rows_done / self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (ScanStatus.SUCCEEDED, ScanStatus.FAILED)


class ColumnFinding(models.Model):
    """A column's PII verdict from a scan — entity types, hit rates, scores, masked examples; never raw values."""

    scan = models.ForeignKey(to="compliance.Scan", on_delete=models.CASCADE, related_name="findings")
    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="pii_findings")
    column = models.CharField(max_length=1024)
    ordinal = models.PositiveIntegerField(default=0)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    entities = models.JSONField(default=list, blank=True, help_text='[{"type", "hit_rate", "score"}]')
    sampled = models.PositiveIntegerField(default=0, help_text="Distinct values classified.")
    masked_examples = models.JSONField(default=list, blank=True)
    stage = models.PositiveSmallIntegerField(default=1, help_text="1 = patterns, 2 = patterns + NER.")
    indexed = models.BooleanField(default=False, help_text="Values went into the subject-key index.")
    review = models.CharField(max_length=10, choices=FindingReview.choices, default=FindingReview.PENDING)
    reviewed_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ("scan", "ordinal")
        constraints = (models.UniqueConstraint(fields=("scan", "column"), name="compliance_finding_unique_column"),)

    def __str__(self) -> str:
        return f"{self.column}: {self.verdict}"

    @property
    def entity_types(self) -> list[str]:
        return [e["type"] for e in self.entities]


class SubjectKey(models.Model):
    """
    One keyed digest (HMAC-SHA256 of ``kind:normalised identifier``) found in a dataset version.

    The catalog can find a subject's versions by digest without ever holding the identifier.
    """

    version = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="subject_keys", db_index=False
    )
    scan = models.ForeignKey(to="compliance.Scan", on_delete=models.CASCADE, related_name="+", db_index=False)
    digest = models.BinaryField(max_length=32)
    kind = models.CharField(max_length=16)
    column_ordinal = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("scan", "digest"), name="compliance_subjectkey_unique"),)
        indexes = (
            models.Index(fields=("digest",), name="compliance_subjectkey_digest"),
            models.Index(fields=("version",), name="compliance_subjectkey_version"),
        )

    def __str__(self) -> str:
        return f"{self.kind} key in version {self.version_id}"
