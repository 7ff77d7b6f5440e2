"""REST shapes for scans and their findings. Values never appear: masked examples only."""

from rest_framework import serializers

from catalog.models import Asset, AssetVersion
from compliance.choices import FindingReview
from compliance.models import ColumnFinding, Scan

__all__ = ("FindingReviewSerializer", "ScanCreateSerializer", "ScanSerializer", "ScanUploadSerializer")


class FindingSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="column")

    class Meta:
        model = ColumnFinding
        fields = (
            "id",
            "name",
            "verdict",
            "entities",
            "sampled",
            "masked_examples",
            "stage",
            "indexed",
            "review",
            "reviewed_at",
            "review_note",
        )


class ScanSerializer(serializers.ModelSerializer):
    asset = serializers.CharField(source="version.asset.qualified_name", read_only=True)
    version_label = serializers.CharField(source="version.version", read_only=True)
    progress = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Scan
        fields = (
            "id",
            "version",
            "asset",
            "version_label",
            "location",
            "filename",
            "format",
            "full",
            "status",
            "error",
            "progress",
            "subject_keys",
            "timings",
            "findings",
            "profile",
            "created_at",
            "started_at",
            "finished_at",
        )

    def get_progress(self, obj: Scan) -> dict:
        return {
            "rows_done": obj.rows_done,
            "rows_total": obj.rows_total,
            "fraction": obj.progress,
            "partitions_done": obj.partitions_done,
            "partitions_total": obj.partitions_total,
        }

    def get_profile(self, obj: Scan) -> dict | None:
        if obj.status != "succeeded":
            return None
        return obj.version.quality_profile


class ScanCreateSerializer(serializers.Serializer):
    version = serializers.PrimaryKeyRelatedField(queryset=AssetVersion.objects.select_related("asset"))
    location = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Defaults to the version's URI."
    )
    query = serializers.CharField(required=False, allow_blank=True, help_text="Table or SELECT for a database URL.")
    full = serializers.BooleanField(default=False)


class ScanUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dataset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    version = serializers.CharField(required=False, max_length=255, help_text="Label; default: content hash prefix.")
    full = serializers.BooleanField(default=False)


class FindingReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=(("confirm", "confirm"), ("dismiss", "dismiss")))
    note = serializers.CharField(required=False, allow_blank=True)
    entities = serializers.ListField(child=serializers.CharField(), required=False)

    def decision_value(self) -> str:
        return FindingReview.CONFIRMED if self.validated_data["decision"] == "confirm" else FindingReview.DISMISSED
