from django.conf import settings
from django.db import models

from catalog.choices import AssetKind, AssetStatus, ConsentStatus, LawfulBasis, PersonalData
from core.models import TimeStampedModel

__all__ = ("Asset", "DatasetAsset", "ModelAsset", "Purpose")


class Purpose(TimeStampedModel):
    """A processing purpose data may be used for (GDPR Art. 5(1)(b)); consent is given and withdrawn per purpose."""

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, default=LawfulBasis.UNKNOWN)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Asset(TimeStampedModel):
    """
    A dataset or a model, identified by ``(namespace, name)`` exactly as OpenLineage identifies datasets.

    Carries provenance, licence, GDPR facts and lifecycle status; its content lives in immutable versions.
    Models additionally carry task, intended use and whether they are used commercially.
    """

    kind = models.CharField(max_length=10, choices=AssetKind.choices, db_index=True)
    namespace = models.CharField(max_length=512)
    name = models.CharField(max_length=1024)
    description = models.TextField(blank=True)
    source = models.ForeignKey(
        to="catalog.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    declared_licence = models.ForeignKey(
        to="catalog.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_for",
        help_text="The licence the supplier claims.",
    )
    concluded_licence = models.ForeignKey(
        to="catalog.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concluded_for",
        help_text="The licence a reviewer concluded; wins over the declared one.",
    )
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, default=LawfulBasis.UNKNOWN)
    consent_status = models.CharField(max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN)
    purposes = models.ManyToManyField(to="catalog.Purpose", blank=True, related_name="assets")
    special_category = models.BooleanField(default=False, help_text="Holds GDPR Art. 9 special-category data.")
    special_category_condition = models.CharField(
        max_length=255, blank=True, help_text="The Art. 9(2) condition relied on, when special category."
    )
    contains_personal_data = models.CharField(max_length=10, choices=PersonalData.choices, default=PersonalData.UNKNOWN)
    retention_until = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_assets",
    )
    status = models.CharField(max_length=16, choices=AssetStatus.choices, default=AssetStatus.DRAFT, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    # Models only.
    task = models.CharField(max_length=255, blank=True, help_text="Model task, e.g. text-classification.")
    intended_use = models.TextField(blank=True)
    out_of_scope_use = models.TextField(blank=True)
    commercial_use = models.BooleanField(default=False, help_text="The model is used commercially.")
    # OpenLineage metadata (projected by lineage ingestion; see lineage/ingestion.py).
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text='Other identifiers of this asset: [{"namespace", "name", "type"}] (symlinks, renames).',
    )
    external_owners = models.JSONField(
        default=list,
        blank=True,
        help_text='Owners named by producers (ownership facet): [{"name": "team:data", "type": "MAINTAINER"}].',
    )
    facets = models.JSONField(default=dict, blank=True, help_text="Current OpenLineage dataset facets, verbatim.")
    pii_suggestions = models.JSONField(
        default=list,
        blank=True,
        help_text='Personal data named by producers\' tags, for the compliance review: [{"field", "entity", "tag"}].',
    )
    dropped_at = models.DateTimeField(
        null=True, blank=True, help_text="When a producer reported the dataset dropped (lifecycleStateChange DROP)."
    )

    class Meta:
        ordering = ("namespace", "name")
        constraints = (
            models.UniqueConstraint(
                fields=("namespace", "name"),
                name="catalog_asset_unique_namespace_name",
                violation_error_message="An asset with this namespace and name already exists.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def licence(self):
        """The licence that counts: concluded when reviewed, else declared."""
        return self.concluded_licence or self.declared_licence


class DatasetManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AssetKind.DATASET)


class ModelManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AssetKind.MODEL)


class DatasetAsset(Asset):
    """Datasets only (a proxy used by the admin)."""

    objects = DatasetManager()

    class Meta:
        proxy = True
        verbose_name = "dataset"
        verbose_name_plural = "datasets"


class ModelAsset(Asset):
    """Models only (a proxy used by the admin)."""

    objects = ModelManager()

    class Meta:
        proxy = True
        verbose_name = "model"
        verbose_name_plural = "models"
