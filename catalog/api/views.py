"""Catalog REST endpoints: thin adapters from HTTP to ``catalog.selectors`` and ``catalog.services``."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.api.serializers import (
    AssetCreateSerializer,
    AssetOutputSerializer,
    AssetUpdateSerializer,
    DeploymentInputSerializer,
    DeploymentOutputSerializer,
    LicenceSerializer,
    PurposeSerializer,
    SourceSerializer,
)
from catalog.choices import AssetKind
from catalog.filters import AssetFilterSet
from core.api.views import ReadWriteViewSet, api_actor

__all__ = (
    "DatasetViewSet",
    "DeploymentViewSet",
    "LicenceViewSet",
    "ModelViewSet",
    "PurposeViewSet",
    "SourceViewSet",
)


class _AssetViewSet(ReadWriteViewSet):
    """Datasets or models: scientists register and edit their own, officers everything, auditors read."""

    kind: str = ""
    serializer_class = AssetOutputSerializer
    filterset_class = AssetFilterSet
    search_fields = ("namespace", "name", "description")
    ordering_fields = ("namespace", "name", "created_at", "updated_at", "status")

    def get_queryset(self):
        return selectors.asset_list(user=self.request.user, kind=self.kind).order_by("namespace", "name")

    @extend_schema(request=AssetCreateSerializer, responses={201: AssetOutputSerializer})
    def create(self, request, *args, **kwargs):
        payload = AssetCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        asset = services.asset_register(actor=api_actor(request), kind=self.kind, **payload.validated_data)
        return Response(AssetOutputSerializer(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssetUpdateSerializer, responses=AssetOutputSerializer)
    def update(self, request, *args, **kwargs):
        asset = self.get_object()
        payload = AssetUpdateSerializer(data=request.data, partial=kwargs.pop("partial", False))
        payload.is_valid(raise_exception=True)
        asset = services.asset_update(asset=asset, data=payload.validated_data, actor=api_actor(request))
        return Response(AssetOutputSerializer(selectors.asset_list().get(pk=asset.pk)).data)

    @extend_schema(request=AssetUpdateSerializer, responses=AssetOutputSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.asset_delete(asset=self.get_object(), actor=api_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetViewSet(_AssetViewSet):
    kind = AssetKind.DATASET


class ModelViewSet(_AssetViewSet):
    kind = AssetKind.MODEL


class _ServiceWriteViewSet(ReadWriteViewSet):
    """Create and update through a service pair; the serializer only validates and renders."""

    def create_object(self, *, actor, data):
        raise NotImplementedError

    def update_object(self, instance, *, actor, data):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        instance = self.create_object(actor=api_actor(request), data=payload.validated_data)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        payload = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        payload.is_valid(raise_exception=True)
        instance = self.update_object(instance, actor=api_actor(request), data=payload.validated_data)
        return Response(self.get_serializer(instance).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class SourceViewSet(_ServiceWriteViewSet):
    """Where data comes from. Sources have no owner: anyone who writes may record or correct one (audited)."""

    serializer_class = SourceSerializer
    owner_write_only = False
    search_fields = ("name", "supplier")
    filterset_fields = ("kind",)

    def get_queryset(self):
        return selectors.source_list(user=self.request.user).order_by("name")

    def create_object(self, *, actor, data):
        return services.source_create(actor=actor, **data)

    def update_object(self, instance, *, actor, data):
        return services.source_update(source=instance, data=data, actor=actor)


class LicenceViewSet(_ServiceWriteViewSet):
    """Licences with machine-readable terms; officers register ``LicenseRef-…`` entries and edit terms."""

    serializer_class = LicenceSerializer
    officer_only_write = True
    lookup_field = "spdx_id"
    lookup_value_regex = "[^/]+"
    search_fields = ("spdx_id", "name")
    filterset_fields = ("use_class", "share_alike", "derivatives_allowed")

    def get_queryset(self):
        return selectors.licence_list(user=self.request.user).order_by("spdx_id")

    def create_object(self, *, actor, data):
        return services.licence_create(actor=actor, **data)

    def update_object(self, instance, *, actor, data):
        return services.licence_update(licence=instance, data=data, actor=actor)


class PurposeViewSet(_ServiceWriteViewSet):
    """Processing purposes; officers define and edit them."""

    serializer_class = PurposeSerializer
    officer_only_write = True

    def get_queryset(self):
        return selectors.purpose_list(user=self.request.user).order_by("name")

    def create_object(self, *, actor, data):
        return services.purpose_create(actor=actor, **data)

    def update_object(self, instance, *, actor, data):
        return services.purpose_update(purpose=instance, data=data, actor=actor)


class DeploymentViewSet(ReadWriteViewSet):
    """Where model versions serve. The model's owner or an officer records and retires deployments."""

    serializer_class = DeploymentOutputSerializer
    filterset_fields = ("environment", "model_version")

    def get_queryset(self):
        return selectors.deployment_list(user=self.request.user).order_by("-deployed_at", "id")

    def get_owned_object(self, obj):
        return obj.model_version.asset if hasattr(obj, "model_version") else obj

    @extend_schema(request=DeploymentInputSerializer, responses={201: DeploymentOutputSerializer})
    def create(self, request, *args, **kwargs):
        payload = DeploymentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        self.check_object_permissions(request, _Owned(payload.validated_data["model_version"].asset))
        deployment = services.deployment_create(actor=api_actor(request), **payload.validated_data)
        return Response(DeploymentOutputSerializer(deployment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DeploymentOutputSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        deployment = services.deployment_retire(deployment=self.get_object(), actor=api_actor(request))
        return Response(DeploymentOutputSerializer(deployment).data)


class _Owned:
    """Wraps an asset so object permissions can check its ownership before a child object exists."""

    def __init__(self, asset):
        self.owner_id = asset.owner_id
