"""
The compliance officer's admin for governance: consent withdrawals (record, lift), flags with their origin and
path (a list of their own, and on version and asset pages with list filters), the record of processing activities
with its CSV export, the datasets holding personal data that no activity lists, parties, recipients and retention
policies. Every write goes through ``compliance.propagation`` / ``compliance.ropa``, so it is audited.

Version and asset admins are extended, not replaced: whatever admin is registered for them when this module is
imported (catalog's, or a compliance subclass) gets the governance displays mixed in.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalog.choices import AssetKind
from catalog.models import Asset, AssetVersion, DatasetAsset, ModelAsset
from compliance import propagation, retention, ropa
from compliance.models import (
    ActivityPurpose,
    ConsentWithdrawal,
    FlagKind,
    GovernanceFlag,
    Party,
    PartyRole,
    ProcessingActivity,
    Recipient,
    RetentionPolicy,
    Transfer,
)
from core import roles
from core.admin import ReadOnlyAdminMixin, admin_actor
from core.exceptions import ApplicationError

FLAG_COLOURS = {
    FlagKind.PERSONAL_DATA: "#8a4b00",
    FlagKind.CONSENT_WITHDRAWN: "#a40000",
    FlagKind.RETENTION_EXPIRED: "#5c3c92",
}
FLAG_SHORT = {
    FlagKind.PERSONAL_DATA: "personal data",
    FlagKind.CONSENT_WITHDRAWN: "consent withdrawn",
    FlagKind.RETENTION_EXPIRED: "retention expired",
}


def _badge(kind: str, text: str | None = None):
    return format_html(
        '<span style="color:#fff;background:{};border-radius:3px;padding:1px 6px;margin-right:3px;'
        'white-space:nowrap">{}</span>',
        FLAG_COLOURS.get(kind, "#555"),
        text or FLAG_SHORT.get(kind, kind),
    )


def _version_link(version_id: int, label: str):
    return format_html('<a href="{}">{}</a>', reverse("admin:catalog_assetversion_change", args=[version_id]), label)


def _path(flag: GovernanceFlag, labels: dict[int, str]):
    hops = [_version_link(v, labels.get(v, f"#{v}")) for v in flag.path]
    return format_html_join(" → ", "{}", ((hop,) for hop in hops))


def _cause(flag: GovernanceFlag):
    if flag.kind == FlagKind.CONSENT_WITHDRAWN and flag.withdrawal_id:
        url = reverse("admin:compliance_consentwithdrawal_change", args=[flag.withdrawal_id])
        detail = flag.detail or {}
        return format_html(
            '<a href="{}">withdrawal #{}</a> of {} ({})',
            url,
            flag.withdrawal_id,
            detail.get("withdrawn_on", ""),
            "all versions" if detail.get("scope") == "all_versions" else "versions before that date",
        )
    if flag.kind == FlagKind.PERSONAL_DATA:
        detail = flag.detail or {}
        return format_html(
            "confirmed {} in {}",
            ", ".join(detail.get("entities", [])) or "PII",
            ", ".join(detail.get("columns", [])) or "a column",
        )
    return format_html("retention until {}", (flag.detail or {}).get("retention_until", "?"))


def _flags_table(flags: list[GovernanceFlag]):
    if not flags:
        return "No governance flags."
    labels = propagation.versions_by_path(flags)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                _badge(f.kind),
                _version_link(f.origin_version_id, labels.get(f.origin_version_id, f"#{f.origin_version_id}")),
                _cause(f),
                _path(f, labels),
                "yes" if f.via_anonymisation else "no",
                f.since.strftime("%Y-%m-%d %H:%M"),
            )
            for f in flags
        ),
    )
    return format_html(
        "<table><thead><tr><th>Flag</th><th>Origin</th><th>Cause</th><th>Path</th><th>Via anonymisation</th>"
        "<th>Since</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


#
# List filters
#
class _FlagKindFilter(admin.SimpleListFilter):
    title = "governance flag"
    parameter_name = "flag"
    lookup = "version"  # how a flag points at the filtered model

    def lookups(self, request, model_admin):
        return [*FlagKind.choices, ("any", "Any flag"), ("none", "No flag")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        flags = GovernanceFlag.objects.filter(**{self.lookup: OuterRef("pk")})
        if value == "none":
            return queryset.exclude(Exists(flags))
        if value != "any":
            flags = flags.filter(kind=value)
        return queryset.filter(Exists(flags))


class VersionFlagFilter(_FlagKindFilter):
    lookup = "version"


class AssetFlagFilter(_FlagKindFilter):
    lookup = "version__asset"


class RopaMappingFilter(admin.SimpleListFilter):
    title = "record of processing (Art. 30)"
    parameter_name = "ropa"

    def lookups(self, request, model_admin):
        return [("unmapped", "Personal data, no processing activity"), ("mapped", "Listed by an active activity")]

    def queryset(self, request, queryset):
        if self.value() == "unmapped":
            return queryset.filter(pk__in=ropa.datasets_without_processing_activity().values("pk"))
        if self.value() == "mapped":
            return queryset.filter(Exists(ProcessingActivity.objects.filter(is_active=True, datasets=OuterRef("pk"))))
        return queryset


#
# Versions and assets: flags on their pages and in their lists
#
class VersionGovernanceMixin:
    """Flag badges and a flag filter in the version list; the flags with origin and path on the version page."""

    def get_queryset(self, request):
        flags = GovernanceFlag.objects.only("pk", "version_id", "kind").order_by("kind", "pk")
        return super().get_queryset(request).prefetch_related(Prefetch("governance_flags", queryset=flags))

    def get_list_display(self, request):
        return (*super().get_list_display(request), "flag_badges")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), VersionFlagFilter)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return [*fields, "governance_flags"] if obj is not None and "governance_flags" not in fields else fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "governance_flags"] if obj is not None else fields

    @admin.display(description="Flags")
    def flag_badges(self, obj):
        kinds = sorted({f.kind for f in obj.governance_flags.all()})
        return format_html_join("", "{}", ((_badge(k),) for k in kinds)) if kinds else "—"

    @admin.display(description="Governance flags (origin, cause and lineage path)")
    def governance_flags(self, obj):
        return _flags_table(list(propagation.flag_list(filters={"version": obj.pk})))


class _FlagSummaryChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        summary = propagation.flag_summary_by_asset(obj.pk for obj in self.result_list)
        for obj in self.result_list:
            obj.flag_summary = summary.get(obj.pk, {})


class AssetGovernanceMixin:
    """Flag counts and filters in the dataset and model lists; flags, ROPA entries and a withdrawal link per asset."""

    def get_changelist(self, request, **kwargs):
        return _FlagSummaryChangeList

    def get_list_display(self, request):
        return (*super().get_list_display(request), "flags_summary")

    def get_list_filter(self, request):
        extra = (AssetFlagFilter, RopaMappingFilter) if self.kind == AssetKind.DATASET else (AssetFlagFilter,)
        return (*super().get_list_filter(request), *extra)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fields = ("governance_flags", "processing_activities_display")
            fieldsets.insert(-1, ("Governance", {"fields": fields if self.kind == AssetKind.DATASET else fields[:1]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "governance_flags", "processing_activities_display"] if obj is not None else fields

    @admin.display(description="Flagged versions")
    def flags_summary(self, obj):
        summary = getattr(obj, "flag_summary", None) or {}
        if not summary:
            return "—"
        return format_html_join("", "{}", ((_badge(k, f"{FLAG_SHORT[k]}: {n}"),) for k, n in sorted(summary.items())))

    @admin.display(description="Governance flags of its versions")
    def governance_flags(self, obj):
        flags = list(propagation.flag_list(filters={"asset": obj.pk}))
        table = _flags_table(flags)
        if obj.kind != AssetKind.DATASET:
            return table
        url = reverse("admin:compliance_consentwithdrawal_add") + f"?dataset={obj.pk}"
        return format_html('{}<p><a class="button" href="{}">Record a consent withdrawal</a></p>', table, url)

    @admin.display(description="Processing activities (Art. 30)")
    def processing_activities_display(self, obj):
        activities = list(obj.processing_activities.filter(is_active=True).order_by("name"))
        if activities:
            return format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:compliance_processingactivity_change", args=[a.pk]), a.name) for a in activities),
            )
        if ropa.datasets_without_processing_activity().filter(pk=obj.pk).exists():
            return format_html(
                '<strong style="color:#a40000">Holds personal data but no processing activity lists it.</strong> '
                '<a href="{}">Add one</a>',
                reverse("admin:compliance_processingactivity_add"),
            )
        return "—"


def _extend(model, mixin, name: str) -> None:
    """Re-register ``model`` with ``mixin`` in front of whatever admin class is registered for it now."""
    current = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(name, (mixin, current), {"__module__": __name__}))


_extend(AssetVersion, VersionGovernanceMixin, "GovernedVersionAdmin")
_extend(DatasetAsset, AssetGovernanceMixin, "GovernedDatasetAdmin")
_extend(ModelAsset, AssetGovernanceMixin, "GovernedModelAdmin")


#
# Flags
#
class _PathLabelsChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        labels = propagation.versions_by_path(self.result_list)
        for flag in self.result_list:
            flag.path_labels = labels


@admin.register(GovernanceFlag)
class GovernanceFlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every flag with the version it is on, its origin, its cause and the lineage path between them."""

    list_display = ("flagged", "flag", "origin", "cause", "lineage_path", "via_anonymisation", "since")
    list_filter = (
        "kind",
        ("version__asset__kind", admin.ChoicesFieldListFilter),
        "via_anonymisation",
        ("withdrawal", admin.RelatedOnlyFieldListFilter),
        ("version__state", admin.ChoicesFieldListFilter),
    )
    search_fields = ("version__asset__name", "version__asset__namespace", "origin_version__asset__name")
    fields = ("flagged", "flag", "origin", "cause", "lineage_path", "runs", "depth", "via_anonymisation", "since")
    readonly_fields = fields
    date_hierarchy = "since"

    def get_queryset(self, request):
        return propagation.flag_list()

    def get_changelist(self, request, **kwargs):
        return _PathLabelsChangeList

    def _labels(self, obj):
        labels = getattr(obj, "path_labels", None)
        if labels is None:
            labels = obj.path_labels = propagation.versions_by_path([obj])
        return labels

    @admin.display(description="Version", ordering="version_id")
    def flagged(self, obj):
        return _version_link(obj.version_id, f"{obj.version.asset.qualified_name}@{obj.version.version}")

    @admin.display(description="Flag", ordering="kind")
    def flag(self, obj):
        return _badge(obj.kind)

    @admin.display(description="Origin")
    def origin(self, obj):
        origin = obj.origin_version
        return _version_link(origin.pk, f"{origin.asset.qualified_name}@{origin.version}")

    @admin.display(description="Cause")
    def cause(self, obj):
        return _cause(obj)

    @admin.display(description="Path")
    def lineage_path(self, obj):
        return _path(obj, self._labels(obj))

    def get_urls(self):
        extra = [
            path(
                "retention-check/",
                self.admin_site.admin_view(self.retention_check_view),
                name="compliance_governanceflag_retention_check",
            ),
            path(
                "reconcile/",
                self.admin_site.admin_view(self.reconcile_view),
                name="compliance_governanceflag_reconcile",
            ),
        ]
        return extra + super().get_urls()

    def _confirm(self, request, question: str, run) -> HttpResponse:
        back = reverse("admin:compliance_governanceflag_changelist")
        if not roles.is_officer(request.user):
            self.message_user(request, "Only compliance officers may do this.", level=messages.ERROR)
            return HttpResponseRedirect(back)
        if request.method == "POST":
            self.message_user(request, run())
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": question,
            "opts": self.model._meta,
            "question": question,
        }
        return TemplateResponse(request, "admin/compliance/confirm.html", context)

    def retention_check_view(self, request):
        def run():
            sweep = retention.retention_sweep(actor=admin_actor(request))
            return (
                f"{len(sweep.expired)} asset(s) past their retention date; "
                f"{sweep.changes.raised} flag(s) raised, {sweep.changes.cleared} cleared."
            )

        return self._confirm(request, "Flag the assets past their retention date now?", run)

    def reconcile_view(self, request):
        def run():
            changes = propagation.flags_refresh_all(actor=admin_actor(request))
            counts = f"{changes.raised} raised, {changes.cleared} cleared, {changes.rerouted} re-routed"
            return f"Flags reconciled: {counts}."

        return self._confirm(request, "Recompute every governance flag from its causes?", run)


