"""
Admin for compliance officers: datasets and models as separate entries, versions with their schema, sources,
licences, purposes and deployments. Every write goes through ``catalog.services``, so it is audited.
"""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from catalog import services
from catalog.choices import AssetKind
from catalog.models import AssetVersion, DatasetAsset, Deployment, Field, Licence, ModelAsset, Purpose, Source
from core.admin import admin_actor
from core.exceptions import ApplicationError

__all__ = ("DatasetAdmin", "ModelAdmin", "VersionAdmin")


def _changed(form, *, skip=()) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name not in skip}


def profile_table(profile: dict):
    """The quality profile as a compact table: one row per column."""
    if not profile:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                name,
                column.get("type", ""),
                f"{column.get('nulls', 0):,} ({column.get('null_rate', 0):.1%})",
                f"{'≈' if column.get('distinct_is_estimate') else ''}{column.get('distinct', 0):,}",
                "suppressed" if column.get("ranges_suppressed") else _fmt(column.get("min")),
                "suppressed" if column.get("ranges_suppressed") else _fmt(column.get("max")),
            )
            for name, column in profile.get("columns", {}).items()
        ),
    )
    duplicates = f"{'≈' if profile.get('duplicate_rows_is_estimate') else ''}{profile.get('duplicate_rows', 0):,}"
    return format_html(
        "<p>{} rows, {} duplicate rows</p><table><thead><tr><th>Column</th><th>Type</th><th>Nulls</th>"
        "<th>Distinct</th><th>Min</th><th>Max</th></tr></thead><tbody>{}</tbody></table>",
        f"{profile.get('rows', 0):,}",
        duplicates,
        rows,
    )


def _fmt(value) -> str:
    return "—" if value is None else str(value)


class ServiceAdmin(admin.ModelAdmin):
    """Routes admin saves and deletes to services; service refusals become error messages, not 500s."""

    def save_related(self, request, form, formsets, change):
        # Many-to-many values were passed to the service in save_model; only inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def _run(self, request, func, **kwargs):
        try:
            return func(**kwargs)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            raise


