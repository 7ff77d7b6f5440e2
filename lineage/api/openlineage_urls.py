"""
OpenLineage and Marquez-compatible routes, mounted at the host root (``config/urls.py``).

No trailing slashes, as OpenLineage clients and Marquez tooling call them; namespaces and names that contain
``/`` are parsed by ``lineage.api.marquez`` from the raw request path.
"""

from django.urls import path, re_path

from lineage.api import marquez
from lineage.api.openlineage import LineageBatchView, LineageView

app_name = "openlineage"

urlpatterns = [
    path("api/v1/lineage", LineageView.as_view(), name="lineage"),
    path("api/v1/lineage/batch", LineageBatchView.as_view(), name="lineage-batch"),
    path("api/v1/namespaces", marquez.NamespaceListView.as_view(), name="namespaces"),
    re_path(r"^api/v1/namespaces/(?P<rest>.+)$", marquez.NamespaceResourceView.as_view(), name="namespace-resource"),
    path("api/v1/jobs/runs/<str:run_id>", marquez.RunView.as_view(), name="run"),
    path("api/v1/jobs/runs/<str:run_id>/facets", marquez.RunFacetsView.as_view(), name="run-facets"),
    path("api/v1/column-lineage", marquez.ColumnLineageView.as_view(), name="column-lineage"),
    path("api/v1/search", marquez.SearchView.as_view(), name="search"),
    path("api/v1/events/lineage", marquez.LineageEventsView.as_view(), name="lineage-events"),
]