#
# Consent withdrawals
#
class ConsentWithdrawalForm(forms.ModelForm):
    class Meta:
        model = ConsentWithdrawal
        fields = ("dataset", "purpose", "withdrawn_on", "scope", "reason", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "dataset" in self.fields:
            self.fields["dataset"].queryset = Asset.objects.filter(kind=AssetKind.DATASET).order_by("namespace", "name")
            self.fields["dataset"].help_text = "Either a dataset …"
            self.fields["purpose"].help_text = "… or a purpose: every dataset used for it."


@admin.register(ConsentWithdrawal)
class ConsentWithdrawalAdmin(admin.ModelAdmin):
    """Record a withdrawal (everything downstream gets flagged) or lift one; the record itself never changes."""

    form = ConsentWithdrawalForm
    list_display = (
        "__str__",
        "scope",
        "active",
        "flagged_versions",
        "affected_models",
        "recorded_by",
        "created_at",
    )
    list_filter = ("scope", ("lifted_at", admin.EmptyFieldListFilter), "withdrawn_on")
    search_fields = ("dataset__name", "dataset__namespace", "purpose__name", "reason", "reference")
    date_hierarchy = "withdrawn_on"
    readonly_fields = (
        "recorded_by",
        "created_at",
        "lifted_at",
        "lifted_by",
        "lift_reason",
        "flagged_versions",
        "affected_models",
        "lift_link",
    )

    def get_queryset(self, request):
        model_flags = Count("flags", filter=Q(flags__version__asset__kind=AssetKind.MODEL))
        return propagation.consent_withdrawal_list().annotate(model_flags=model_flags)

    def get_fields(self, request, obj=None):
        fields = ["dataset", "purpose", "withdrawn_on", "scope", "reason", "reference"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("dataset", "purpose", "withdrawn_on", "scope", "reason", "reference", *self.readonly_fields)

    def has_add_permission(self, request):
        return roles.is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_officer(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # Withdrawals are evidence: lift one instead.

    @admin.display(description="Active", boolean=True)
    def active(self, obj):
        return obj.is_active

    @admin.display(description="Flagged versions")
    def flagged_versions(self, obj):
        count = getattr(obj, "flagged_versions", 0)
        url = reverse("admin:compliance_governanceflag_changelist") + f"?withdrawal__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description="Model versions affected")
    def affected_models(self, obj):
        url = (
            reverse("admin:compliance_governanceflag_changelist")
            + f"?withdrawal__id__exact={obj.pk}&version__asset__kind__exact={AssetKind.MODEL}"
        )
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "model_flags", 0))

    @admin.display(description="")
    def lift_link(self, obj):
        if not obj.is_active:
            return "Lifted."
        url = reverse("admin:compliance_consentwithdrawal_lift", args=[obj.pk])
        return format_html('<a class="button" href="{}">Lift this withdrawal</a>', url)

    def save_model(self, request, obj, form, change):
        if change:
            return  # A recorded withdrawal does not change; it can only be lifted.
        data = {key: form.cleaned_data.get(key) for key in ConsentWithdrawalForm.Meta.fields}
        data["reference"] = data.get("reference") or ""
        withdrawal = propagation.consent_withdrawal_record(actor=admin_actor(request), **data)
        obj.pk = obj.id = withdrawal.pk
        flagged = GovernanceFlag.objects.filter(withdrawal=withdrawal)
        models = flagged.filter(version__asset__kind=AssetKind.MODEL).count()
        self.message_user(request, f"{flagged.count()} version(s) flagged, {models} of them model versions.")

    def save_related(self, request, form, formsets, change):
        pass  # No inlines or many-to-many fields: the service saved everything.

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="compliance_consentwithdrawal_lift",
            )
        ]
        return extra + super().get_urls()

    def lift_view(self, request, pk):
        withdrawal = get_object_or_404(ConsentWithdrawal.objects.select_related("dataset", "purpose"), pk=pk)
        back = reverse("admin:compliance_consentwithdrawal_change", args=[pk])
        if not roles.is_officer(request.user):
            self.message_user(request, "Only compliance officers lift withdrawals.", level=messages.ERROR)
            return HttpResponseRedirect(back)
        if request.method == "POST":
            try:
                propagation.consent_withdrawal_lift(
                    withdrawal=withdrawal, reason=request.POST.get("note", ""), actor=admin_actor(request)
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
                return HttpResponseRedirect(back)
            self.message_user(request, f"{withdrawal}: lifted; its flags were cleared.")
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "Lift consent withdrawal",
            "object": withdrawal,
            "opts": self.model._meta,
            "with_note": True,
            "question": f"Lift the {withdrawal}? Its flags will be cleared; the record stays. Say why below.",
        }
        return TemplateResponse(request, "admin/compliance/confirm.html", context)


