"""Vocabulary of compliance: scans, verdicts, reviews."""

from django.db import models

__all__ = ("FindingReview", "ScanStatus", "Verdict")


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Verdict(models.TextChoices):
    IS = "IS", "Column is personal data"
    CONTAINS = "CONTAINS", "Column contains personal data"
    NONE = "NONE", "No personal data found"


class FindingReview(models.TextChoices):
    PENDING = "pending", "Pending review"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
