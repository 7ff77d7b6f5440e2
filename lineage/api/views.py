"""Versions and runs over REST: registration creates the same Job/Run/Edges as an OpenLineage event."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.api.serializers import VersionOutputSerializer
from catalog.exceptions import ImmutableVersion
from catalog.filters import VersionFilterSet
from catalog.services import version_update
from core import roles
from core.api.views import ReadWriteViewSet, api_actor
from lineage import selectors, services
from lineage.api.serializers import (
    LineageQuerySerializer,
    LineageResponseSerializer,
    RunCreateSerializer,
    RunOutputSerializer,
    VersionCreateSerializer,
    VersionUpdateSerializer,
)

__all__ = ("RunViewSet", "VersionViewSet")


def _require_owner(request, asset) -> None:
    if not (roles.is_officer(request.user) or roles.owns(request.user, asset)):
        raise PermissionDenied("Only the asset's owner or a compliance officer may do this.")


class VersionViewSet(ReadWriteViewSet):
    """Immutable versions of datasets and models, their lineage, and registration with inputs."""

    serializer_class = VersionOutputSerializer
    filterset_class = VersionFilterSet
    ordering_fields = ("produced_at", "created_at", "version")
    search_fields = ("version", "asset__name", "asset__namespace")

    def get_queryset(self):
        return catalog_selectors.version_list(user=self.request.user).order_by("-produced_at", "-id")

    def get_owned_object(self, obj):
        return obj.asset

    @extend_schema(request=VersionCreateSerializer, responses={201: VersionOutputSerializer})
    def create(self, request, *args, **kwargs):
        payload = VersionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        asset = data.pop("asset")
        _require_owner(request, asset)
        inputs = [(item["version"], item.get("role")) for item in data.pop("inputs", [])]
        version, _run = services.version_register_derived(actor=api_actor(request), asset=asset, inputs=inputs, **data)
        version = catalog_selectors.version_list().get(pk=version.pk)
        return Response(VersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VersionUpdateSerializer, responses=VersionOutputSerializer)
    def partial_update(self, request, *args, **kwargs):
        version = self.get_object()
        payload = VersionUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        refused = sorted(set(request.data) - set(payload.fields))
        if refused:
            raise ImmutableVersion(
                f"A registered version is immutable; register a new version instead (refused: {', '.join(refused)}).",
                extra={key: ["This field cannot change after registration."] for key in refused},
            )
        version_update(version=version, data=payload.validated_data, actor=api_actor(request))
        return Response(VersionOutputSerializer(catalog_selectors.version_list().get(pk=version.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("direction", str, enum=["upstream", "downstream"]),
            OpenApiParameter("depth", int),
        ],
        responses=LineageResponseSerializer,
    )
    @action(detail=True, methods=["get"])
    def lineage(self, request, pk=None):
        """Upstream or downstream lineage of this version at any depth, with completeness flags."""
        version = self.get_object()
        query = LineageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        graph = selectors.lineage_graph(
            version=version, direction=query.validated_data["direction"], depth=query.validated_data.get("depth")
        )
        return Response(graph.as_dict())


class RunViewSet(ReadWriteViewSet):
    """Runs of jobs with their inputs (and roles) and outputs."""

    serializer_class = RunOutputSerializer
    owner_write_only = False
    filterset_fields = ("state", "origin", "job__namespace", "job__name", "job__job_type")
    ordering_fields = ("created_at", "started_at", "ended_at")

    def get_queryset(self):
        return selectors.run_list(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=RunCreateSerializer, responses={201: RunOutputSerializer})
    def create(self, request, *args, **kwargs):
        payload = RunCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        outputs = data.pop("outputs", [])
        for output in outputs:
            _require_owner(request, output.asset)
        actor = api_actor(request)
        job = services.job_get_or_create(
            actor=actor, namespace=data.pop("job_namespace"), name=data.pop("job_name"), job_type=data.pop("job_type")
        )
        inputs = [
            (
                item["version"],
                item.get("role") or services.default_input_role(version=item["version"], job_type=job.job_type),
            )
            for item in data.pop("inputs", [])
        ]
        run = services.run_record(actor=actor, job=job, inputs=inputs, outputs=outputs, **data)
        return Response(RunOutputSerializer(selectors.run_list().get(pk=run.pk)).data, status=status.HTTP_201_CREATED)
