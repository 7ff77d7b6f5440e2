"""REST shapes for governance flags, consent withdrawals, the Art. 30 register and retention. Data only."""

from rest_framework import serializers

from catalog.choices import AssetKind, LawfulBasis, PrivacyMeasure
from catalog.models import Asset, AssetVersion, Purpose
from compliance.models import (
    ActivityPurpose,
    ConsentWithdrawal,
    GovernanceFlag,
    Party,
    PartyRole,
    ProcessingActivity,
    Recipient,
    RecipientCategory,
    RetentionAction,
    RetentionPolicy,
    Transfer,
    TransferSafeguard,
    WithdrawalScope,
)

__all__ = (
    "AssetBriefSerializer",
    "ConsentWithdrawalCreateSerializer",
    "ConsentWithdrawalSerializer",
    "ExpiredAssetSerializer",
    "FlagSerializer",
    "FlaggedVersionSerializer",
    "LiftSerializer",
    "PartySerializer",
    "ProcessingActivityInputSerializer",
    "ProcessingActivitySerializer",
    "RecipientSerializer",
    "RetentionPolicySerializer",
)


#
# Flags
#
class FlagSerializer(serializers.ModelSerializer):
    """A flag on a version: what, from where (origin version and asset, finding or withdrawal), along which path."""

    asset = serializers.CharField(source="version.asset.qualified_name", read_only=True)
    asset_kind = serializers.CharField(source="version.asset.kind", read_only=True)
    version_label = serializers.CharField(source="version.version", read_only=True)
    origin = serializers.SerializerMethodField()
    path_display = serializers.SerializerMethodField(help_text='The path as "namespace/name@version" labels.')

    class Meta:
        model = GovernanceFlag
        fields = (
            "id",
            "kind",
            "version",
            "asset",
            "asset_kind",
            "version_label",
            "origin",
            "finding",
            "withdrawal",
            "path",
            "path_display",
            "runs",
            "depth",
            "via_anonymisation",
            "detail",
            "since",
            "updated_at",
        )

    def get_origin(self, obj: GovernanceFlag) -> dict:
        origin = obj.origin_version
        return {
            "version": origin.pk,
            "asset": origin.asset.qualified_name,
            "asset_id": origin.asset_id,
            "version_label": origin.version,
        }

    def get_path_display(self, obj: GovernanceFlag) -> list[str]:
        labels = self.context.get("path_labels", {})
        return [labels.get(v, str(v)) for v in obj.path]


class FlagBriefSerializer(serializers.ModelSerializer):
    origin = serializers.SerializerMethodField()

    class Meta:
        model = GovernanceFlag
        fields = ("id", "kind", "origin", "withdrawal", "finding", "path", "depth", "via_anonymisation", "since")

    def get_origin(self, obj: GovernanceFlag) -> dict:
        return {"version": obj.origin_version_id, "asset": obj.origin_version.asset.qualified_name}


class FlaggedVersionSerializer(serializers.ModelSerializer):
    """A version with the flags asked for (e.g. the models affected by a consent withdrawal)."""

    asset_name = serializers.CharField(source="asset.qualified_name", read_only=True)
    kind = serializers.CharField(source="asset.kind", read_only=True)
    flags = FlagBriefSerializer(source="selected_flags", many=True, read_only=True)

    class Meta:
        model = AssetVersion
        fields = ("id", "asset", "asset_name", "kind", "version", "state", "produced_at", "flags")


#
# Consent withdrawals
#
class ConsentWithdrawalSerializer(serializers.ModelSerializer):
    dataset_name = serializers.CharField(source="dataset.qualified_name", read_only=True, default=None)
    purpose_name = serializers.CharField(source="purpose.name", read_only=True, default=None)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    lifted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    flagged_versions = serializers.IntegerField(read_only=True, help_text="Versions carrying its flag.")

    class Meta:
        model = ConsentWithdrawal
        fields = (
            "id",
            "dataset",
            "dataset_name",
            "purpose",
            "purpose_name",
            "withdrawn_on",
            "scope",
            "reason",
            "reference",
            "recorded_by",
            "created_at",
            "is_active",
            "lifted_at",
            "lifted_by",
            "lift_reason",
            "flagged_versions",
        )


class ConsentWithdrawalCreateSerializer(serializers.Serializer):
    dataset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.filter(kind=AssetKind.DATASET), required=False, allow_null=True
    )
    purpose = serializers.PrimaryKeyRelatedField(queryset=Purpose.objects.all(), required=False, allow_null=True)
    withdrawn_on = serializers.DateField()
    scope = serializers.ChoiceField(choices=WithdrawalScope.choices, default=WithdrawalScope.ALL_VERSIONS)
    reason = serializers.CharField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=255)

    def validate(self, attrs):
        if bool(attrs.get("dataset")) == bool(attrs.get("purpose")):
            raise serializers.ValidationError("Give either a dataset or a purpose.")
        return attrs


class LiftSerializer(serializers.Serializer):
    reason = serializers.CharField()


#
# The Art. 30 register
#
class PartySerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=PartyRole.choices), required=False)

    class Meta:
        model = Party
        fields = ("id", "name", "contact", "roles", "country", "third_country", "contract_reference", "notes")
        read_only_fields = ("id",)


