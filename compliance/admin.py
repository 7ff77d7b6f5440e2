"""
The compliance officer's admin for scans: findings per version with confirm / dismiss, scan progress, re-scan.

Versions get their findings and scans inline here (this layer knows about scans; the catalog does not).
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from catalog.admin import VersionAdmin
from catalog.models import AssetVersion
from compliance.choices import FindingReview, ScanStatus
from compliance.models import ColumnFinding, Scan
from compliance.services import finding_review, location_is_readable, scan_request
from core import roles
from core.admin import ReadOnlyAdminMixin, admin_actor
from core.exceptions import ApplicationError


def _progress(scan: Scan) -> str:
    if scan.status == ScanStatus.SUCCEEDED:
        return f"{scan.rows_total or 0:,} rows"
    fraction = scan.progress
    done = f"{scan.rows_done:,}" + (f" of {scan.rows_total:,}" if scan.rows_total else "")
    return f"{done} rows" + (f" ({fraction:.0%})" if fraction is not None else "")


def _entities(finding: ColumnFinding) -> str:
    return ", ".join(f"{e['type']} {e['hit_rate']:.0%}" for e in finding.entities) or "—"


class FindingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ColumnFinding
    fk_name = "version"
    fields = (
        "column",
        "verdict_code",
        "entity_summary",
        "sampled",
        "examples",
        "indexed",
        "review_state",
        "review_links",
    )
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "PII findings (latest scan first)"
    ordering = ("-scan_id", "ordinal")

    @admin.display(description="Verdict")
    def verdict_code(self, obj):
        return obj.verdict

    @admin.display(description="Review")
    def review_state(self, obj):
        if obj.verdict == "NONE" and obj.review == FindingReview.PENDING:
            return "—"
        return obj.get_review_display()

    @admin.display(description="Entities (hit rate)")
    def entity_summary(self, obj):
        return _entities(obj)

    @admin.display(description="Masked examples")
    def examples(self, obj):
        return ", ".join(obj.masked_examples) or "—"

    @admin.display(description="Decide")
    def review_links(self, obj):
        return _review_links(obj)


def _review_links(obj: ColumnFinding) -> str:
    if obj.verdict == "NONE" and obj.review == FindingReview.PENDING:
        return "—"
    links = []
    for decision in ("confirm", "dismiss"):
        url = reverse(f"admin:compliance_columnfinding_{decision}", args=[obj.pk])
        links.append(format_html('<a class="button" href="{}">{}</a>', url, decision.capitalize()))
    return format_html("{} {}", links[0], links[1])


class ScanInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Scan
    fields = ("id", "status", "progress_display", "subject_keys", "error", "created_at", "finished_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("-created_at",)

    @admin.display(description="Progress")
    def progress_display(self, obj):
        return _progress(obj)


admin.site.unregister(AssetVersion)


@admin.register(AssetVersion)
class ScannedVersionAdmin(VersionAdmin):
    """Versions with their scans and PII findings, and a re-scan action."""

    inlines = (*VersionAdmin.inlines, FindingInline, ScanInline)
    actions = ("rescan",)

    def get_urls(self):
        extra = [
            path("<int:pk>/rescan/", self.admin_site.admin_view(self.rescan_view), name="catalog_assetversion_rescan")
        ]
        return extra + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "scan_status"] if obj is not None else fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return [*fields, "scan_status"] if obj is not None and "scan_status" not in fields else fields

    @admin.display(description="Scan")
    def scan_status(self, obj):
        latest = obj.scans.order_by("-created_at").first()
        rescan = reverse("admin:catalog_assetversion_rescan", args=[obj.pk])
        if latest is None:
            return format_html('Never scanned. <a class="button" href="{}">Scan</a>', rescan)
        return format_html(
            '{} — {}{} <a class="button" href="{}">Re-scan</a>',
            latest.get_status_display(),
            _progress(latest),
            f", {latest.subject_keys:,} subject keys" if latest.status == ScanStatus.SUCCEEDED else "",
            rescan,
        )

    def _rescan(self, request, version) -> bool:
        previous = version.scans.exclude(source_secret="").first() or version.scans.first()
        location = version.uri if location_is_readable(version.uri) else None
        if location is None:
            self.message_user(
                request,
                f"{version}: its URI is not readable from here; upload the file over the API "
                "(POST /api/scans/) to scan it.",
                level=messages.ERROR,
            )
            return False
        try:
            scan_request(
                version=version, actor=admin_actor(request), location=location, full=bool(previous and previous.full)
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return False
        return True

    @admin.action(description="Re-scan selected versions")
    def rescan(self, request, queryset):
        queued = sum(self._rescan(request, version) for version in queryset)
        if queued:
            self.message_user(request, f"{queued} scan(s) queued.")

    def rescan_view(self, request, pk):
        version = get_object_or_404(AssetVersion.objects.select_related("asset"), pk=pk)
        if not self.has_change_permission(request, version):
            return HttpResponseRedirect(reverse("admin:catalog_assetversion_change", args=[pk]))
        if request.method == "POST":
            if self._rescan(request, version):
                self.message_user(request, f"Scan of {version} queued.")
            return HttpResponseRedirect(reverse("admin:catalog_assetversion_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Scan {version}",
            "object": version,
            "opts": self.model._meta,
            "question": f"Scan {version} from {version.uri}?",
        }
        return TemplateResponse(request, "admin/compliance/confirm.html", context)


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "version", "status", "progress_display", "subject_keys", "created_at", "finished_at")
    list_select_related = ("version__asset",)
    list_filter = ("status", "full")
    search_fields = ("version__asset__name", "version__asset__namespace", "location", "filename")
    fields = (
        "version",
        "location",
        "filename",
        "format",
        "full",
        "status",
        "error",
        "progress_display",
        "partitions_total",
        "partitions_done",
        "subject_keys",
        "timings",
        "started_at",
        "finished_at",
        "requested_by",
    )
    readonly_fields = fields

    @admin.display(description="Progress")
    def progress_display(self, obj):
        return _progress(obj)


@admin.register(ColumnFinding)
class ColumnFindingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Findings to review: confirm (the field gets the PII classification) or dismiss."""

    list_display = ("column", "version", "verdict", "entity_summary", "examples", "review", "review_links")
    list_select_related = ("version__asset",)
    list_filter = ("review", "verdict")
    search_fields = ("column", "version__asset__name")
    actions = ("confirm_selected", "dismiss_selected")

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.review_view),
                {"decision": "confirm"},
                name="compliance_columnfinding_confirm",
            ),
            path(
                "<int:pk>/dismiss/",
                self.admin_site.admin_view(self.review_view),
                {"decision": "dismiss"},
                name="compliance_columnfinding_dismiss",
            ),
        ]
        return extra + super().get_urls()

    @admin.display(description="Entities (hit rate)")
    def entity_summary(self, obj):
        return _entities(obj)

    @admin.display(description="Masked examples")
    def examples(self, obj):
        return ", ".join(obj.masked_examples) or "—"

    @admin.display(description="")
    def review_links(self, obj):
        return _review_links(obj)

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not roles.is_officer(request.user):
            return {}
        return actions

    def _review(self, request, finding, decision, note="") -> bool:
        value = FindingReview.CONFIRMED if decision == "confirm" else FindingReview.DISMISSED
        try:
            finding_review(finding=finding, decision=value, note=note, actor=admin_actor(request))
        except ApplicationError as exc:
            self.message_user(request, f"{finding.column}: {exc.message}", level=messages.WARNING)
            return False
        return True

    @admin.action(description="Confirm selected findings")
    def confirm_selected(self, request, queryset):
        done = sum(self._review(request, f, "confirm") for f in queryset)
        self.message_user(request, f"{done} finding(s) confirmed.")

    @admin.action(description="Dismiss selected findings")
    def dismiss_selected(self, request, queryset):
        done = sum(self._review(request, f, "dismiss") for f in queryset)
        self.message_user(request, f"{done} finding(s) dismissed.")

    def review_view(self, request, pk, decision):
        finding = get_object_or_404(ColumnFinding.objects.select_related("version__asset"), pk=pk)
        back = reverse("admin:catalog_assetversion_change", args=[finding.version_id])
        if not roles.is_officer(request.user):
            self.message_user(request, "Only compliance officers review findings.", level=messages.ERROR)
            return HttpResponseRedirect(back)
        if request.method == "POST":
            if self._review(request, finding, decision, note=request.POST.get("note", "")):
                self.message_user(request, f"{finding.column}: {decision}ed.")
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{decision.capitalize()} finding",
            "object": finding,
            "opts": self.model._meta,
            "with_note": True,
            "question": f"{decision.capitalize()} {finding.verdict} {_entities(finding)} in column "
            f"{finding.column!r} of {finding.version}?",
        }
        return TemplateResponse(request, "admin/compliance/confirm.html", context)


import compliance.admin_requests  # noqa: E402, F401  Subject requests: receipt to closure, evidence export.
from compliance import admin_governance  # noqa: E402, F401  Governance: flags, consent withdrawals, ROPA (Art. 30).
