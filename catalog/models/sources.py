from django.db import models

from catalog.choices import SourceKind
from core.models import TimeStampedModel

__all__ = ("Source",)


class Source(TimeStampedModel):
    """
    Where data was obtained: an internal system, a partner, a vendor, a public dataset, a crawl, users, a generator.

    Answers GDPR Art. 15(1)(g) ("the source") and the AI Act training-content summary's §2.
    """

    name = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices)
    supplier = models.CharField(max_length=255, blank=True)
    agreement_reference = models.CharField(max_length=255, blank=True, help_text="Contract, DPA or terms reference.")
    acquired_on = models.DateField(null=True, blank=True)
    uri = models.CharField(max_length=1000, blank=True, help_text="Location of the source system (no credentials).")
    jurisdiction = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