class RecipientSerializer(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name", read_only=True)
    third_country = serializers.BooleanField(read_only=True)
    category = serializers.ChoiceField(choices=RecipientCategory.choices)
    identifiability = serializers.ChoiceField(choices=PrivacyMeasure.choices, required=False, allow_blank=True)
    datasets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False)

    class Meta:
        model = Recipient
        fields = (
            "id",
            "party",
            "party_name",
            "category",
            "description",
            "datasets",
            "identifiability",
            "since",
            "third_country",
        )
        read_only_fields = ("id",)


class RetentionPolicySerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=RetentionAction.choices, required=False)
    time_limit = serializers.CharField(read_only=True)

    class Meta:
        model = RetentionPolicy
        fields = (
            "id",
            "name",
            "data_category",
            "period_days",
            "criteria",
            "trigger",
            "action",
            "longer_retention_basis",
            "review_every_months",
            "time_limit",
        )
        read_only_fields = ("id",)


class PartyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ("id", "name", "contact", "country", "third_country")


class ActivityPurposeSerializer(serializers.ModelSerializer):
    purpose_name = serializers.CharField(source="purpose.name", read_only=True)

    class Meta:
        model = ActivityPurpose
        fields = ("purpose", "purpose_name", "lawful_basis", "legitimate_interests_assessment")


class TransferSerializer(serializers.ModelSerializer):
    recipient_name = serializers.CharField(source="recipient.party.name", read_only=True)

    class Meta:
        model = Transfer
        fields = ("id", "recipient", "recipient_name", "country", "safeguard", "documentation")


class AssetBriefSerializer(serializers.ModelSerializer):
    qualified_name = serializers.CharField(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Asset
        fields = ("id", "kind", "namespace", "name", "qualified_name", "owner", "contains_personal_data")


class ProcessingActivitySerializer(serializers.ModelSerializer):
    """An Art. 30(1) entry with its (a)–(g) facts and linked datasets."""

    controller = PartyBriefSerializer(read_only=True)
    joint_controllers = PartyBriefSerializer(many=True, read_only=True)
    representative = PartyBriefSerializer(read_only=True)
    dpo = PartyBriefSerializer(read_only=True)
    purposes = ActivityPurposeSerializer(source="bases", many=True, read_only=True)
    transfers = TransferSerializer(many=True, read_only=True)
    datasets = AssetBriefSerializer(many=True, read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProcessingActivity
        fields = (
            "id",
            "name",
            "description",
            "controller",
            "joint_controllers",
            "representative",
            "dpo",
            "purposes",
            "data_subject_categories",
            "personal_data_categories",
            "special_category_condition",
            "recipients",
            "transfers",
            "retention_policies",
            "erasure_time_limits",
            "security_measures",
            "dpia_required",
            "dpia_reference",
            "datasets",
            "is_active",
            "last_reviewed_at",
            "reviewed_by",
            "created_at",
            "updated_at",
        )


class ActivityPurposeInputSerializer(serializers.Serializer):
    purpose = serializers.PrimaryKeyRelatedField(queryset=Purpose.objects.all())
    lawful_basis = serializers.ChoiceField(
        choices=LawfulBasis.choices, required=False, help_text="Defaults to the purpose's lawful basis."
    )
    legitimate_interests_assessment = serializers.CharField(required=False, allow_blank=True, max_length=255)


class TransferInputSerializer(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all())
    country = serializers.CharField(max_length=100)
    safeguard = serializers.ChoiceField(choices=TransferSafeguard.choices)
    documentation = serializers.CharField(required=False, allow_blank=True)


def _parties(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), **kwargs)


class ProcessingActivityInputSerializer(serializers.Serializer):
    """Create (``name`` and ``controller`` required) or change an entry; lists replace the current ones."""

    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True)
    controller = _parties()
    joint_controllers = _parties(many=True, required=False)
    representative = _parties(required=False, allow_null=True)
    dpo = _parties(required=False, allow_null=True)
    purposes = ActivityPurposeInputSerializer(many=True, required=False)
    data_subject_categories = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    personal_data_categories = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    special_category_condition = serializers.CharField(required=False, allow_blank=True, max_length=255)
    recipients = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all(), many=True, required=False)
    transfers = TransferInputSerializer(many=True, required=False)
    retention_policies = serializers.PrimaryKeyRelatedField(
        queryset=RetentionPolicy.objects.all(), many=True, required=False
    )
    erasure_time_limits = serializers.CharField(required=False, allow_blank=True)
    security_measures = serializers.CharField(required=False, allow_blank=True)
    dpia_required = serializers.BooleanField(required=False)
    dpia_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    datasets = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), many=True, required=False)
    is_active = serializers.BooleanField(required=False)
    last_reviewed_at = serializers.DateField(required=False, allow_null=True)


#
# Retention
#
class ExpiredAssetSerializer(serializers.Serializer):
    asset = serializers.IntegerField()
    qualified_name = serializers.CharField()
    kind = serializers.CharField()
    retention_until = serializers.DateField()
    days_overdue = serializers.IntegerField()
    versions = serializers.IntegerField()
    flagged_versions = serializers.IntegerField()
