"""
REST shapes of subject requests. Identifiers come in as ``{"kind", "value"}`` and go out as ``{"kind", "hint"}``:
no serializer here ever renders a value, and no validation message repeats one.
"""

import re

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.identifiers import IdentifierKind
from compliance.models import (
    ActionKind,
    ActionStatus,
    ActionTarget,
    ExemptionGround,
    ImpactReason,
    Recipient,
    RequestChannel,
    RequestOutcome,
    RequestStatus,
    SubjectRequest,
    SubjectRequestAction,
    SubjectRequestKind,
)
from compliance.selectors_requests import request_deadline_facts, request_is_ready_to_close

__all__ = (
    "ActionUpdateSerializer",
    "RecipientNotificationInputSerializer",
    "SubjectRequestActionSerializer",
    "SubjectRequestCloseSerializer",
    "SubjectRequestCreateSerializer",
    "SubjectRequestExtendSerializer",
    "SubjectRequestSerializer",
    "SubjectRequestUpdateSerializer",
)

NO_ECHO = {"invalid_choice": "Not one of the accepted values."}


def choice(choices, **kwargs) -> serializers.ChoiceField:
    """
    A choice field whose error never repeats the input, documented as a string with a pattern of its values: the
    enum names ``kind``, ``status`` and ``action`` are taken by other parts of the API, and drf-spectacular would
    turn any inline enum into a colliding component.
    """
    values = [str(c[0] if isinstance(c, list | tuple) else c) for c in choices]
    pattern = "^(" + "|".join(re.escape(v) for v in values if v) + ")$"
    schema = {"type": "string", "pattern": pattern, "description": "One of: " + ", ".join(v for v in values if v)}
    # A class per field: DRF rebuilds field instances from their class, so the schema note must sit on the class.
    field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, error_messages=NO_ECHO, **kwargs)


class IdentifierInputSerializer(serializers.Serializer):
    kind = choice([k.value for k in IdentifierKind])
    value = serializers.CharField(max_length=320, write_only=True, trim_whitespace=False)


class SubjectRequestCreateSerializer(serializers.Serializer):
    kind = choice(SubjectRequestKind.choices)
    identifiers = serializers.ListField(child=IdentifierInputSerializer(), min_length=1, max_length=20)
    received_on = serializers.DateField(required=False, help_text="Day of receipt; default today.")
    channel = choice(RequestChannel.choices, default=RequestChannel.EMAIL)
    electronic = serializers.BooleanField(default=True)


class IdentifierHintSerializer(serializers.Serializer):
    kind = serializers.CharField()
    hint = serializers.CharField()


class SubjectRequestSerializer(serializers.ModelSerializer):
    """A request as officers see it: deadlines, status, the subject as masked hints, action counts."""

    reference = serializers.SerializerMethodField()
    kind = choice(SubjectRequestKind.choices, read_only=True)
    channel = choice(RequestChannel.choices, read_only=True)
    status = choice(RequestStatus.choices, read_only=True)
    outcome = choice(RequestOutcome.choices, read_only=True)
    identifiers = IdentifierHintSerializer(many=True, read_only=True)
    deadline = serializers.SerializerMethodField()
    actions_total = serializers.IntegerField(read_only=True, default=None)
    actions_open = serializers.IntegerField(read_only=True, default=None)
    versions_affected = serializers.IntegerField(read_only=True, default=None)
    deployments_affected = serializers.IntegerField(read_only=True, default=None)
    ready_to_close = serializers.SerializerMethodField()

    class Meta:
        model = SubjectRequest
        fields = (
            "id",
            "reference",
            "kind",
            "channel",
            "electronic",
            "received_on",
            "due_on",
            "extension_months",
            "extension_reason",
            "extension_recorded_on",
            "extension_notified_on",
            "extended_due_on",
            "identity_requested_on",
            "identity_confirmed_on",
            "deadline",
            "status",
            "outcome",
            "outcome_note",
            "closed_at",
            "identifiers",
            "actions_total",
            "actions_open",
            "versions_affected",
            "deployments_affected",
            "ready_to_close",
            "impact_computed_at",
            "impact_is_partial",
            "created_at",
        )
        read_only_fields = fields

    def get_reference(self, obj: SubjectRequest) -> str:
        return f"DSR-{obj.pk}"

    def get_deadline(self, obj: SubjectRequest) -> dict:
        facts = request_deadline_facts(obj)
        return {
            "effective_due_on": facts["effective_due_on"],
            "is_overdue": facts["is_overdue"],
            "days_left": facts["days_left"],
            "due_on_with_identity_pause": facts["due_on_with_identity_pause"],
        }

    def get_ready_to_close(self, obj: SubjectRequest) -> bool:
        if getattr(obj, "actions_open", None) is not None:
            return obj.status == "open" and obj.actions_open == 0
        return obj.status == "open" and request_is_ready_to_close(obj)


class SubjectRequestActionSerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    version_label = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    target = choice(ActionTarget.choices, read_only=True)
    reason = choice(ImpactReason.choices, read_only=True)
    recommended = choice(ActionKind.choices, read_only=True)
    action = choice(ActionKind.choices, read_only=True)
    status = choice(ActionStatus.choices, read_only=True)
    exemption_ground = choice([("", "—"), *ExemptionGround.choices], read_only=True)

    class Meta:
        model = SubjectRequestAction
        fields = (
            "id",
            "target",
            "version",
            "deployment",
            "asset",
            "version_label",
            "reason",
            "path",
            "runs",
            "depth",
            "was_current",
            "recommended",
            "action",
            "status",
            "assignee",
            "exemption_ground",
            "justification",
            "evidence_note",
            "completed_at",
            "verified_at",
        )
        read_only_fields = fields

    def get_asset(self, obj: SubjectRequestAction) -> str:
        version = obj.version if obj.version_id else obj.deployment.model_version
        return version.asset.qualified_name

    def get_version_label(self, obj: SubjectRequestAction) -> str:
        version = obj.version if obj.version_id else obj.deployment.model_version
        return version.version


class ActionUpdateSerializer(serializers.Serializer):
    """Only the fields sent are changed."""

    action = choice(ActionKind.choices, required=False)
    status = choice(ActionStatus.choices, required=False)
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    evidence_note = serializers.CharField(required=False, allow_blank=True)
    exemption_ground = choice(ExemptionGround.choices, required=False, allow_blank=True)
    justification = serializers.CharField(required=False, allow_blank=True)


class SubjectRequestExtendSerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=2)
    reason = serializers.CharField()
    notified_on = serializers.DateField(help_text="Day the subject was told of the extension and its reasons.")


class SubjectRequestCloseSerializer(serializers.Serializer):
    outcome = choice([c for c in RequestOutcome.choices if c[0]])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubjectRequestUpdateSerializer(serializers.Serializer):
    channel = choice(RequestChannel.choices, required=False)
    electronic = serializers.BooleanField(required=False)
    identity_requested_on = serializers.DateField(required=False, allow_null=True)
    identity_confirmed_on = serializers.DateField(required=False, allow_null=True)


class RecipientNotificationInputSerializer(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all())
    notified_on = serializers.DateField(required=False, allow_null=True)
    method = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    not_notified_reason = serializers.CharField(required=False, allow_blank=True, default="")