#
# The Art. 30 register
#
class LinesField(forms.CharField):
    """A list of strings edited one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class _ServiceRegisterAdmin(admin.ModelAdmin):
    """Saves through the register's services (officers only, audited); many-to-many values go with the save."""

    create_service = None
    update_service = None
    instance_argument = ""
    required = ("name",)

    def has_add_permission(self, request):
        return roles.is_officer(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return roles.is_officer(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # The register is evidence: retire an entry instead.

    def _data(self, form, *, changed_only: bool) -> dict:
        names = form.changed_data if changed_only else form.cleaned_data.keys()
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            data = self._data(form, changed_only=True)
            if data:
                self.update_service(**{self.instance_argument: obj}, data=data, actor=actor)
            return
        data = self._data(form, changed_only=False)
        required = {name: data.pop(name) for name in self.required}
        created = self.create_service(actor=actor, **required, **data)
        obj.pk = obj.id = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # The service set the many-to-many values.


class PartyForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=PartyRole.choices, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Party
        fields = ("name", "contact", "roles", "country", "third_country", "contract_reference", "notes")


@admin.register(Party)
class PartyAdmin(_ServiceRegisterAdmin):
    form = PartyForm
    list_display = ("name", "role_names", "country", "third_country", "contract_reference")
    list_filter = ("third_country", "country")
    search_fields = ("name", "contact", "contract_reference")
    create_service = staticmethod(ropa.party_create)
    update_service = staticmethod(ropa.party_update)
    instance_argument = "party"
    required = ("name", "contact")

    @admin.display(description="Roles")
    def role_names(self, obj):
        labels = dict(PartyRole.choices)
        return ", ".join(str(labels.get(r, r)) for r in obj.roles) or "—"


@admin.register(Recipient)
class RecipientAdmin(_ServiceRegisterAdmin):
    list_display = ("party", "category", "third_country_display", "dataset_count", "since")
    list_select_related = ("party",)
    list_filter = ("category", "party__third_country")
    search_fields = ("party__name", "description")
    filter_horizontal = ("datasets",)
    fields = ("party", "category", "description", "datasets", "identifiability", "since")
    create_service = staticmethod(ropa.recipient_create)
    update_service = staticmethod(ropa.recipient_update)
    instance_argument = "recipient"
    required = ("party", "category")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(dataset_total=Count("datasets"))

    @admin.display(description="Third country", boolean=True)
    def third_country_display(self, obj):
        return obj.party.third_country

    @admin.display(description="Datasets")
    def dataset_count(self, obj):
        return obj.dataset_total


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(_ServiceRegisterAdmin):
    list_display = ("name", "data_category", "period_days", "trigger", "action", "time_limit")
    list_filter = ("action",)
    search_fields = ("name", "data_category")
    create_service = staticmethod(ropa.retention_policy_create)
    update_service = staticmethod(ropa.retention_policy_update)
    instance_argument = "policy"
    required = ("name", "data_category")


class ActivityPurposeInline(admin.TabularInline):
    model = ActivityPurpose
    fields = ("purpose", "lawful_basis", "legitimate_interests_assessment")
    extra = 1
    verbose_name = "purpose (b) and its lawful basis"
    verbose_name_plural = "(b) purposes and their lawful basis (Art. 6(1))"


class TransferInline(admin.TabularInline):
    model = Transfer
    fields = ("recipient", "country", "safeguard", "documentation")
    extra = 0
    verbose_name_plural = "(e) transfers to third countries or international organisations"


class ProcessingActivityForm(forms.ModelForm):
    data_subject_categories = LinesField(required=False, help_text="(c) One category per line, e.g. customers.")
    personal_data_categories = LinesField(
        required=False, help_text="(c) One per line; confirmed PII of the datasets is added in the export."
    )

    class Meta:
        model = ProcessingActivity
        fields = (
            "name",
            "description",
            "is_active",
            "controller",
            "joint_controllers",
            "representative",
            "dpo",
            "data_subject_categories",
            "personal_data_categories",
            "special_category_condition",
            "recipients",
            "retention_policies",
            "erasure_time_limits",
            "security_measures",
            "dpia_required",
            "dpia_reference",
            "last_reviewed_at",
            "datasets",
        )


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    """The record of processing activities (Art. 30(1)(a)–(g)) with its CSV export."""

    form = ProcessingActivityForm
    inlines = (ActivityPurposeInline, TransferInline)
    list_display = ("name", "controller", "purpose_list", "dataset_count", "is_active", "dpia_required", "reviewed")
    list_select_related = ("controller", "reviewed_by")
    list_filter = ("is_active", "dpia_required", ("controller", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description")
    filter_horizontal = ("joint_controllers", "recipients", "retention_policies", "datasets")
    actions = ("export_selected",)
    fieldsets = (
        (None, {"fields": ("name", "description", "is_active")}),
        ("(a) Who is responsible", {"fields": ("controller", "joint_controllers", "representative", "dpo")}),
        (
            "(c) Whose data, which data",
            {"fields": ("data_subject_categories", "personal_data_categories", "special_category_condition")},
        ),
        ("(d) Recipients", {"fields": ("recipients",)}),
        ("(f) Time limits for erasure", {"fields": ("retention_policies", "erasure_time_limits")}),
        ("(g) Security measures", {"fields": ("security_measures",)}),
        ("Assessment and review", {"fields": ("dpia_required", "dpia_reference", "last_reviewed_at")}),
        ("Datasets and models used", {"fields": ("datasets",)}),
    )

    def get_queryset(self, request):
        return ropa.processing_activity_list().annotate(dataset_total=Count("datasets", distinct=True))

    def has_add_permission(self, request):
        return roles.is_officer(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return roles.is_officer(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # Set an activity inactive instead: the record is evidence.

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if roles.can_read(request.user) else {}

    @admin.display(description="(b) Purposes")
    def purpose_list(self, obj):
        return "; ".join(f"{b.purpose.name} ({b.get_lawful_basis_display()})" for b in obj.bases.all()) or "—"

    @admin.display(description="Datasets")
    def dataset_count(self, obj):
        return obj.dataset_total

    @admin.display(description="Last reviewed", ordering="last_reviewed_at")
    def reviewed(self, obj):
        if not obj.last_reviewed_at:
            return "—"
        by = f" by {obj.reviewed_by.get_username()}" if obj.reviewed_by else ""
        return f"{obj.last_reviewed_at}{by}"

    def save_model(self, request, obj, form, change):
        pass  # Saved in save_related, which also sees the inlines (purposes with their basis, transfers).

    def save_related(self, request, form, formsets, change):
        actor = admin_actor(request)
        purposes = transfers = None
        for formset in formsets:
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            if formset.model is ActivityPurpose and (formset.has_changed() or not change):
                purposes = [
                    {
                        "purpose": r["purpose"],
                        "lawful_basis": r["lawful_basis"],
                        "legitimate_interests_assessment": r.get("legitimate_interests_assessment", ""),
                    }
                    for r in rows
                ]
            elif formset.model is Transfer and (formset.has_changed() or not change):
                transfers = [
                    {k: r.get(k, "") for k in ("recipient", "country", "safeguard", "documentation")} for r in rows
                ]
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            if data or purposes is not None or transfers is not None:
                ropa.processing_activity_update(
                    activity=form.instance, data=data, purposes=purposes, transfers=transfers, actor=actor
                )
            return
        data = dict(form.cleaned_data)
        activity = ropa.processing_activity_create(
            actor=actor,
            name=data.pop("name"),
            controller=data.pop("controller"),
            purposes=purposes or (),
            transfers=transfers or (),
            **{k: v for k, v in data.items() if v is not None},
        )
        form.instance.pk = form.instance.id = activity.pk

    def _csv(self, request, queryset) -> HttpResponse:
        result = ropa.ropa_export(actor=admin_actor(request), activities=queryset)
        response = HttpResponse(result.content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response["X-Content-SHA256"] = result.sha256
        return response

    @admin.action(description="Export selected as CSV (Art. 30 record)")
    def export_selected(self, request, queryset):
        return self._csv(request, ropa.processing_activity_list().filter(pk__in=queryset.values("pk")))

    def get_urls(self):
        extra = [
            path("export/", self.admin_site.admin_view(self.export_view), name="compliance_processingactivity_export")
        ]
        return extra + super().get_urls()

    def export_view(self, request):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return self._csv(request, ropa.processing_activity_list())

    def changelist_view(self, request, extra_context=None):
        unmapped = ropa.datasets_without_processing_activity().count()
        extra = {
            "export_url": reverse("admin:compliance_processingactivity_export"),
            "unmapped_url": reverse("admin:catalog_datasetasset_changelist") + "?ropa=unmapped",
            "unmapped_count": unmapped,
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **extra})
