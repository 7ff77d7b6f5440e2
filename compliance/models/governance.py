"""
Governance records: the Art. 30 register (parties, recipients, transfers, retention policies, processing
activities), consent withdrawals, and the flags that propagate personal data, withdrawn consent and expired
retention down the lineage graph.

Flags are derived data: ``compliance.propagation`` rewrites them whenever a cause changes (a finding reviewed, a
withdrawal recorded or lifted, a retention sweep, new lineage). Everything else here is written by the services in
``compliance.ropa``, ``compliance.propagation`` and ``compliance.retention`` only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalog.choices import LawfulBasis, PrivacyMeasure
from core.models import TimeStampedModel

__all__ = (
    "ActivityPurpose",
    "ConsentWithdrawal",
    "FlagKind",
    "GovernanceFlag",
    "Party",
    "PartyRole",
    "ProcessingActivity",
    "Recipient",
    "RecipientCategory",
    "RetentionAction",
    "RetentionPolicy",
    "TransferSafeguard",
    "Transfer",
    "WithdrawalScope",
)


#
# Vocabulary
#
class PartyRole(models.TextChoices):
    CONTROLLER = "controller", "Controller"
    JOINT_CONTROLLER = "joint_controller", "Joint controller"
    PROCESSOR = "processor", "Processor"
    REPRESENTATIVE = "representative", "Representative (Art. 27)"
    DPO = "dpo", "Data protection officer"
    SUPPLIER = "supplier", "Data supplier"
    RECIPIENT = "recipient", "Recipient"


class RecipientCategory(models.TextChoices):
    PROCESSOR = "processor", "Processor acting for us"
    JOINT_CONTROLLER = "joint_controller", "Joint controller"
    OTHER_CONTROLLER = "other_controller", "Another controller"
    GROUP_COMPANY = "group_company", "Group company"
    PUBLIC_AUTHORITY = "public_authority", "Public authority"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    OTHER = "other", "Other"


class TransferSafeguard(models.TextChoices):
    """The legal ground of a transfer to a third country or an international organisation (GDPR Chapter V)."""

    ADEQUACY = "adequacy", "Art. 45 adequacy decision"
    STANDARD_CLAUSES = "standard_clauses", "Art. 46(2)(c) standard contractual clauses"
    BINDING_CORPORATE_RULES = "binding_corporate_rules", "Art. 47 binding corporate rules"
    OTHER_ART46 = "other_art46", "Other Art. 46 safeguard"
    DEROGATION = "derogation", "Art. 49(1) first subparagraph derogation"
    COMPELLING_INTERESTS = "compelling_interests", "Art. 49(1) second subparagraph (compelling legitimate interests)"


class RetentionAction(models.TextChoices):
    DELETE = "delete", "Delete"
    ANONYMISE = "anonymise", "Anonymise"
    AGGREGATE = "aggregate", "Aggregate"


class WithdrawalScope(models.TextChoices):
    ALL_VERSIONS = "all_versions", "All versions"
    BEFORE_DATE = "before_date", "Versions produced before the withdrawal date"


class FlagKind(models.TextChoices):
    PERSONAL_DATA = "personal_data", "Contains personal data"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    RETENTION_EXPIRED = "retention_expired", "Retention expired"


#
# Art. 30 register
#
class Party(TimeStampedModel):
    """
    An organisation or person the register names: controller, joint controller, representative, DPO, processor,
    supplier or recipient (GDPR Art. 30(1)(a), (d)). Business contact details only, never a data subject.
    """

    name = models.CharField(max_length=255, unique=True)
    contact = models.TextField(help_text="Address, e-mail or phone through which the party is reached.")
    roles = models.JSONField(default=list, blank=True, help_text="Roles the party plays: " + ", ".join(PartyRole))
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. DE, US.")
    third_country = models.BooleanField(
        default=False, help_text="Established outside the EEA (transfers to it fall under GDPR Chapter V)."
    )
    contract_reference = models.CharField(max_length=255, blank=True, help_text="Contract, DPA or SCC reference.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.roles, list) or any(role not in PartyRole.values for role in self.roles):
            raise ValidationError({"roles": f"Roles must be a list of: {', '.join(PartyRole.values)}."})
        self.roles = sorted(set(self.roles))
        self.country = (self.country or "").upper()


class Recipient(TimeStampedModel):
    """
    Someone personal data is disclosed to (GDPR Art. 4(9)), with the datasets they receive: the categories of
    recipients of Art. 30(1)(d), and the list of whom to tell about an erasure or restriction (Art. 19).
    """

    party = models.ForeignKey(to="compliance.Party", on_delete=models.PROTECT, related_name="recipient_roles")
    category = models.CharField(max_length=32, choices=RecipientCategory.choices)
    description = models.TextField(blank=True, help_text="What they receive and why.")
    datasets = models.ManyToManyField(
        to="catalog.Asset", blank=True, related_name="recipients", help_text="Datasets (or models) disclosed to them."
    )
    identifiability = models.CharField(
        max_length=16,
        choices=PrivacyMeasure.choices,
        blank=True,
        help_text="How identifiable the data is for this recipient (C-413/23 P: identifiability is per party).",
    )
    since = models.DateField(null=True, blank=True, help_text="First disclosure.")

    class Meta:
        ordering = ("party__name", "category", "id")

    def __str__(self) -> str:
        return f"{self.party} ({self.get_category_display()})"

    @property
    def third_country(self) -> bool:
        return self.party.third_country


class RetentionPolicy(TimeStampedModel):
    """How long a category of personal data is kept and what happens then (Art. 30(1)(f), Art. 5(1)(e))."""

    name = models.CharField(max_length=255, unique=True)
    data_category = models.CharField(max_length=255, help_text="e.g. customer contact data, support tickets.")
    period_days = models.PositiveIntegerField(null=True, blank=True, help_text="Retention period, when fixed.")
    criteria = models.TextField(blank=True, help_text="How the period is decided, when it is not a fixed number.")
    trigger = models.CharField(max_length=255, blank=True, help_text="When the period starts, e.g. end of contract.")
    action = models.CharField(max_length=16, choices=RetentionAction.choices, default=RetentionAction.DELETE)
    longer_retention_basis = models.TextField(
        blank=True, help_text="Ground for keeping longer (Art. 89(1) archiving/research, legal hold …)."
    )
    review_every_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.period_days is None and not self.criteria.strip():
            raise ValidationError("Give a retention period in days or the criteria that decide it.")

    @property
    def time_limit(self) -> str:
        """The erasure time limit as one phrase, e.g. ``customer data: 365 days from end of contract, then delete``."""
        period = f"{self.period_days} days" if self.period_days is not None else self.criteria.strip()
        start = f" from {self.trigger}" if self.trigger else ""
        return f"{self.data_category}: {period}{start}, then {self.get_action_display().lower()}"


class ProcessingActivity(TimeStampedModel):
    """
    One entry of the record of processing activities (GDPR Art. 30(1)): who is responsible (a), why (b), about
    whom and what (c), to whom it goes (d) and where (e), for how long (f), how it is protected (g) — linked to
    the datasets and models it uses.
    """

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    # (a)
    controller = models.ForeignKey(to="compliance.Party", on_delete=models.PROTECT, related_name="+")
    joint_controllers = models.ManyToManyField(to="compliance.Party", blank=True, related_name="+")
    representative = models.ForeignKey(
        to="compliance.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dpo = models.ForeignKey(
        to="compliance.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="data protection officer",
    )
    # (b), with the lawful basis per purpose
    purposes = models.ManyToManyField(
        to="catalog.Purpose", through="compliance.ActivityPurpose", blank=True, related_name="processing_activities"
    )
    # (c)
    data_subject_categories = models.JSONField(
        default=list, blank=True, help_text="e.g. customers, employees, website visitors, children."
    )
    personal_data_categories = models.JSONField(
        default=list,
        blank=True,
        help_text="Declared categories, e.g. contact details; confirmed PII findings of the datasets are added.",
    )
    special_category_condition = models.CharField(
        max_length=255, blank=True, help_text="Art. 9(2) condition relied on for special-category data."
    )
    # (d), (e) through Transfer
    recipients = models.ManyToManyField(to="compliance.Recipient", blank=True, related_name="processing_activities")
    # (f)
    retention_policies = models.ManyToManyField(
        to="compliance.RetentionPolicy", blank=True, related_name="processing_activities"
    )
    erasure_time_limits = models.TextField(blank=True, help_text="Time limits for erasure not covered by a policy.")
    # (g)
    security_measures = models.TextField(blank=True, help_text="General description of the Art. 32(1) measures.")
    dpia_required = models.BooleanField(default=False)
    dpia_reference = models.CharField(max_length=255, blank=True)
    datasets = models.ManyToManyField(
        to="catalog.Asset", blank=True, related_name="processing_activities", help_text="Datasets and models used."
    )
    is_active = models.BooleanField(default=True, help_text="Retired activities stay on record but map no dataset.")
    last_reviewed_at = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "processing activities"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("data_subject_categories", "personal_data_categories"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValidationError({name: "A list of category names."})
            setattr(self, name, [item.strip() for item in value if item.strip()])
        if self.dpia_required and not self.dpia_reference.strip() and self.is_active:
            raise ValidationError({"dpia_reference": "A required DPIA needs its reference."})


class ActivityPurpose(models.Model):
    """A purpose of a processing activity and the lawful basis (Art. 6(1)) relied on for it in that activity."""

    activity = models.ForeignKey(to="compliance.ProcessingActivity", on_delete=models.CASCADE, related_name="bases")
    purpose = models.ForeignKey(to="catalog.Purpose", on_delete=models.PROTECT, related_name="+")
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    legitimate_interests_assessment = models.CharField(
        max_length=255, blank=True, help_text="Reference of the LIA, required for Art. 6(1)(f)."
    )

    class Meta:
        ordering = ("activity", "purpose__name")
        constraints = (
            models.UniqueConstraint(fields=("activity", "purpose"), name="compliance_activitypurpose_unique"),
        )

    def __str__(self) -> str:
        return f"{self.purpose} — {self.get_lawful_basis_display()}"

    def clean(self) -> None:
        if self.lawful_basis in (LawfulBasis.UNKNOWN, LawfulBasis.NOT_APPLICABLE):
            raise ValidationError({"lawful_basis": "Record the Art. 6(1) basis relied on for this purpose."})
        if self.lawful_basis == LawfulBasis.LEGITIMATE_INTERESTS and not self.legitimate_interests_assessment.strip():
            raise ValidationError(
                {"legitimate_interests_assessment": "Art. 6(1)(f) needs a legitimate interests assessment."}
            )


class Transfer(models.Model):
    """A transfer of an activity's personal data to a third country or international organisation (Art. 30(1)(e))."""

    activity = models.ForeignKey(to="compliance.ProcessingActivity", on_delete=models.CASCADE, related_name="transfers")
    recipient = models.ForeignKey(to="compliance.Recipient", on_delete=models.PROTECT, related_name="transfers")
    country = models.CharField(max_length=100, help_text="Third country (ISO code) or international organisation.")
    safeguard = models.CharField(max_length=32, choices=TransferSafeguard.choices)
    documentation = models.TextField(
        blank=True, help_text="Safeguard documentation; required for Art. 49(1) second-subparagraph transfers."
    )

    class Meta:
        ordering = ("activity", "country", "id")

    def __str__(self) -> str:
        return f"{self.country} ({self.get_safeguard_display()})"

    def clean(self) -> None:
        if self.safeguard == TransferSafeguard.COMPELLING_INTERESTS and not self.documentation.strip():
            raise ValidationError(
                {"documentation": "Art. 30(1)(e): document the safeguards of an Art. 49(1) 2nd-subpara transfer."}
            )


