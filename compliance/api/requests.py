"""
Subject requests over REST, for compliance officers only (everyone else: 401 anonymous, 403 otherwise).

``POST /api/subject-requests/`` receives a request (identifiers in, masked hints out); then ``impact/``,
``actions/`` and ``actions/<id>/``, ``extension/``, ``close/``, ``refresh/``, ``recipients/`` and
``notifications/``, ``access-report/`` and ``export/`` (the evidence ZIP). Views validate and call the services.
"""

from django.http import HttpResponse
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from compliance import selectors_requests as selectors
from compliance import services_requests as services
from compliance.api.request_serializers import (
    ActionUpdateSerializer,
    RecipientNotificationInputSerializer,
    SubjectRequestActionSerializer,
    SubjectRequestCloseSerializer,
    SubjectRequestCreateSerializer,
    SubjectRequestExtendSerializer,
    SubjectRequestSerializer,
    SubjectRequestUpdateSerializer,
)
from compliance.evidence import subject_request_export
from compliance.models import SubjectRequestAction
from core.api.permissions import OfficerOnly
from core.api.views import ReadWriteViewSet, api_actor

__all__ = ("SubjectRequestViewSet",)

BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


class SubjectRequestViewSet(ReadWriteViewSet):
    """GDPR subject requests (erasure, access, restriction, objection): compliance officers only."""

    serializer_class = SubjectRequestSerializer
    permission_classes = (OfficerOnly,)
    filter_backends = ()

    def get_queryset(self):
        params = self.request.query_params
        return selectors.subject_request_list(
            user=self.request.user,
            status=params.get("status") or None,
            kind=params.get("kind") or None,
            overdue=BOOLEAN.get((params.get("overdue") or "").lower()),
        )

    def _reload(self, pk):
        return selectors.subject_request_list(user=self.request.user).get(pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("kind", str, enum=["erasure", "access", "restriction", "objection"]),
            OpenApiParameter("overdue", bool),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SubjectRequestCreateSerializer, responses={201: SubjectRequestSerializer})
    @sensitive_variables("payload", "data")
    def create(self, request, *args, **kwargs):
        """Receive a request: the identifiers are digested and masked at once; the answer shows hints only."""
        payload = SubjectRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        created = services.subject_request_create(
            kind=data["kind"],
            identifiers=[services.IdentifierInput(kind=i["kind"], value=i["value"]) for i in data["identifiers"]],
            received_on=data.get("received_on"),
            channel=data["channel"],
            electronic=data["electronic"],
            actor=api_actor(request),
        )
        return Response(SubjectRequestSerializer(self._reload(created.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubjectRequestUpdateSerializer, responses=SubjectRequestSerializer)
    def partial_update(self, request, pk=None):
        """Change the channel or record the identity check (asked on / confirmed on)."""
        payload = SubjectRequestUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.subject_request_update(
            request=self.get_object(), data=payload.validated_data, actor=api_actor(request)
        )
        return Response(SubjectRequestSerializer(self._reload(pk)).data)

    @extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT, description="items and deployments with paths"))
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        """Every affected version and deployment with the lineage path that reached it, its action and status."""
        return Response(selectors.subject_request_impact(request=self.get_object()))

    @extend_schema(request=None, responses=OpenApiResponse(OpenApiTypes.OBJECT))
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Recompute the impact (new lineage since receipt) and open actions for newly affected items."""
        added = services.subject_request_refresh_impact(request=self.get_object(), actor=api_actor(request))
        return Response({"added": [a.pk for a in added], **selectors.subject_request_impact(request=self._reload(pk))})

    @extend_schema(responses=SubjectRequestActionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def actions(self, request, pk=None):
        """The action checklist."""
        subject_request = self.get_object()
        actions = subject_request.actions.select_related(
            "version__asset", "deployment__model_version__asset", "assignee"
        ).order_by("depth", "id")
        return Response(SubjectRequestActionSerializer(actions, many=True).data)

    @extend_schema(request=ActionUpdateSerializer, responses=SubjectRequestActionSerializer)
    @action(detail=True, methods=["patch"], url_path=r"actions/(?P<action_id>\d+)")
    def update_action(self, request, pk=None, action_id=None):
        """Work one action: choose it, assign it, move its status, record evidence or an Art. 17(3) exemption."""
        subject_request = self.get_object()
        item = SubjectRequestAction.objects.filter(request=subject_request, pk=action_id).first()
        if item is None:
            raise NotFound("No such action in this request.")
        payload = ActionUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        updated = services.subject_request_action_update(
            action=item, data=payload.validated_data, actor=api_actor(request)
        )
        reloaded = SubjectRequestAction.objects.select_related(
            "version__asset", "deployment__model_version__asset", "assignee"
        ).get(pk=updated.pk)
        return Response(SubjectRequestActionSerializer(reloaded).data)

    @extend_schema(request=SubjectRequestExtendSerializer, responses=SubjectRequestSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        """Extend the deadline once by one or two months, with the reason and the day the subject was told."""
        payload = SubjectRequestExtendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.subject_request_extend(request=self.get_object(), actor=api_actor(request), **payload.validated_data)
        return Response(SubjectRequestSerializer(self._reload(pk)).data)

    @extend_schema(request=SubjectRequestCloseSerializer, responses=SubjectRequestSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close with an outcome: fulfilled once every action is done, verified or exempted; refusals with reasons."""
        payload = SubjectRequestCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.subject_request_close(request=self.get_object(), actor=api_actor(request), **payload.validated_data)
        return Response(SubjectRequestSerializer(self._reload(pk)).data)

    @extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT))
    @action(detail=True, methods=["get"])
    def recipients(self, request, pk=None):
        """Art. 19: recipients of the affected datasets and the notices recorded."""
        return Response({"results": selectors.subject_request_recipients(request=self.get_object())})

    @extend_schema(request=RecipientNotificationInputSerializer, responses=OpenApiResponse(OpenApiTypes.OBJECT))
    @action(detail=True, methods=["post"])
    def notifications(self, request, pk=None):
        """Record the Art. 19 notice to one recipient (when and how, or why it proved impossible)."""
        payload = RecipientNotificationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.recipient_notification_record(
            request=self.get_object(), actor=api_actor(request), **payload.validated_data
        )
        return Response(
            {"results": selectors.subject_request_recipients(request=self._reload(pk))}, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT))
    @action(detail=True, methods=["get"], url_path="access-report")
    def access_report(self, request, pk=None):
        """Art. 15: datasets holding the subject's data, purposes, categories, recipients, retention, source, models."""
        return Response(selectors.subject_request_access_report(request=self.get_object()))

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The evidence bundle (ZIP: case.json, audit.jsonl, manifest.json); the export is audited."""
        bundle = subject_request_export(request=self.get_object(), actor=api_actor(request))
        response = HttpResponse(bundle.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
        response["X-Content-SHA256"] = bundle.sha256
        return response
