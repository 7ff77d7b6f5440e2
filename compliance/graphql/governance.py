"""
Governance over GraphQL, read-only, for auditors (every role reads): flags with origin and path, consent
withdrawals, the record of processing activities (Art. 30) and its gaps, assets past retention. Explicit fields.
"""

from datetime import date

import graphene
from graphene_django import DjangoObjectType

from catalog.graphql.types import AssetType, PurposeType, VersionType
from compliance import propagation, retention, ropa
from compliance.models import (
    ActivityPurpose,
    ConsentWithdrawal,
    GovernanceFlag,
    Party,
    ProcessingActivity,
    Recipient,
    RetentionPolicy,
    Transfer,
)

__all__ = ("GovernanceQuery",)

MAX_PAGE = 500


def _page(items, limit, offset):
    start = max(offset or 0, 0)
    return items[start : start + max(0, min(limit or 100, MAX_PAGE))]


class ConsentWithdrawalType(DjangoObjectType):
    """Consent withdrawn for a dataset or for a purpose, and whether it still holds."""

    recorded_by = graphene.String(description="Username of the officer who recorded it.")
    is_active = graphene.Boolean(required=True)
    flagged_versions = graphene.Int(description="Versions carrying its flag (in withdrawal lists; null elsewhere).")

    class Meta:
        model = ConsentWithdrawal
        fields = (
            "id",
            "dataset",
            "purpose",
            "withdrawn_on",
            "scope",
            "reason",
            "reference",
            "created_at",
            "lifted_at",
            "lift_reason",
        )
        convert_choices_to_enum = False

    @staticmethod
    def resolve_recorded_by(root, info):
        return root.recorded_by.get_username() if root.recorded_by_id else None

    @staticmethod
    def resolve_is_active(root, info):
        return root.is_active

    @staticmethod
    def resolve_flagged_versions(root, info):
        return getattr(root, "flagged_versions", None)


class GovernanceFlagType(DjangoObjectType):
    """A flag on a version (personal data, consent withdrawn, retention expired), where it came from and how."""

    version = graphene.Field(VersionType, required=True, description="The flagged version.")
    origin_version = graphene.Field(VersionType, required=True, description="The cause's nearest origin upstream.")
    origin_asset = graphene.Field(AssetType, required=True)
    withdrawal = graphene.Field(ConsentWithdrawalType)
    finding_id = graphene.ID(description="The confirmed PII finding behind a personal-data flag.")
    path = graphene.List(graphene.NonNull(graphene.Int), required=True, description="Version ids, origin first.")
    path_labels = graphene.List(
        graphene.NonNull(graphene.String), required=True, description='The path as "namespace/name@version".'
    )
    runs = graphene.List(graphene.NonNull(graphene.Int), required=True, description="Runs between path versions.")
    detail = graphene.JSONString(description="Columns and entities, withdrawal date and scope, or retention date.")

    class Meta:
        model = GovernanceFlag
        fields = ("id", "kind", "depth", "via_anonymisation", "since", "updated_at")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_origin_asset(root, info):
        return root.origin_version.asset

    @staticmethod
    def resolve_finding_id(root, info):
        return root.finding_id

    @staticmethod
    def resolve_path_labels(root, info):
        labels = getattr(root, "path_labels", None)
        if labels is None:
            labels = propagation.versions_by_path([root])
        return [labels.get(v, str(v)) for v in root.path]


def _labelled(flags):
    flags = list(flags)
    labels = propagation.versions_by_path(flags)
    for flag in flags:
        flag.path_labels = labels
    return flags


class FlaggedVersionType(graphene.ObjectType):
    """A version with the flags asked for."""

    version = graphene.Field(VersionType, required=True)
    flags = graphene.List(graphene.NonNull(GovernanceFlagType), required=True)


class PartyType(DjangoObjectType):
    """Controller, joint controller, representative, DPO, processor, supplier or recipient (business contacts)."""

    roles = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Party
        fields = ("id", "name", "contact", "country", "third_country", "contract_reference")


