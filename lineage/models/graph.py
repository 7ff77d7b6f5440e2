import uuid

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel
from lineage.choices import InputRole, JobType, RunOrigin, RunState

__all__ = ("Edge", "Job", "Run", "RunInput", "RunOutput")


class Job(TimeStampedModel):
    """A process that reads and writes assets (an ETL task, a training script), identified as in OpenLineage."""

    namespace = models.CharField(max_length=512)
    name = models.CharField(max_length=1024)
    job_type = models.CharField(max_length=20, choices=JobType.choices, default=JobType.OTHER)
    description = models.TextField(blank=True)
    facets = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("namespace", "name")
        constraints = (models.UniqueConstraint(fields=("namespace", "name"), name="lineage_job_unique_namespace_name"),)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class Run(TimeStampedModel):
    """One execution of a job: which versions it read (with their roles) and which it produced."""

    run_id = models.UUIDField(unique=True, default=uuid.uuid4)
    job = models.ForeignKey(to="lineage.Job", on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.NEW)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey(to="self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    facets = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=16, choices=RunOrigin.choices, default=RunOrigin.REST)
    created_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.job} run {self.run_id}"


class RunInput(models.Model):
    """A version a run read, and in which role (training data, base model, teacher …)."""

    run = models.ForeignKey(to="lineage.Run", on_delete=models.CASCADE, related_name="inputs")
    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.PROTECT, related_name="consumed_by")
    role = models.CharField(max_length=20, choices=InputRole.choices, default=InputRole.DATA)

    class Meta:
        ordering = ("run", "id")
        constraints = (models.UniqueConstraint(fields=("run", "version"), name="lineage_runinput_unique"),)

    def __str__(self) -> str:
        return f"{self.version} as {self.role}"


class RunOutput(models.Model):
    """A version a run produced."""

    run = models.ForeignKey(to="lineage.Run", on_delete=models.CASCADE, related_name="outputs")
    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.PROTECT, related_name="produced_by")

    class Meta:
        ordering = ("run", "id")
        constraints = (models.UniqueConstraint(fields=("run", "version"), name="lineage_runoutput_unique"),)

    def __str__(self) -> str:
        return str(self.version)


class Edge(models.Model):
    """
    One derivation fact: ``source`` version was an input (in ``role``) of ``run``, which produced ``target``.

    Maintained by the lineage services on every write; traversal reads nothing else. Both directions are
    covered by a composite index so each level of a closure is one index scan.
    """

    source = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="out_edges", db_index=False
    )
    target = models.ForeignKey(
        to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="in_edges", db_index=False
    )
    run = models.ForeignKey(to="lineage.Run", on_delete=models.CASCADE, related_name="edges")
    role = models.CharField(max_length=20, choices=InputRole.choices, default=InputRole.DATA)

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("source", "target", "run"), name="lineage_edge_unique"),)
        indexes = (models.Index(fields=("target", "source"), name="lineage_edge_target_source_idx"),)

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.role})"
