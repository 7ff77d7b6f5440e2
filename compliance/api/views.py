"""Scans over REST: request (a version, or an uploaded file for a dataset) → 202; progress and findings."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from compliance import selectors, services
from compliance.api.serializers import (
    FindingReviewSerializer,
    ScanCreateSerializer,
    ScanSerializer,
    ScanUploadSerializer,
)
from core import roles
from core.api.views import ReadWriteViewSet, api_actor

__all__ = ("ScanViewSet",)


def _require_owner(request, asset) -> None:
    if not (roles.is_officer(request.user) or roles.owns(request.user, asset)):
        raise PermissionDenied("Only the asset's owner or a compliance officer may scan it.")


class ScanViewSet(ReadWriteViewSet):
    """PII scans: per-column verdicts (masked examples only), quality profile, subject keys indexed."""

    serializer_class = ScanSerializer
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    filterset_fields = ("status", "version")
    owner_write_only = False

    def get_queryset(self):
        return selectors.scan_list(user=self.request.user)

    @extend_schema(
        request={"application/json": ScanCreateSerializer, "multipart/form-data": ScanUploadSerializer},
        responses={202: ScanSerializer},
    )
    def create(self, request, *args, **kwargs):
        actor = api_actor(request)
        if "file" in request.FILES:
            payload = ScanUploadSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            _require_owner(request, data["dataset"])
            scan = services.scan_upload(
                asset=data["dataset"],
                upload=data["file"],
                filename=data["file"].name,
                label=data.get("version"),
                full=data["full"],
                actor=actor,
            )
        else:
            payload = ScanCreateSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            _require_owner(request, data["version"].asset)
            scan = services.scan_request(
                version=data["version"],
                location=data.get("location") or None,
                query=data.get("query", ""),
                full=data["full"],
                actor=actor,
            )
        return Response(ScanSerializer(selectors.scan_list().get(pk=scan.pk)).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=FindingReviewSerializer, responses=ScanSerializer)
    @action(detail=True, methods=["post"], url_path=r"findings/(?P<finding_id>\d+)/review")
    def review(self, request, pk=None, finding_id=None):
        """Confirm or dismiss a column finding (compliance officers)."""
        if not roles.is_officer(request.user):
            raise PermissionDenied("Only compliance officers review findings.")
        scan = self.get_object()
        finding = scan.findings.filter(pk=finding_id).first()
        if finding is None:
            return Response({"detail": "No such finding in this scan."}, status=status.HTTP_404_NOT_FOUND)
        payload = FindingReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.finding_review(
            finding=finding,
            decision=payload.decision_value(),
            note=payload.validated_data.get("note", ""),
            entities=payload.validated_data.get("entities"),
            actor=api_actor(request),
        )
        return Response(ScanSerializer(selectors.scan_list().get(pk=scan.pk)).data)
