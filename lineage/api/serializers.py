"""REST shapes for versions (with their producing run) and runs."""

from rest_framework import serializers

from catalog.choices import PrivacyMeasure
from catalog.models import Asset, AssetVersion
from lineage.choices import InputRole, JobType, RunState
from lineage.models import Run

__all__ = (
    "LineageQuerySerializer",
    "LineageResponseSerializer",
    "RunCreateSerializer",
    "RunOutputSerializer",
    "VersionCreateSerializer",
)


class VersionInputRef(serializers.Serializer):
    version = serializers.PrimaryKeyRelatedField(queryset=AssetVersion.objects.select_related("asset"))
    role = serializers.ChoiceField(choices=InputRole.choices, required=False, allow_null=True)


class FieldInput(serializers.Serializer):
    name = serializers.CharField(max_length=1024)
    data_type = serializers.CharField(max_length=255, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class VersionCreateSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    version = serializers.CharField(max_length=255)
    uri = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    content_hash = serializers.CharField(max_length=128, required=False, allow_blank=True)
    size_bytes = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    row_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    description = serializers.CharField(required=False, allow_blank=True)
    privacy_measure = serializers.ChoiceField(choices=PrivacyMeasure.choices, required=False)
    k_anonymity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    dp_epsilon = serializers.FloatField(required=False, allow_null=True, min_value=0)
    dp_delta = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    produced_at = serializers.DateTimeField(required=False)
    fields = FieldInput(many=True, required=False)
    inputs = VersionInputRef(many=True, required=False)
    job_type = serializers.ChoiceField(choices=JobType.choices, required=False)
    job_namespace = serializers.CharField(max_length=512, required=False)
    job_name = serializers.CharField(max_length=1024, required=False)

    def validate_inputs(self, value):
        ids = [item["version"].pk for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each input version may be listed once.")
        return value


class VersionUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    privacy_measure = serializers.ChoiceField(choices=PrivacyMeasure.choices, required=False)
    k_anonymity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    dp_epsilon = serializers.FloatField(required=False, allow_null=True, min_value=0)
    dp_delta = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)


class LineageQuerySerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=("upstream", "downstream"), default="upstream")
    depth = serializers.IntegerField(required=False, min_value=0, max_value=1000)


class LineageNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    asset = serializers.CharField(help_text="namespace/name")
    asset_id = serializers.IntegerField()
    kind = serializers.CharField()
    version = serializers.CharField()
    state = serializers.CharField()
    depth = serializers.IntegerField()


class LineageEdgeSerializer(serializers.Serializer):
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    run = serializers.IntegerField()
    role = serializers.CharField()


class LineageResponseSerializer(serializers.Serializer):
    root = serializers.IntegerField()
    direction = serializers.CharField()
    nodes = LineageNodeSerializer(many=True)
    edges = LineageEdgeSerializer(many=True)
    depth_reached = serializers.IntegerField()
    is_partial = serializers.BooleanField()


class RunVersionRef(serializers.Serializer):
    version = serializers.IntegerField(source="version_id")
    asset = serializers.CharField(source="version.asset.qualified_name")
    label = serializers.CharField(source="version.version")


class RunInputRefOut(RunVersionRef):
    role = serializers.CharField()


class RunOutputSerializer(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()
    inputs = RunInputRefOut(many=True, read_only=True)
    outputs = RunVersionRef(many=True, read_only=True)
    parent = serializers.SlugRelatedField(slug_field="run_id", read_only=True)

    class Meta:
        model = Run
        fields = (
            "id",
            "run_id",
            "job",
            "state",
            "started_at",
            "ended_at",
            "origin",
            "parent",
            "inputs",
            "outputs",
            "facets",
            "created_at",
        )

    def get_job(self, obj: Run) -> dict:
        return {"namespace": obj.job.namespace, "name": obj.job.name, "job_type": obj.job.job_type}


class RunCreateSerializer(serializers.Serializer):
    job_namespace = serializers.CharField(max_length=512)
    job_name = serializers.CharField(max_length=1024)
    job_type = serializers.ChoiceField(choices=JobType.choices, default=JobType.OTHER)
    run_id = serializers.UUIDField(required=False)
    state = serializers.ChoiceField(choices=RunState.choices, default=RunState.COMPLETE)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False)
    inputs = VersionInputRef(many=True, required=False)
    outputs = serializers.PrimaryKeyRelatedField(
        queryset=AssetVersion.objects.select_related("asset"), many=True, required=False
    )
