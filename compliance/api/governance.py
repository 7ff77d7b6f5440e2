"""
Governance over REST: flags (``/api/flags/``, ``/api/flagged-versions/``, ``/api/versions/<id>/flags/``), consent
withdrawals, the Art. 30 register (parties, recipients, retention policies, processing activities with CSV export
and unmapped datasets) and assets past retention. Every role reads; compliance officers write.
"""

from datetime import date

from django.http import Http404, HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.choices import AssetKind
from catalog.selectors import version_list
from compliance import propagation, retention, ropa
from compliance.api.governance_serializers import (
    AssetBriefSerializer,
    ConsentWithdrawalCreateSerializer,
    ConsentWithdrawalSerializer,
    ExpiredAssetSerializer,
    FlaggedVersionSerializer,
    FlagSerializer,
    LiftSerializer,
    PartySerializer,
    ProcessingActivityInputSerializer,
    ProcessingActivitySerializer,
    RecipientSerializer,
    RetentionPolicySerializer,
)
from compliance.governance_filters import FlagFilterSet
from compliance.models import FlagKind
from core.api.views import ReadWriteViewSet, api_actor

__all__ = (
    "ConsentWithdrawalViewSet",
    "ExpiredAssetsView",
    "FlagViewSet",
    "FlaggedVersionViewSet",
    "PartyViewSet",
    "ProcessingActivityViewSet",
    "RecipientViewSet",
    "RetentionPolicyViewSet",
    "VersionFlagsView",
)


class _FlagPage:
    """Lists flags with their paths labelled, in one extra query per page."""

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "path_labels": propagation.versions_by_path(page)}
        return self.get_paginated_response(FlagSerializer(page, many=True, context=context).data)


