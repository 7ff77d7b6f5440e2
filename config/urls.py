"""URL map: /admin/ for officers, /api/ for scientists, /api/v1/ for OpenLineage, /graphql/ for auditors."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
