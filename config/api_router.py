"""Composes the apps' REST routers under /api/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api.views import (
    DatasetViewSet,
    DeploymentViewSet,
    LicenceViewSet,
    ModelViewSet,
    PurposeViewSet,
    SourceViewSet,
)
from compliance.api.governance import (
    ConsentWithdrawalViewSet,
    ExpiredAssetsView,
    FlaggedVersionViewSet,
    FlagViewSet,
    PartyViewSet,
    ProcessingActivityViewSet,
    RecipientViewSet,
    RetentionPolicyViewSet,
    VersionFlagsView,
)
from compliance.api.requests import SubjectRequestViewSet
from compliance.api.views import ScanViewSet
from lineage.api.views import RunViewSet, VersionViewSet

router = DefaultRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("models", ModelViewSet, basename="model")
router.register("versions", VersionViewSet, basename="version")
router.register("runs", RunViewSet, basename="run")
router.register("sources", SourceViewSet, basename="source")
router.register("licences", LicenceViewSet, basename="licence")
router.register("purposes", PurposeViewSet, basename="purpose")
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("scans", ScanViewSet, basename="scan")
router.register("flags", FlagViewSet, basename="flag")
router.register("flagged-versions", FlaggedVersionViewSet, basename="flagged-version")
router.register("consent-withdrawals", ConsentWithdrawalViewSet, basename="consent-withdrawal")
router.register("parties", PartyViewSet, basename="party")
router.register("recipients", RecipientViewSet, basename="recipient")
router.register("retention-policies", RetentionPolicyViewSet, basename="retention-policy")
router.register("processing-activities", ProcessingActivityViewSet, basename="processing-activity")
router.register("subject-requests", SubjectRequestViewSet, basename="subject-request")

urlpatterns = [
    path("versions/<int:pk>/flags/", VersionFlagsView.as_view(), name="version-flags"),
    path("retention/expired/", ExpiredAssetsView.as_view(), name="retention-expired"),
    *router.urls,
]