class RecipientType(DjangoObjectType):
    """A recipient of personal data and the datasets disclosed to it (Art. 30(1)(d), Art. 19)."""

    datasets = graphene.List(graphene.NonNull(AssetType), required=True)
    third_country = graphene.Boolean(required=True)

    class Meta:
        model = Recipient
        fields = ("id", "party", "category", "description", "identifiability", "since")
        convert_choices_to_enum = False

    @staticmethod
    def resolve_datasets(root, info):
        return root.datasets.all()

    @staticmethod
    def resolve_third_country(root, info):
        return root.third_country


class RetentionPolicyType(DjangoObjectType):
    """A retention period per data category and what happens at its end (Art. 30(1)(f))."""

    time_limit = graphene.String(required=True)

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
        )
        convert_choices_to_enum = False


class ActivityPurposeType(DjangoObjectType):
    """A purpose of an activity and the Art. 6(1) basis relied on for it."""

    purpose = graphene.Field(PurposeType, required=True)

    class Meta:
        model = ActivityPurpose
        fields = ("lawful_basis", "legitimate_interests_assessment")
        convert_choices_to_enum = False


class TransferType(DjangoObjectType):
    """A transfer to a third country or international organisation and its safeguard (Art. 30(1)(e))."""

    class Meta:
        model = Transfer
        fields = ("id", "recipient", "country", "safeguard", "documentation")
        convert_choices_to_enum = False


