from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from catalog.choices import AssetKind
from core.models import TimeStampedModel

__all__ = ("Deployment",)


class Deployment(TimeStampedModel):
    """A model version serving somewhere: the last hop of lineage (and the last to act on for an erasure)."""

    model_version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.PROTECT, related_name="deployments")
    environment = models.CharField(max_length=100, help_text="e.g. production, staging.")
    endpoint = models.CharField(max_length=1000, blank=True)
    deployed_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-deployed_at", "id")

    def __str__(self) -> str:
        return f"{self.model_version} → {self.environment}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def clean(self) -> None:
        if self.model_version_id and self.model_version.asset.kind != AssetKind.MODEL:
            raise ValidationError({"model_version": "Only model versions can be deployed."})
        if self.retired_at and self.deployed_at and self.retired_at < self.deployed_at:
            raise ValidationError({"retired_at": "A deployment cannot end before it starts."})
