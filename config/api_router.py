"""Composes the apps' REST routers under /api/."""

from rest_framework.routers import DefaultRouter

from catalog.api.views import (
    DatasetViewSet,
    DeploymentViewSet,
    LicenceViewSet,
    ModelViewSet,
    PurposeViewSet,
    SourceViewSet,
)
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

urlpatterns = router.urls