class ProcessingActivityType(DjangoObjectType):
    """An entry of the record of processing activities (GDPR Art. 30(1)(a)–(g))."""

    joint_controllers = graphene.List(graphene.NonNull(PartyType), required=True)
    purposes = graphene.List(graphene.NonNull(ActivityPurposeType), required=True, description="(b) with basis")
    data_subject_categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    personal_data_categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    confirmed_pii_entities = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="PII entity types confirmed in (or flowing into) its datasets.",
    )
    recipients = graphene.List(graphene.NonNull(RecipientType), required=True)
    transfers = graphene.List(graphene.NonNull(TransferType), required=True)
    retention_policies = graphene.List(graphene.NonNull(RetentionPolicyType), required=True)
    datasets = graphene.List(graphene.NonNull(AssetType), required=True)
    reviewed_by = graphene.String()

    class Meta:
        model = ProcessingActivity
        fields = (
            "id",
            "name",
            "description",
            "controller",
            "representative",
            "dpo",
            "special_category_condition",
            "erasure_time_limits",
            "security_measures",
            "dpia_required",
            "dpia_reference",
            "is_active",
            "last_reviewed_at",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_joint_controllers(root, info):
        return root.joint_controllers.all()

    @staticmethod
    def resolve_purposes(root, info):
        return root.bases.all()

    @staticmethod
    def resolve_confirmed_pii_entities(root, info):
        found = getattr(root, "confirmed_entities", None)
        if found is None:
            found = ropa.activity_personal_data_categories([root]).get(root.pk, [])
        return found

    @staticmethod
    def resolve_recipients(root, info):
        return root.recipients.all()

    @staticmethod
    def resolve_transfers(root, info):
        return root.transfers.all()

    @staticmethod
    def resolve_retention_policies(root, info):
        return root.retention_policies.all()

    @staticmethod
    def resolve_datasets(root, info):
        return root.datasets.all()

    @staticmethod
    def resolve_reviewed_by(root, info):
        return root.reviewed_by.get_username() if root.reviewed_by_id else None


class ExpiredAssetType(graphene.ObjectType):
    """An asset past its retention date (Art. 5(1)(e))."""

    asset = graphene.Field(AssetType, required=True)
    retention_until = graphene.Date(required=True)
    days_overdue = graphene.Int(required=True)
    versions = graphene.Int(required=True)
    flagged_versions = graphene.Int(required=True, description="Versions carrying its retention flag.")


class GovernanceQuery(graphene.ObjectType):
    governance_flags = graphene.List(
        graphene.NonNull(GovernanceFlagType),
        required=True,
        kind=graphene.String(description="personal_data, consent_withdrawn or retention_expired"),
        asset_kind=graphene.String(description="dataset or model: the kind of the flagged asset"),
        version_id=graphene.ID(),
        asset_id=graphene.ID(description="Asset of the flagged versions."),
        origin_asset_id=graphene.ID(),
        withdrawal_id=graphene.ID(),
        via_anonymisation=graphene.Boolean(),
        limit=graphene.Int(default_value=100, description=f"At most {MAX_PAGE}."),
        offset=graphene.Int(default_value=0),
        description="Governance flags with origin and path, newest version first.",
    )
    flagged_versions = graphene.List(
        graphene.NonNull(FlaggedVersionType),
        required=True,
        flag=graphene.String(description="personal_data, consent_withdrawn or retention_expired"),
        kind=graphene.String(description="dataset or model"),
        withdrawal_id=graphene.ID(),
        limit=graphene.Int(default_value=100),
        offset=graphene.Int(default_value=0),
        description='Versions carrying a flag, e.g. (flag: "consent_withdrawn", kind: "model").',
    )
    consent_withdrawals = graphene.List(
        graphene.NonNull(ConsentWithdrawalType),
        required=True,
        active=graphene.Boolean(),
        limit=graphene.Int(default_value=100),
        offset=graphene.Int(default_value=0),
    )
    processing_activities = graphene.List(
        graphene.NonNull(ProcessingActivityType),
        required=True,
        active=graphene.Boolean(),
        description="The record of processing activities (Art. 30).",
    )
    unmapped_datasets = graphene.List(
        graphene.NonNull(AssetType),
        required=True,
        description="Datasets holding personal data that no active processing activity lists.",
    )
    parties = graphene.List(graphene.NonNull(PartyType), required=True)
    recipients = graphene.List(graphene.NonNull(RecipientType), required=True)
    retention_policies = graphene.List(graphene.NonNull(RetentionPolicyType), required=True)
    assets_past_retention = graphene.List(
        graphene.NonNull(ExpiredAssetType), required=True, date=graphene.Date(description="Default: today.")
    )

    @staticmethod
    def resolve_governance_flags(root, info, limit=100, offset=0, **arguments):
        names = {
            "kind": "kind",
            "asset_kind": "asset_kind",
            "version_id": "version",
            "asset_id": "asset",
            "origin_asset_id": "origin_asset",
            "withdrawal_id": "withdrawal",
            "via_anonymisation": "via_anonymisation",
        }
        filters = {names[k]: v for k, v in arguments.items() if v is not None}
        qs = propagation.flag_list(user=info.context.user, filters=filters)
        return _labelled(_page(qs, limit, offset))

    @staticmethod
    def resolve_flagged_versions(root, info, flag=None, kind=None, withdrawal_id=None, limit=100, offset=0):
        qs = propagation.flagged_versions(
            user=info.context.user, flag=flag, asset_kind=kind, withdrawal=int(withdrawal_id) if withdrawal_id else None
        )
        versions = list(_page(qs, limit, offset))
        _labelled(flag for version in versions for flag in version.selected_flags)
        return [{"version": v, "flags": v.selected_flags} for v in versions]

    @staticmethod
    def resolve_consent_withdrawals(root, info, active=None, limit=100, offset=0):
        return _page(propagation.consent_withdrawal_list(user=info.context.user, active=active), limit, offset)

    @staticmethod
    def resolve_processing_activities(root, info, active=None):
        qs = ropa.processing_activity_list(user=info.context.user)
        if active is not None:
            qs = qs.filter(is_active=active)
        activities = list(qs)
        found = ropa.activity_personal_data_categories(activities)
        for activity in activities:
            activity.confirmed_entities = found.get(activity.pk, [])
        return activities

    @staticmethod
    def resolve_unmapped_datasets(root, info):
        return ropa.datasets_without_processing_activity(user=info.context.user)

    @staticmethod
    def resolve_parties(root, info):
        return ropa.party_list(user=info.context.user)

    @staticmethod
    def resolve_recipients(root, info):
        return ropa.recipient_list(user=info.context.user)

    @staticmethod
    def resolve_retention_policies(root, info):
        return ropa.retention_policy_list(user=info.context.user)

    @staticmethod
    def resolve_assets_past_retention(root, info, date: date | None = None):
        return [
            {
                "asset": e.asset,
                "retention_until": e.retention_until,
                "days_overdue": e.days_overdue,
                "versions": e.versions,
                "flagged_versions": e.flagged_versions,
            }
            for e in retention.retention_overview(user=info.context.user, today=date)
        ]
