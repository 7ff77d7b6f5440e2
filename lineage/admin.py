"""Admin views of jobs and runs (read-only: lineage facts arrive through REST, OpenLineage and services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from lineage.models import ColumnEdge, Job, OpenLineageEvent, Run, RunInput, RunOutput, RunStateChange


class RunStateChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RunStateChange
    fields = ("event_time", "event_type", "applied", "conflict", "state_after", "recorded_at")
    readonly_fields = fields
    extra = 0
    ordering = ("event_time", "id")


class RunInputInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RunInput
    fields = ("version", "role")
    readonly_fields = fields
    extra = 0


class RunOutputInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RunOutput
    fields = ("version",)
    readonly_fields = fields
    extra = 0


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("namespace", "name", "job_type", "updated_at")
    list_filter = ("job_type",)
    search_fields = ("namespace", "name", "description")


@admin.register(Run)
class RunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("run_id", "job", "state", "origin", "started_at", "ended_at")
    list_select_related = ("job",)
    list_filter = ("state", "origin", "job__job_type")
    search_fields = ("run_id", "job__name", "job__namespace")
    inlines = (RunInputInline, RunOutputInline, RunStateChangeInline)
    fields = ("run_id", "job", "state", "origin", "started_at", "ended_at", "parent", "facets", "created_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("inputs__version__asset", "outputs__version__asset")


@admin.register(OpenLineageEvent)
class OpenLineageEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Raw OpenLineage events as received: append-only, deduplicated by content hash."""

    list_display = (
        "id",
        "received_at",
        "kind",
        "event_type",
        "event_time",
        "job_namespace",
        "job_name",
        "run_id",
        "principal_label",
    )
    list_filter = ("kind", "event_type", "channel")
    search_fields = ("run_id", "job_name", "job_namespace", "dataset_name", "content_hash")
    date_hierarchy = "received_at"


@admin.register(ColumnEdge)
class ColumnEdgeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Column-level lineage from OpenLineage ``columnLineage`` facets."""

    list_display = ("source_asset", "source_field", "target_asset", "target_field", "transformation_type", "run")
    list_select_related = ("source_asset", "target_asset", "run")
    list_filter = ("transformation_type",)
    search_fields = ("source_field", "target_field", "source_asset__name", "target_asset__name")
