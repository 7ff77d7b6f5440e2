from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.choices import PrivacyMeasure, VersionState
from core.models import TimeStampedModel

__all__ = ("AssetVersion", "Field")


class AssetVersion(TimeStampedModel):
    """
    An immutable snapshot of an asset: a dataset version or a model version.

    Content facts (URI, hash, size, rows, schema) never change once registered; only the lifecycle ``state``
    moves (active → superseded / erased). Lineage edges connect versions, so every answer is version-precise.
    """

    asset = models.ForeignKey(to="catalog.Asset", on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=255, help_text="Version label, unique within the asset.")
    uri = models.CharField(max_length=2000, blank=True)
    content_hash = models.CharField(max_length=128, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    row_count = models.BigIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    privacy_measure = models.CharField(max_length=16, choices=PrivacyMeasure.choices, default=PrivacyMeasure.IDENTIFIED)
    k_anonymity = models.PositiveIntegerField(null=True, blank=True, help_text="k of k-anonymity, when measured.")
    dp_epsilon = models.FloatField(null=True, blank=True, help_text="Differential privacy ε.")
    dp_delta = models.FloatField(null=True, blank=True, help_text="Differential privacy δ.")
    quality_profile = models.JSONField(default=dict, blank=True)
    pii_summary = models.JSONField(default=dict, blank=True)
    facets = models.JSONField(
        default=dict, blank=True, help_text="OpenLineage dataset facets sent by the run that produced this version."
    )
    state = models.CharField(max_length=16, choices=VersionState.choices, default=VersionState.ACTIVE)
    produced_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="When this version came into being (event time for lineage)."
    )
    created_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_versions",
    )

    # Content facts that may not change after registration.
    IMMUTABLE_FIELDS = ("asset", "version", "uri", "content_hash", "size_bytes", "row_count", "produced_at")

    class Meta:
        ordering = ("asset", "produced_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("asset", "version"),
                name="catalog_assetversion_unique_label",
                violation_error_message="This asset already has a version with this label.",
            ),
        )
        indexes = (
            models.Index(fields=("asset", "produced_at"), name="catalog_version_asset_time_idx"),
            # Superseding a version touches only the asset's active ones (lineage ingestion, every new version).
            models.Index(fields=("asset",), condition=models.Q(state="active"), name="catalog_version_active_idx"),
        )

    def __str__(self) -> str:
        return f"{self.asset}@{self.version}"


class Field(models.Model):
    """A column (or nested field, dotted) of a dataset version's schema, with its confirmed PII classification."""

    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=1024)
    data_type = models.CharField(max_length=255, blank=True)
    ordinal = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    pii_entities = models.JSONField(default=list, blank=True, help_text="Confirmed PII entity types.")
    tags = models.JSONField(default=list, blank=True, help_text='Producer tags of the column: [{"key", "value"}].')
    pii_suggestions = models.JSONField(
        default=list, blank=True, help_text="PII entity types named by producer tags, awaiting review."
    )

    class Meta:
        ordering = ("version", "ordinal", "name")
        constraints = (models.UniqueConstraint(fields=("version", "name"), name="catalog_field_unique_per_version"),)

    def __str__(self) -> str:
        return self.name