#
# Consent
#
class ConsentWithdrawal(TimeStampedModel):
    """
    Consent withdrawn (GDPR Art. 7(3)) for one dataset or for one purpose — then for every dataset used for it —
    covering all versions or the versions produced before the withdrawal date. Recorded by an officer; lifting it
    (e.g. recorded in error, consent given again) keeps the record and clears its flags.
    """

    dataset = models.ForeignKey(
        to="catalog.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="consent_withdrawals"
    )
    purpose = models.ForeignKey(
        to="catalog.Purpose", on_delete=models.PROTECT, null=True, blank=True, related_name="consent_withdrawals"
    )
    withdrawn_on = models.DateField(help_text="When consent was withdrawn.")
    scope = models.CharField(max_length=16, choices=WithdrawalScope.choices, default=WithdrawalScope.ALL_VERSIONS)
    reason = models.TextField(help_text="Why, and on whose behalf (no identifiers of data subjects).")
    reference = models.CharField(max_length=255, blank=True, help_text="Ticket or consent-record reference.")
    recorded_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-withdrawn_on", "-id")
        constraints = (
            models.CheckConstraint(
                condition=(Q(dataset__isnull=False) & Q(purpose__isnull=True))
                | (Q(dataset__isnull=True) & Q(purpose__isnull=False)),
                name="compliance_withdrawal_dataset_xor_purpose",
                violation_error_message="A withdrawal concerns either one dataset or one purpose.",
            ),
        )

    def __str__(self) -> str:
        target = f"dataset {self.dataset}" if self.dataset_id else f"purpose {self.purpose}"
        return f"consent withdrawn for {target} on {self.withdrawn_on}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def clean(self) -> None:
        if bool(self.dataset_id) == bool(self.purpose_id):
            raise ValidationError("Choose either a dataset or a purpose.")
        if self.dataset_id and self.dataset.kind != "dataset":
            raise ValidationError({"dataset": "Consent concerns data: choose a dataset, not a model."})
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Record why consent was withdrawn."})


