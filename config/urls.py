"""URL map: /admin/ for officers, /api/ for scientists, /api/v1/ for OpenLineage, /graphql/ for auditors."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.graphql_schema import graphql_view
from core.api.auth_views import TokenView

admin.site.site_header = "Custodian"
admin.site.site_title = "Custodian"
admin.site.index_title = "Data governance and lineage"


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("", include("lineage.api.openlineage_urls")),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("config.api_router")),
    path("graphql/", graphql_view, name="graphql"),
]
