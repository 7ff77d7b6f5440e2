"""Admin views of jobs and runs (read-only: lineage facts arrive through REST, OpenLineage and services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from lineage.models import Job, Run, RunInput, RunOutput


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
    inlines = (RunInputInline, RunOutputInline)
    fields = ("run_id", "job", "state", "origin", "started_at", "ended_at", "parent", "facets", "created_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("inputs__version__asset", "outputs__version__asset")
