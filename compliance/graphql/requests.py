"""
Subject requests over GraphQL, for auditors (and officers): kinds, dates, deadlines, statuses, outcomes, counts and
masked hints — never an identifier, never a digest. Scientists and users without a role are refused.
"""

import graphene
from graphql import GraphQLError

from compliance.selectors_requests import (
    can_read_subject_request_summaries,
    request_deadline_facts,
    subject_request_summaries,
)

__all__ = ("SubjectRequestQuery", "SubjectRequestSummaryType")

MAX_PAGE = 500
DENIED = "Only compliance officers and auditors may read subject requests."


class IdentifierHintType(graphene.ObjectType):
    """One identifier of the subject as a masked hint (e.g. ``j***@example.com``)."""

    kind = graphene.String(required=True, description="email, phone, national_id, customer_id, iban, credit_card")
    hint = graphene.String(required=True, description="Masked hint; the identifier itself is never stored.")


class SubjectRequestSummaryType(graphene.ObjectType):
    """A GDPR subject request as an auditor sees it: what, when, how it went — not who."""

    id = graphene.ID(required=True)
    reference = graphene.String(required=True, description="DSR-<id>")
    kind = graphene.String(
        required=True, description="erasure (Art. 17), access (15), restriction (18), objection (21)"
    )
    channel = graphene.String(required=True)
    received_on = graphene.Date(required=True)
    due_on = graphene.Date(required=True, description="One calendar month after receipt (Art. 12(3)).")
    extension_months = graphene.Int(required=True)
    extension_reason = graphene.String(required=True)
    extension_notified_on = graphene.Date()
    extended_due_on = graphene.Date()
    effective_due_on = graphene.Date(required=True)
    is_overdue = graphene.Boolean(required=True)
    status = graphene.String(required=True, description="open or closed")
    outcome = graphene.String(required=True, description="Empty while open.")
    closed_at = graphene.DateTime()
    closed_on_time = graphene.Boolean(description="Closed by the effective deadline (null while open).")
    identifier_hints = graphene.List(graphene.NonNull(IdentifierHintType), required=True)
    identifier_count = graphene.Int(required=True)
    actions_total = graphene.Int(required=True)
    actions_open = graphene.Int(required=True)
    versions_affected = graphene.Int(required=True, description="Versions holding or derived from the subject.")
    deployments_affected = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_reference(root, info):
        return f"DSR-{root.pk}"

    @staticmethod
    def resolve_id(root, info):
        return root.pk

    @staticmethod
    def resolve_effective_due_on(root, info):
        return root.effective_due_on

    @staticmethod
    def resolve_is_overdue(root, info):
        return request_deadline_facts(root)["is_overdue"]

    @staticmethod
    def resolve_closed_on_time(root, info):
        return request_deadline_facts(root)["closed_on_time"]

    @staticmethod
    def resolve_identifier_hints(root, info):
        return [{"kind": i.kind, "hint": i.hint} for i in root.identifiers.all()]

    @staticmethod
    def resolve_identifier_count(root, info):
        return len(root.identifiers.all())


class SubjectRequestQuery(graphene.ObjectType):
    subject_requests = graphene.List(
        graphene.NonNull(SubjectRequestSummaryType),
        required=True,
        status=graphene.String(description="open or closed"),
        kind=graphene.String(),
        overdue=graphene.Boolean(description="Only (or no) open requests past their deadline."),
        limit=graphene.Int(default_value=100, description=f"At most {MAX_PAGE}."),
        offset=graphene.Int(default_value=0),
        description="Subject requests, newest receipt first (auditors and officers).",
    )
    subject_request = graphene.Field(SubjectRequestSummaryType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_subject_requests(root, info, limit=100, offset=0, status=None, kind=None, overdue=None):
        user = info.context.user
        if not can_read_subject_request_summaries(user):
            raise GraphQLError(DENIED)
        qs = subject_request_summaries(user=user, status=status, kind=kind, overdue=overdue)
        start = max(offset or 0, 0)
        return qs[start : start + max(0, min(limit or 100, MAX_PAGE))]

    @staticmethod
    def resolve_subject_request(root, info, id):
        user = info.context.user
        if not can_read_subject_request_summaries(user):
            raise GraphQLError(DENIED)
        return subject_request_summaries(user=user).filter(pk=id).first()
