"""
OpenLineage storage: the raw events (source of truth) and what their projection needs beside the core graph.

``OpenLineageEvent`` rows are appended once per distinct event and never changed; everything else here (and the
Job/Run/Edge/Asset/AssetVersion rows they touch) can be rebuilt by replaying them through ``lineage.ingestion``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = (
    "ColumnEdge",
    "FacetClock",
    "JobDataset",
    "JobDatasetWatermark",
    "OpenLineageEvent",
    "OpenLineageEventKind",
    "RunStateChange",
)


class OpenLineageEventKind(models.TextChoices):
    RUN = "RunEvent", "Run event"
    DATASET = "DatasetEvent", "Dataset event"
    JOB = "JobEvent", "Job event"


class AppendOnly(Exception):
    """A raw OpenLineage event was asked to change or disappear."""


class OpenLineageEvent(models.Model):
    """
    One OpenLineage event exactly as a producer sent it, stored before anything is projected from it.

    Append-only and unique by the SHA-256 of its canonical JSON, so a re-sent event is recognised as a duplicate.
    The columns beside ``payload`` (run id, kind, type, time, producer, job) make the raw log queryable without
    opening the JSON; ``principal`` is the token's user, also the actor of the event's audit record.
    """

    content_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=OpenLineageEventKind.choices)
    event_type = models.CharField(max_length=10, blank=True, help_text="RunEvent eventType; empty when absent.")
    event_time = models.DateTimeField(db_index=True)
    run_id = models.UUIDField(null=True, blank=True, db_index=True)
    producer = models.TextField(blank=True)
    schema_url = models.TextField(blank=True)
    job_namespace = models.CharField(max_length=512, blank=True)
    job_name = models.CharField(max_length=1024, blank=True)
    dataset_namespace = models.CharField(max_length=512, blank=True)
    dataset_name = models.CharField(max_length=1024, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    principal = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="openlineage_events",
        db_constraint=False,
    )
    principal_label = models.CharField(max_length=255, blank=True)
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ("id",)
        verbose_name = "OpenLineage event"
        indexes = (
            models.Index(fields=("job_namespace", "job_name", "event_time"), name="lineage_olevent_job_idx"),
            models.Index(fields=("run_id", "event_time"), name="lineage_olevent_run_time_idx"),
        )

    def __str__(self) -> str:
        what = self.event_type or self.kind
        return f"{what} {self.job_namespace}/{self.job_name} @ {self.event_time:%Y-%m-%dT%H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly("OpenLineage events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("OpenLineage events are append-only.")


class RunStateChange(models.Model):
    """
    One entry of a run's state history: an event with an ``eventType`` and whether it moved the run's state.

    ``applied`` is false for OTHER, for a START/RUNNING that arrived after a terminal state or is older than the
    current state, and for an older terminal event; ``conflict`` marks a terminal event that disagrees with another
    terminal event of the same run (the later ``eventTime`` wins).
    """

    run = models.ForeignKey(to="lineage.Run", on_delete=models.CASCADE, related_name="state_changes")
    event = models.ForeignKey(
        to="lineage.OpenLineageEvent", on_delete=models.PROTECT, related_name="state_changes", null=True, blank=True
    )
    event_type = models.CharField(max_length=10)
    event_time = models.DateTimeField()
    applied = models.BooleanField(default=False)
    conflict = models.BooleanField(default=False)
    state_after = models.CharField(max_length=10, help_text="The run's state once this event was merged.")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("run", "event_time", "id")
        indexes = (models.Index(fields=("run", "event_time"), name="lineage_runstate_run_time_idx"),)

    def __str__(self) -> str:
        return f"{self.event_type} @ {self.event_time:%Y-%m-%dT%H:%M:%S} ({'applied' if self.applied else 'kept'})"


class ColumnEdge(models.Model):
    """
    Column-level lineage: ``source_field`` of ``source`` fed ``target_field`` of ``target`` in ``run``.

    An empty ``target_field`` is a dataset-wide dependency (filter, join, group by…). The edge is kept when the
    target field is missing from the target's schema (Marquez drops it). ``masking`` marks a transformation that
    masks the value, which stops personal-data propagation. Asset ids are repeated for asset-level traversal.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the edge's identity (idempotency).")
    run = models.ForeignKey(to="lineage.Run", on_delete=models.CASCADE, related_name="column_edges")
    source = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="column_out_edges", db_index=False
    )
    source_asset = models.ForeignKey(
        to="catalog.Asset", on_delete=models.CASCADE, related_name="column_out_edges", db_index=False
    )
    source_field = models.CharField(max_length=1024)
    target = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="column_in_edges", db_index=False
    )
    target_asset = models.ForeignKey(
        to="catalog.Asset", on_delete=models.CASCADE, related_name="column_in_edges", db_index=False
    )
    target_field = models.CharField(max_length=1024, blank=True)
    transformation_type = models.CharField(max_length=32, blank=True)
    transformation_subtype = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    masking = models.BooleanField(default=False)

    class Meta:
        ordering = ("id",)
        indexes = (
            models.Index(fields=("target_asset", "target_field"), name="lineage_coledge_target_idx"),
            models.Index(fields=("source_asset", "source_field"), name="lineage_coledge_source_idx"),
            models.Index(fields=("target", "source"), name="lineage_coledge_versions_idx"),
        )

    def __str__(self) -> str:
        return f"{self.source_id}.{self.source_field} → {self.target_id}.{self.target_field or '*'}"


