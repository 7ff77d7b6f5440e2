"""REST shapes for the catalog. Serializers map data only; writes go through ``catalog.services``."""

from rest_framework import serializers

from catalog.choices import AssetStatus, ConsentStatus, LawfulBasis, PrivacyMeasure, SourceKind, UseClass
from catalog.models import Asset, AssetVersion, Deployment, Field, Licence, Purpose, Source
from core.models import User

__all__ = (
    "AssetCreateSerializer",
    "AssetOutputSerializer",
    "AssetUpdateSerializer",
    "DeploymentInputSerializer",
    "DeploymentOutputSerializer",
    "FieldSerializer",
    "LicenceSerializer",
    "PurposeSerializer",
    "SourceSerializer",
    "VersionOutputSerializer",
)


class LicenceSerializer(serializers.ModelSerializer):
    use_class = serializers.ChoiceField(choices=UseClass.choices, required=False)

    class Meta:
        model = Licence
        fields = (
            "id",
            "spdx_id",
            "name",
            "url",
            "use_class",
            "attribution_required",
            "share_alike",
            "copyleft_scope",
            "derivatives_allowed",
            "private_adaptation_allowed",
            "use_restrictions",
            "conditions",
            "propagates_to_model",
            "is_unknown",
        )
        read_only_fields = ("id", "is_unknown")


class SourceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)

    class Meta:
        model = Source
        fields = (
            "id",
            "name",
            "kind",
            "supplier",
            "agreement_reference",
            "acquired_on",
            "uri",
            "jurisdiction",
            "description",
            "created_at",
        )
        read_only_fields = ("id", "created_at")


class PurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Purpose
        fields = ("id", "name", "description", "lawful_basis")
        read_only_fields = ("id",)


class AssetOutputSerializer(serializers.ModelSerializer):
    qualified_name = serializers.CharField(read_only=True)
    licence = serializers.SerializerMethodField()
    declared_licence = serializers.SlugRelatedField(slug_field="spdx_id", read_only=True)
    concluded_licence = serializers.SlugRelatedField(slug_field="spdx_id", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    purposes = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Asset
        fields = (
            "id",
            "kind",
            "namespace",
            "name",
            "qualified_name",
            "description",
            "source",
            "licence",
            "declared_licence",
            "concluded_licence",
            "lawful_basis",
            "consent_status",
            "purposes",
            "special_category",
            "special_category_condition",
            "contains_personal_data",
            "retention_until",
            "owner",
            "status",
            "tags",
            "task",
            "intended_use",
            "out_of_scope_use",
            "commercial_use",
            "created_at",
            "updated_at",
        )

    def get_licence(self, obj: Asset) -> str | None:
        licence = obj.licence
        return licence.spdx_id if licence else None


class _AssetWritableFields(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    licence = serializers.CharField(required=False, allow_blank=True, help_text="SPDX id or LicenseRef-…")
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False, allow_null=True)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices, required=False)
    consent_status = serializers.ChoiceField(choices=ConsentStatus.choices, required=False)
    purposes = serializers.SlugRelatedField(
        slug_field="name", queryset=Purpose.objects.all(), many=True, required=False
    )
    special_category = serializers.BooleanField(required=False)
    special_category_condition = serializers.CharField(required=False, allow_blank=True, max_length=255)
    retention_until = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=AssetStatus.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    task = serializers.CharField(required=False, allow_blank=True, max_length=255)
    intended_use = serializers.CharField(required=False, allow_blank=True)
    out_of_scope_use = serializers.CharField(required=False, allow_blank=True)
    commercial_use = serializers.BooleanField(required=False)


class AssetCreateSerializer(_AssetWritableFields):
    namespace = serializers.CharField(max_length=512)
    name = serializers.CharField(max_length=1024)


class AssetUpdateSerializer(_AssetWritableFields):
    concluded_licence = serializers.SlugRelatedField(
        slug_field="spdx_id", queryset=Licence.objects.all(), required=False, allow_null=True
    )
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), required=False)


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ("name", "data_type", "ordinal", "description", "pii_entities")
        read_only_fields = ("pii_entities",)


class VersionOutputSerializer(serializers.ModelSerializer):
    asset_name = serializers.CharField(source="asset.qualified_name", read_only=True)
    kind = serializers.CharField(source="asset.kind", read_only=True)
    fields = FieldSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    privacy_measure = serializers.ChoiceField(choices=PrivacyMeasure.choices, read_only=True)

    class Meta:
        model = AssetVersion
        fields = (
            "id",
            "asset",
            "asset_name",
            "kind",
            "version",
            "uri",
            "content_hash",
            "size_bytes",
            "row_count",
            "description",
            "privacy_measure",
            "k_anonymity",
            "dp_epsilon",
            "dp_delta",
            "state",
            "produced_at",
            "created_at",
            "created_by",
            "fields",
            "quality_profile",
            "pii_summary",
        )


class DeploymentOutputSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model_version.asset.qualified_name", read_only=True)
    version = serializers.CharField(source="model_version.version", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deployment
        fields = (
            "id",
            "model_version",
            "model",
            "version",
            "environment",
            "endpoint",
            "deployed_at",
            "retired_at",
            "is_active",
            "notes",
        )


class DeploymentInputSerializer(serializers.Serializer):
    model_version = serializers.PrimaryKeyRelatedField(queryset=AssetVersion.objects.select_related("asset"))
    environment = serializers.CharField(max_length=100)
    endpoint = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    deployed_at = serializers.DateTimeField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