#
# Flags
#
class GovernanceFlag(models.Model):
    """
    A governance fact holding for a version because of an origin upstream (or itself, at depth 0): contains
    personal data (origin: a version with confirmed PII findings), consent withdrawn (origin: a version in a
    withdrawal's scope), retention expired (origin: a version of an asset past its retention date).

    One row per cause and version: per (version, kind, origin asset) for personal data and retention, per
    (version, withdrawal) for consent. ``origin_version`` is the cause's version nearest upstream, ``path`` the
    version ids from it to this version along one shortest lineage path, ``runs`` the runs between them. ``since``
    is when the flag was first raised and survives recomputation.
    """

    version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="governance_flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    origin_version = models.ForeignKey(to="catalog.AssetVersion", on_delete=models.CASCADE, related_name="+")
    origin_asset = models.ForeignKey(to="catalog.Asset", on_delete=models.CASCADE, related_name="+")
    finding = models.ForeignKey(
        to="compliance.ColumnFinding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The confirmed finding behind a personal-data flag.",
    )
    withdrawal = models.ForeignKey(
        to="compliance.ConsentWithdrawal", on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    path = models.JSONField(default=list, help_text="Version ids from the origin to this version.")
    runs = models.JSONField(default=list, help_text="Run ids between the versions of the path.")
    depth = models.PositiveIntegerField(default=0)
    via_anonymisation = models.BooleanField(
        default=False, help_text="The path crosses an anonymisation run or an anonymised version."
    )
    detail = models.JSONField(default=dict, blank=True, help_text="Columns and entities, dates, scope.")
    since = models.DateTimeField(help_text="When the flag was first raised.")
    updated_at = models.DateTimeField(help_text="When its path was last recomputed.")

    class Meta:
        ordering = ("version_id", "kind", "depth", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("version", "kind", "origin_asset"),
                condition=Q(withdrawal__isnull=True),
                name="compliance_flag_unique_origin",
            ),
            models.UniqueConstraint(
                fields=("version", "withdrawal"),
                condition=Q(withdrawal__isnull=False),
                name="compliance_flag_unique_withdrawal",
            ),
        )
        indexes = (
            models.Index(fields=("kind", "version"), name="compliance_flag_kind_version"),
            models.Index(fields=("origin_asset", "kind"), name="compliance_flag_origin_asset"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on version {self.version_id} from {self.origin_version_id}"