class JobDataset(models.Model):
    """
    A job read (``input``) or wrote (``output``) an asset in at least one run, or declared it in a JobEvent.

    The cumulative, version-less job ↔ dataset graph Marquez tooling draws (``GET /api/v1/lineage``): one row per
    (job, asset, direction), indexed from both ends so each traversal level is one index scan.
    """

    INPUT = "input"
    OUTPUT = "output"
    DIRECTIONS = ((INPUT, "Input"), (OUTPUT, "Output"))

    job = models.ForeignKey(to="lineage.Job", on_delete=models.CASCADE, related_name="dataset_links")
    asset = models.ForeignKey(to="catalog.Asset", on_delete=models.CASCADE, related_name="job_links", db_index=False)
    direction = models.CharField(max_length=6, choices=DIRECTIONS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("job", "direction", "asset")
        constraints = (models.UniqueConstraint(fields=("job", "asset", "direction"), name="lineage_jobdataset_unique"),)
        indexes = (models.Index(fields=("asset", "job"), name="lineage_jobdataset_asset_idx"),)

    def __str__(self) -> str:
        return f"{self.job_id} {self.direction} {self.asset_id}"


class JobDatasetWatermark(models.Model):
    """
    How far ``JobDataset`` has been caught up with run inputs/outputs recorded by other doors (REST, admin).

    OpenLineage ingestion writes ``JobDataset`` in its own transaction; runs registered elsewhere are folded in
    by the Marquez read path from these ids on (with a look-back for transactions that committed late).
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_input_id = models.BigIntegerField(default=0)
    last_output_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = (models.CheckConstraint(condition=models.Q(singleton=1), name="lineage_jobdatasetmark_single"),)

    def __str__(self) -> str:
        return f"job/dataset links up to input {self.last_input_id}, output {self.last_output_id}"


class FacetClock(models.Model):
    """
    When each facet of a run, job, asset or version was last set or deleted (the event's ``eventTime``).

    A facet replaces its earlier value only if it is not older, so a late event never overwrites newer metadata.
    """

    RUN = "run"
    JOB = "job"
    ASSET = "asset"
    VERSION = "version"
    ENTITIES = ((RUN, "Run"), (JOB, "Job"), (ASSET, "Asset"), (VERSION, "Version"))

    entity = models.CharField(max_length=8, choices=ENTITIES)
    object_id = models.BigIntegerField()
    times = models.JSONField(default=dict, help_text="Facet key → ISO 8601 eventTime of its last change.")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("entity", "object_id"), name="lineage_facetclock_unique"),)

    def __str__(self) -> str:
        return f"{self.entity} {self.object_id}"