class VersionInline(admin.TabularInline):
    model = AssetVersion
    fields = ("version", "state", "privacy_measure", "row_count", "produced_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ("-produced_at",)

    def has_add_permission(self, request, obj=None):
        return False


class AssetAdminBase(ServiceAdmin):
    kind = AssetKind.DATASET
    list_display = (
        "qualified",
        "status",
        "effective_licence",
        "consent_status",
        "contains_personal_data",
        "owner",
        "updated_at",
    )
    list_select_related = ("declared_licence", "concluded_licence", "owner", "source")
    list_filter = (
        "status",
        "consent_status",
        "contains_personal_data",
        ("declared_licence", admin.RelatedOnlyFieldListFilter),
        ("concluded_licence", admin.RelatedOnlyFieldListFilter),
        ("owner", admin.RelatedOnlyFieldListFilter),
        "special_category",
    )
    search_fields = ("namespace", "name", "description")
    readonly_fields = ("contains_personal_data", "created_at", "updated_at")
    autocomplete_fields = ()
    filter_horizontal = ("purposes",)
    inlines = (VersionInline,)
    base_fieldsets = [
        (None, {"fields": ("namespace", "name", "description", "status", "owner", "tags")}),
        ("Provenance and licence", {"fields": ("source", "declared_licence", "concluded_licence")}),
        (
            "GDPR",
            {
                "fields": (
                    "lawful_basis",
                    "consent_status",
                    "purposes",
                    "contains_personal_data",
                    "special_category",
                    "special_category_condition",
                    "retention_until",
                )
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.base_fieldsets)
        if self.kind == AssetKind.MODEL:
            fieldsets.append(("Model", {"fields": ("task", "intended_use", "out_of_scope_use", "commercial_use")}))
        fieldsets.append(("Record", {"fields": ("created_at", "updated_at")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["namespace", "name"]
        return fields

    @admin.display(description="Asset", ordering="name")
    def qualified(self, obj):
        return obj.qualified_name

    @admin.display(description="Licence")
    def effective_licence(self, obj):
        licence = obj.licence
        return licence.spdx_id if licence else "—"

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            data = _changed(form)
            if data:
                self._run(request, services.asset_update, asset=obj, data=data, actor=actor)
            return
        data = dict(form.cleaned_data)
        for key in ("namespace", "name", "declared_licence"):
            data.pop(key, None)
        purposes = data.pop("purposes", [])
        asset = self._run(
            request,
            services.asset_register,
            actor=actor,
            kind=self.kind,
            namespace=form.cleaned_data["namespace"],
            name=form.cleaned_data["name"],
            licence=form.cleaned_data.get("declared_licence"),
            purposes=purposes,
            **{k: v for k, v in data.items() if v not in (None, "") or k in ("special_category", "commercial_use")},
        )
        obj.pk = obj.id = asset.pk

    def delete_model(self, request, obj):
        self._run(request, services.asset_delete, asset=obj, actor=admin_actor(request))


@admin.register(DatasetAsset)
class DatasetAdmin(AssetAdminBase):
    kind = AssetKind.DATASET


@admin.register(ModelAsset)
class ModelAdmin(AssetAdminBase):
    kind = AssetKind.MODEL
    list_display = (*AssetAdminBase.list_display[:-1], "commercial_use", "updated_at")
    list_filter = (*AssetAdminBase.list_filter, "commercial_use")


class FieldInline(admin.TabularInline):
    model = Field
    fields = ("ordinal", "name", "data_type", "pii_entities", "description")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssetVersion)
class VersionAdmin(ServiceAdmin):
    list_display = ("__str__", "kind", "state", "privacy_measure", "row_count", "produced_at")
    list_select_related = ("asset",)
    list_filter = ("asset__kind", "state", "privacy_measure")
    search_fields = ("asset__namespace", "asset__name", "version", "uri")
    inlines = (FieldInline,)
    date_hierarchy = "produced_at"
    fields = (
        "asset",
        "version",
        "uri",
        "content_hash",
        "size_bytes",
        "row_count",
        "produced_at",
        "description",
        "privacy_measure",
        "k_anonymity",
        "dp_epsilon",
        "dp_delta",
        "state",
        "quality_profile_display",
        "pii_summary_display",
    )
    raw_id_fields = ("asset",)

    def get_readonly_fields(self, request, obj=None):
        shown = ["quality_profile_display", "pii_summary_display"]
        if obj is None:
            return [*shown, "state"]
        return [*AssetVersion.IMMUTABLE_FIELDS, "state", *shown]

    @admin.display(description="Kind", ordering="asset__kind")
    def kind(self, obj):
        return obj.asset.kind

    @admin.display(description="Quality profile")
    def quality_profile_display(self, obj):
        return profile_table(obj.quality_profile)

    @admin.display(description="PII summary")
    def pii_summary_display(self, obj):
        summary = obj.pii_summary or {}
        if not summary:
            return "—"
        columns = ", ".join(summary.get("personal_data_columns", [])) or "none"
        return format_html(
            "Personal data in: <strong>{}</strong>; {} subject keys indexed (details in the findings below).",
            columns,
            f"{summary.get('subject_keys', 0):,}",
        )

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            data = _changed(form)
            if data:
                self._run(request, services.version_update, version=obj, data=data, actor=actor)
            return
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        asset = data.pop("asset")
        label = data.pop("version")
        version = self._run(request, services.version_register, actor=actor, asset=asset, version=label, **data)
        obj.pk = obj.id = version.pk

    def has_delete_permission(self, request, obj=None):
        return False  # Versions are evidence; mark them superseded or erased instead.


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = ("name", "kind", "supplier", "agreement_reference", "acquired_on")
    list_filter = ("kind",)
    search_fields = ("name", "supplier", "agreement_reference")

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            self._run(request, services.source_update, source=obj, data=_changed(form), actor=actor)
        else:
            source = self._run(request, services.source_create, actor=actor, **form.cleaned_data)
            obj.pk = obj.id = source.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ServiceAdmin):
    list_display = ("spdx_id", "name", "use_class", "attribution_required", "share_alike", "derivatives_allowed")
    list_filter = ("use_class", "share_alike", "derivatives_allowed", "attribution_required")
    search_fields = ("spdx_id", "name")

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            self._run(request, services.licence_update, licence=obj, data=_changed(form), actor=actor)
        else:
            data = dict(form.cleaned_data)
            licence = self._run(
                request,
                services.licence_create,
                actor=actor,
                spdx_id=data.pop("spdx_id"),
                name=data.pop("name"),
                **data,
            )
            obj.pk = obj.id = licence.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Purpose)
class PurposeAdmin(ServiceAdmin):
    list_display = ("name", "lawful_basis")
    list_filter = ("lawful_basis",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            self._run(request, services.purpose_update, purpose=obj, data=_changed(form), actor=actor)
        else:
            purpose = self._run(request, services.purpose_create, actor=actor, **form.cleaned_data)
            obj.pk = obj.id = purpose.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deployment)
class DeploymentAdmin(ServiceAdmin):
    list_display = ("model_version", "environment", "endpoint", "deployed_at", "retired_at")
    list_select_related = ("model_version__asset",)
    list_filter = ("environment",)
    search_fields = ("model_version__asset__name", "endpoint", "environment")
    raw_id_fields = ("model_version",)
    fields = ("model_version", "environment", "endpoint", "deployed_at", "retired_at", "notes")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("retired_at",)
        return ("model_version", "environment", "endpoint", "deployed_at", "notes")

    def save_model(self, request, obj, form, change):
        actor = admin_actor(request)
        if change:
            if "retired_at" in form.changed_data and form.cleaned_data.get("retired_at"):
                self._run(
                    request,
                    services.deployment_retire,
                    deployment=obj,
                    actor=actor,
                    retired_at=form.cleaned_data["retired_at"],
                )
            return
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") and k != "retired_at"}
        deployment = self._run(request, services.deployment_create, actor=actor, **data)
        obj.pk = obj.id = deployment.pk

    def has_delete_permission(self, request, obj=None):
        return False