class FlagViewSet(_FlagPage, ReadWriteViewSet):
    """
    Governance flags: contains personal data, consent withdrawn, retention expired — each with its origin
    (version, asset, finding or withdrawal) and the lineage path that reached the flagged version. E.g. the models
    affected by a consent withdrawal: ``?kind=consent_withdrawn&asset_kind=model``.
    """

    serializer_class = FlagSerializer
    filterset_class = FlagFilterSet
    filter_backends = (DjangoFilterBackend,)

    def get_queryset(self):
        return propagation.flag_list(user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        flag = self.get_object()
        context = {**self.get_serializer_context(), "path_labels": propagation.versions_by_path([flag])}
        return Response(FlagSerializer(flag, context=context).data)


class VersionFlagsView(_FlagPage, generics.ListAPIView):
    """The flags of one version (``/api/versions/<id>/flags/``)."""

    serializer_class = FlagSerializer
    filter_backends = ()

    def get_queryset(self):
        if not version_list(user=self.request.user).filter(pk=self.kwargs["pk"]).exists():
            raise Http404
        return propagation.flag_list(user=self.request.user, filters={"version": self.kwargs["pk"]})


class FlaggedVersionQuerySerializer(serializers.Serializer):
    flag = serializers.ChoiceField(choices=FlagKind.choices, required=False)
    kind = serializers.ChoiceField(choices=AssetKind.choices, required=False, help_text="dataset or model")
    withdrawal = serializers.IntegerField(required=False)


@extend_schema(parameters=[FlaggedVersionQuerySerializer])
class FlaggedVersionViewSet(ReadWriteViewSet):
    """
    Versions carrying a flag, each with those flags: ``?flag=consent_withdrawn&kind=model`` lists the model
    versions affected by a consent withdrawal (``&withdrawal=<id>`` for one withdrawal).
    """

    serializer_class = FlaggedVersionSerializer
    filter_backends = ()

    def get_queryset(self):
        query = FlaggedVersionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return propagation.flagged_versions(
            user=self.request.user,
            flag=data.get("flag"),
            asset_kind=data.get("kind"),
            withdrawal=data.get("withdrawal"),
        )


class ConsentWithdrawalViewSet(ReadWriteViewSet):
    """Consent withdrawn for a dataset or a purpose; recording one flags everything downstream. Officers write."""

    serializer_class = ConsentWithdrawalSerializer
    officer_only_write = True
    owner_write_only = False
    filterset_fields = ("scope", "dataset", "purpose")

    def get_queryset(self):
        return propagation.consent_withdrawal_list(user=self.request.user)

    def _reload(self, pk):
        return propagation.consent_withdrawal_list().get(pk=pk)

    @extend_schema(request=ConsentWithdrawalCreateSerializer, responses={201: ConsentWithdrawalSerializer})
    def create(self, request, *args, **kwargs):
        payload = ConsentWithdrawalCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        withdrawal = propagation.consent_withdrawal_record(actor=api_actor(request), **payload.validated_data)
        return Response(ConsentWithdrawalSerializer(self._reload(withdrawal.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LiftSerializer, responses=ConsentWithdrawalSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """Lift the withdrawal (its flags go; the record stays). Officers, with a reason."""
        withdrawal = self.get_object()
        payload = LiftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        propagation.consent_withdrawal_lift(
            withdrawal=withdrawal, reason=payload.validated_data["reason"], actor=api_actor(request)
        )
        return Response(ConsentWithdrawalSerializer(self._reload(withdrawal.pk)).data)


class _RegisterViewSet(ReadWriteViewSet):
    """List, read, create and patch a register entity through its services; officers write."""

    officer_only_write = True
    owner_write_only = False
    create_service = None  # ropa.<entity>_create
    update_service = None  # ropa.<entity>_update
    instance_argument = ""  # the update service's keyword for the instance

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        obj = self.create_service(actor=api_actor(request), **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        payload = self.get_serializer(obj, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        self.update_service(**{self.instance_argument: obj}, data=payload.validated_data, actor=api_actor(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


class PartyViewSet(_RegisterViewSet):
    """Controllers, joint controllers, representatives, DPOs, processors, suppliers and recipients (Art. 30(1)(a))."""

    serializer_class = PartySerializer
    search_fields = ("name", "contact")
    create_service = staticmethod(ropa.party_create)
    update_service = staticmethod(ropa.party_update)
    instance_argument = "party"

    def get_queryset(self):
        return ropa.party_list(user=self.request.user)


class RecipientViewSet(_RegisterViewSet):
    """Recipients of personal data and the datasets disclosed to them (Art. 30(1)(d), Art. 19)."""

    serializer_class = RecipientSerializer
    filterset_fields = ("category", "party")
    create_service = staticmethod(ropa.recipient_create)
    update_service = staticmethod(ropa.recipient_update)
    instance_argument = "recipient"

    def get_queryset(self):
        return ropa.recipient_list(user=self.request.user)


class RetentionPolicyViewSet(_RegisterViewSet):
    """Retention periods per data category and what happens at their end (Art. 30(1)(f))."""

    serializer_class = RetentionPolicySerializer
    create_service = staticmethod(ropa.retention_policy_create)
    update_service = staticmethod(ropa.retention_policy_update)
    instance_argument = "policy"

    def get_queryset(self):
        return ropa.retention_policy_list(user=self.request.user)


class ProcessingActivityViewSet(ReadWriteViewSet):
    """
    The record of processing activities (GDPR Art. 30(1)(a)–(g)), linked to datasets; ``export/`` gives it as
    CSV, ``unmapped-datasets/`` the datasets holding personal data that no activity lists. Officers write.
    """

    serializer_class = ProcessingActivitySerializer
    officer_only_write = True
    owner_write_only = False
    filterset_fields = ("is_active", "dpia_required", "controller")
    search_fields = ("name", "description")

    def get_queryset(self):
        return ropa.processing_activity_list(user=self.request.user)

    def _reload(self, pk):
        return ropa.processing_activity_list().get(pk=pk)

    @extend_schema(request=ProcessingActivityInputSerializer, responses={201: ProcessingActivitySerializer})
    def create(self, request, *args, **kwargs):
        payload = ProcessingActivityInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        activity = ropa.processing_activity_create(actor=api_actor(request), **payload.validated_data)
        return Response(ProcessingActivitySerializer(self._reload(activity.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProcessingActivityInputSerializer, responses=ProcessingActivitySerializer)
    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        payload = ProcessingActivityInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        ropa.processing_activity_update(
            activity=activity,
            data=data,
            purposes=data.pop("purposes", None),
            transfers=data.pop("transfers", None),
            actor=api_actor(request),
        )
        return Response(ProcessingActivitySerializer(self._reload(activity.pk)).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The record as CSV, one row per activity, columns (a)–(g); audited as an export."""
        result = ropa.ropa_export(actor=api_actor(request), activities=self.filter_queryset(self.get_queryset()))
        response = HttpResponse(result.content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["X-Content-SHA256"] = result.sha256
        return response

    @extend_schema(responses=AssetBriefSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="unmapped-datasets", filter_backends=())
    def unmapped_datasets(self, request):
        """Datasets holding personal data (confirmed findings or a flag) that no active activity lists."""
        page = self.paginate_queryset(ropa.datasets_without_processing_activity(user=request.user))
        return self.get_paginated_response(AssetBriefSerializer(page, many=True).data)


class ExpiredAssetsView(generics.GenericAPIView):
    """Assets past their retention date, how long overdue, and how many versions carry the flag (Art. 5(1)(e))."""

    serializer_class = ExpiredAssetSerializer
    filter_backends = ()

    def get_queryset(self):
        return retention.assets_past_retention(user=self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="As of this date (default: today).")]
    )
    def get(self, request, *args, **kwargs):
        raw = request.query_params.get("date")
        try:
            today = date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise serializers.ValidationError({"date": ["Use YYYY-MM-DD."]}) from exc
        items = [e.as_dict() for e in retention.retention_overview(user=request.user, today=today)]
        page = self.paginate_queryset(items)
        return self.get_paginated_response(ExpiredAssetSerializer(page, many=True).data)
