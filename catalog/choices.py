"""Enumerations of the catalog's vocabulary (GDPR, licences, lifecycle)."""

from django.db import models

__all__ = (
    "AssetKind",
    "AssetStatus",
    "ConsentStatus",
    "CopyleftScope",
    "LawfulBasis",
    "PersonalData",
    "PrivacyMeasure",
    "PropagatesToModel",
    "SourceKind",
    "UseClass",
    "VersionState",
)


class AssetKind(models.TextChoices):
    DATASET = "dataset", "Dataset"
    MODEL = "model", "Model"


class AssetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RESTRICTED = "restricted", "Restricted"
    RETIRED = "retired", "Retired"


class SourceKind(models.TextChoices):
    INTERNAL_SYSTEM = "internal_system", "Internal system"
    PARTNER = "partner", "Partner"
    VENDOR_PURCHASE = "vendor_purchase", "Vendor purchase"
    PUBLIC_DATASET = "public_dataset", "Public dataset"
    WEB_SCRAPE = "web_scrape", "Web scrape"
    USER_GENERATED = "user_generated", "User-generated"
    SYNTHETIC = "synthetic", "Synthetic"


class LawfulBasis(models.TextChoices):
    """GDPR Art. 6(1)."""

    NOT_APPLICABLE = "not_applicable", "Not applicable (no personal data)"
    UNKNOWN = "unknown", "Not recorded"
    CONSENT = "consent", "6(1)(a) consent"
    CONTRACT = "contract", "6(1)(b) contract"
    LEGAL_OBLIGATION = "legal_obligation", "6(1)(c) legal obligation"
    VITAL_INTERESTS = "vital_interests", "6(1)(d) vital interests"
    PUBLIC_TASK = "public_task", "6(1)(e) public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "6(1)(f) legitimate interests"


class ConsentStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required"
    UNKNOWN = "unknown", "Unknown"
    GIVEN = "given", "Given"
    PARTIAL = "partial", "Partially withdrawn"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PersonalData(models.TextChoices):
    UNKNOWN = "unknown", "Not assessed"
    YES = "yes", "Contains personal data"
    NO = "no", "No personal data"


class PrivacyMeasure(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    PSEUDONYMISED = "pseudonymised", "Pseudonymised"
    ANONYMISED = "anonymised", "Anonymised"
    SYNTHETIC = "synthetic", "Synthetic"


class VersionState(models.TextChoices):
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"
    ERASED = "erased", "Erased"


class UseClass(models.TextChoices):
    """The licence lattice's use chain, from least to most restrictive."""

    COMMERCIAL = "commercial", "Commercial use allowed"
    UNSPECIFIED = "unspecified", "Unspecified"
    NON_COMMERCIAL = "non_commercial", "Non-commercial only"
    ACADEMIC_ONLY = "academic_only", "Academic only"


class CopyleftScope(models.TextChoices):
    NONE = "none", "None"
    SAME_LICENCE = "same_licence", "Same or compatible licence"
    DATABASE = "database", "Adapted database"


class PropagatesToModel(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    REVIEW = "review", "Needs legal review"
