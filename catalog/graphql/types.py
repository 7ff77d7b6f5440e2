"""Auditor-facing GraphQL types of the catalog: explicit fields only, never data values."""

import graphene
from graphene_django import DjangoObjectType

from catalog.models import Asset, AssetVersion, Deployment, Field, Licence, Purpose, Source

__all__ = ("AssetType", "DeploymentType", "FieldType", "LicenceType", "SourceType", "VersionType")


class LicenceType(DjangoObjectType):
    """A licence and its machine-readable terms."""

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
            "use_restrictions",
            "propagates_to_model",
            "is_unknown",
        )
        convert_choices_to_enum = False


class SourceType(DjangoObjectType):
    """Where data was obtained."""

    class Meta:
        model = Source
        fields = ("id", "name", "kind", "supplier", "agreement_reference", "acquired_on", "uri", "jurisdiction")
        convert_choices_to_enum = False


class PurposeType(DjangoObjectType):
    class Meta:
        model = Purpose
        fields = ("id", "name", "description", "lawful_basis")
        convert_choices_to_enum = False


class FieldType(DjangoObjectType):
    """A column of a version's schema and its confirmed PII entity types."""

    pii_entities = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Field
        fields = ("name", "data_type", "ordinal", "description", "pii_entities")


class VersionType(DjangoObjectType):
    """An immutable snapshot of a dataset or model."""

    asset = graphene.Field(lambda: AssetType, required=True)
    fields = graphene.List(graphene.NonNull(FieldType), required=True, description="Schema, in column order.")
    quality_profile = graphene.JSONString(description="Quality profile (counts and ranges, no values).")
    pii_summary = graphene.JSONString(description="PII verdicts per column (masked examples only).")

    class Meta:
        model = AssetVersion
        fields = (
            "id",
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
        )
        convert_choices_to_enum = False

    @staticmethod
    def resolve_fields(root: AssetVersion, info):
        return root.fields.all()


class AssetType(DjangoObjectType):
    """A dataset or a model with its provenance, licence, GDPR facts and status."""

    qualified_name = graphene.String(required=True, description="namespace/name")
    licence = graphene.Field(LicenceType, description="Concluded licence, else declared.")
    owner = graphene.String(description="Owner's username.")
    purposes = graphene.List(graphene.NonNull(PurposeType), required=True)
    versions = graphene.List(graphene.NonNull(VersionType), required=True, description="Versions, oldest first.")

    class Meta:
        model = Asset
        fields = (
            "id",
            "kind",
            "namespace",
            "name",
            "description",
            "source",
            "declared_licence",
            "concluded_licence",
            "lawful_basis",
            "consent_status",
            "special_category",
            "special_category_condition",
            "contains_personal_data",
            "retention_until",
            "status",
            "task",
            "intended_use",
            "out_of_scope_use",
            "commercial_use",
            "created_at",
            "updated_at",
        )
        convert_choices_to_enum = False

    @staticmethod
    def resolve_owner(root: Asset, info):
        return root.owner.username if root.owner_id else None

    @staticmethod
    def resolve_purposes(root: Asset, info):
        return root.purposes.all()

    @staticmethod
    def resolve_versions(root: Asset, info):
        return root.versions.all()


class DeploymentType(DjangoObjectType):
    class Meta:
        model = Deployment
        fields = ("id", "model_version", "environment", "endpoint", "deployed_at", "retired_at", "notes")
