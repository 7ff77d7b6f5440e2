"""
The compliance officer's admin for subject requests: receive a request (identifiers typed in the form are
digested at once and never stored), see the impact with its lineage paths, work the action checklist, extend the
deadline once, record Art. 19 notices, scan a later version to verify a deletion, close, export the evidence.

Only compliance officers see any of it. Every write goes through ``compliance.services_requests`` (audited); this
module validates forms and renders pages. Identifiers only ever travel in POST bodies (never in URLs or messages).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from catalog.selectors import current_version
from compliance import selectors_requests as selectors
from compliance import services_requests as services
from compliance.evidence import subject_request_export
from compliance.identifiers import IdentifierKind
from compliance.models import (
    ActionKind,
    ActionStatus,
    ActionTarget,
    ActionVerification,
    ExemptionGround,
    Recipient,
    RequestChannel,
    RequestOutcome,
    RequestStatus,
    SubjectRequest,
    SubjectRequestAction,
    SubjectRequestKind,
)
from compliance.services import location_is_readable, scan_request
from core import roles
from core.admin import admin_actor
from core.exceptions import ApplicationError

__all__ = ("SubjectRequestAdmin", "deadline_badge")

IDENTIFIER_ROWS = 4
SOON_DAYS = 7
COLOURS = {"overdue": "#ba2121", "soon": "#b26b00", "ok": "#2e7d32", "closed": "#666"}


def deadline_badge(request: SubjectRequest, *, today=None) -> str:
    """A coloured badge: overdue (red), due within a week (amber), on time (green), closed (grey)."""
    facts = selectors.request_deadline_facts(request, today=today)
    due = facts["effective_due_on"]
    if request.status == RequestStatus.CLOSED:
        state, text = "closed", f"closed — due {due:%d %b %Y}"
    elif facts["is_overdue"]:
        state, text = "overdue", f"OVERDUE since {due:%d %b %Y} ({-facts['days_left']} d)"
    elif facts["days_left"] <= SOON_DAYS:
        state, text = "soon", f"due {due:%d %b %Y} ({facts['days_left']} d left)"
    else:
        state, text = "ok", f"due {due:%d %b %Y} ({facts['days_left']} d left)"
    if request.extension_months:
        text += f", extended +{request.extension_months} mo"
    return format_html(
        '<span class="dsr-deadline dsr-{}" style="color:#fff;background:{};padding:2px 6px;border-radius:3px;'
        'white-space:nowrap">{}</span>',
        state,
        COLOURS[state],
        text,
    )


#
# Forms (validation only; the rules live in the services)
#
class IdentifierInputWidget(forms.TextInput):
    """A text input that never renders a value back: a refused form does not echo the identifier."""

    def format_value(self, value):
        return None


class SubjectRequestReceiveForm(forms.Form):
    """The request as received. The identifier values are digested on submit and never stored or shown again."""

    kind = forms.ChoiceField(choices=SubjectRequestKind.choices)
    channel = forms.ChoiceField(choices=RequestChannel.choices, initial=RequestChannel.EMAIL)
    electronic = forms.BooleanField(required=False, initial=True, help_text="Made by electronic means (Art. 12(3)).")
    received_on = forms.DateField(
        initial=timezone.localdate, help_text="Day of receipt (YYYY-MM-DD); the deadline counts from the next day."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [("", "—")] + [(k.value, k.value.replace("_", " ")) for k in IdentifierKind]
        for index in range(1, IDENTIFIER_ROWS + 1):
            self.fields[f"identifier_kind_{index}"] = forms.ChoiceField(
                choices=kinds, required=False, label=f"Identifier {index}"
            )
            self.fields[f"identifier_value_{index}"] = forms.CharField(
                required=False,
                max_length=services.MAX_IDENTIFIER_LENGTH,
                label="",
                widget=IdentifierInputWidget(attrs={"autocomplete": "off", "spellcheck": "false", "size": 40}),
            )

    def identifier_rows(self):
        return [(self[f"identifier_kind_{i}"], self[f"identifier_value_{i}"]) for i in range(1, IDENTIFIER_ROWS + 1)]

    def clean(self):
        data = super().clean()
        identifiers, rows = [], []
        for index in range(1, IDENTIFIER_ROWS + 1):
            kind, value = data.get(f"identifier_kind_{index}"), data.get(f"identifier_value_{index}") or ""
            if kind and value.strip():
                identifiers.append(services.IdentifierInput(kind=kind, value=value))
                rows.append(index)
            elif kind or value.strip():
                self.add_error(f"identifier_kind_{index}", "Give both the kind and the value.")
        if not identifiers and not self.errors:
            raise forms.ValidationError("Give at least one identifier of the subject.")
        data["identifiers"] = identifiers
        data["identifier_rows"] = rows
        return data

    def add_identifier_errors(self, problems: list) -> None:
        """Put the service's per-identifier problems (which never quote a value) on the rows they belong to."""
        for row, problem in zip(self.cleaned_data["identifier_rows"], problems, strict=False):
            for text in (problem or {}).get("value", []):
                self.add_error(f"identifier_value_{row}", text)


class ExtensionForm(forms.Form):
    months = forms.TypedChoiceField(choices=((1, "1 month"), (2, "2 months")), coerce=int, initial=2)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text="As told to the subject (Art. 12(3))."
    )
    notified_on = forms.DateField(initial=timezone.localdate, help_text="Day the subject was told, with the reasons.")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in RequestOutcome.choices if c[0]])
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Reasons told to the subject; required for refusals (Art. 12(4)). No identifiers.",
    )


class IdentityForm(forms.Form):
    channel = forms.ChoiceField(choices=RequestChannel.choices)
    identity_requested_on = forms.DateField(required=False, label="Identity asked for on")
    identity_confirmed_on = forms.DateField(required=False, label="Identity confirmed on")


class NoticeForm(forms.Form):
    notified_on = forms.DateField(required=False)
    method = forms.CharField(required=False, max_length=255)
    not_notified_reason = forms.CharField(required=False, label="Or why not (impossible / disproportionate)")


class ActionForm(forms.Form):
    """One row of the checklist; only the fields the officer changed are sent to the service."""

    action = forms.ChoiceField()
    status = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.EXEMPTED)
        ]
    )
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    evidence_note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 28}))
    exemption_ground = forms.ChoiceField(choices=[("", "—"), *ExemptionGround.choices], required=False)
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 28}))

    def __init__(self, *args, item: SubjectRequestAction, allowed: tuple[str, ...], **kwargs):
        initial = {
            "action": item.action,
            "status": item.status,
            "assignee": item.assignee_id,
            "evidence_note": item.evidence_note,
            "exemption_ground": item.exemption_ground,
            "justification": item.justification,
        }
        super().__init__(*args, initial=initial, prefix=f"a{item.pk}", **kwargs)
        self.item = item
        self.fields["action"].choices = [(a, ActionKind(a).label) for a in allowed]
        self.fields["assignee"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


#
# Admin
#
class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", "Overdue"), ("no", "On time"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=RequestStatus.OPEN, effective_due__lt=timezone.localdate())
        if self.value() == "no":
            return queryset.exclude(status=RequestStatus.OPEN, effective_due__lt=timezone.localdate())
        return queryset


@admin.register(SubjectRequest)
class SubjectRequestAdmin(admin.ModelAdmin):
    """Subject requests from receipt to closure, for compliance officers only."""

    list_display = ("reference", "kind", "received_on", "deadline", "status", "outcome", "subject", "progress")
    list_filter = ("status", "kind", OverdueFilter)
    list_display_links = ("reference",)
    ordering = ("-received_on", "-id")
    list_per_page = 50

    #
    # Permissions: officers only, for everything
    #
    def _officer(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and roles.is_officer(request.user)

    def has_module_permission(self, request):
        return self._officer(request)

    def has_view_permission(self, request, obj=None):
        return self._officer(request)

    def has_add_permission(self, request):
        return self._officer(request)

    def has_change_permission(self, request, obj=None):
        return self._officer(request) and (obj is None or obj.status == RequestStatus.OPEN)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.subject_request_list(user=request.user)

    #
    # Changelist columns
    #
    @admin.display(description="Request", ordering="id")
    def reference(self, obj):
        return f"DSR-{obj.pk}"

    @admin.display(description="Deadline", ordering="effective_due")
    def deadline(self, obj):
        return deadline_badge(obj)

    @admin.display(description="Subject")
    def subject(self, obj):
        return ", ".join(i.hint for i in obj.identifiers.all()) or "—"

    @admin.display(description="Actions open / total")
    def progress(self, obj):
        return f"{obj.actions_open} / {obj.actions_total}"

    #
    # URLs
    #
    def get_urls(self):
        def view(func, suffix):
            name = f"compliance_subjectrequest_{suffix.replace('-', '_')}"
            return path(f"<int:pk>/{suffix}/", self.admin_site.admin_view(func), name=name)

        extra = [
            view(self.extend_view, "extend"),
            view(self.close_view, "close"),
            view(self.export_view, "export"),
            view(self.refresh_view, "refresh"),
            view(self.access_report_view, "access-report"),
            view(self.identity_view, "identity"),
            path(
                "<int:pk>/notify/<int:recipient_id>/",
                self.admin_site.admin_view(self.notify_view),
                name="compliance_subjectrequest_notify",
            ),
            path(
                "<int:pk>/actions/<int:action_id>/scan/",
                self.admin_site.admin_view(self.scan_view),
                name="compliance_subjectrequest_scan",
            ),
        ]
        return extra + super().get_urls()

    def _get(self, request, pk) -> SubjectRequest:
        if not self._officer(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _case_url(self, pk) -> str:
        return reverse("admin:compliance_subjectrequest_change", args=[pk])

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def _refused(self, request, exc: ApplicationError, form: forms.Form | None = None) -> None:
        """Show a service refusal: on the form's fields when they exist, as a message otherwise."""
        leftovers = []
        for field, problems in exc.extra.items():
            listed = problems if isinstance(problems, list | tuple) else [problems]
            text = " ".join(str(p) for p in listed if isinstance(p, str | int))
            if form is not None and field in form.fields:
                form.add_error(field, text)
            else:
                leftovers.append(text)
        self.message_user(request, " ".join([exc.message, *leftovers]), level=messages.ERROR)

    #
    # Receive
    #
    @method_decorator(sensitive_post_parameters(*(f"identifier_value_{i}" for i in range(1, IDENTIFIER_ROWS + 1))))
    @method_decorator(sensitive_variables("form"))
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubjectRequestReceiveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = services.subject_request_create(
                    kind=form.cleaned_data["kind"],
                    identifiers=form.cleaned_data["identifiers"],
                    received_on=form.cleaned_data["received_on"],
                    channel=form.cleaned_data["channel"],
                    electronic=form.cleaned_data["electronic"],
                    actor=admin_actor(request),
                )
            except services.InvalidIdentifiers as exc:
                if isinstance(exc.extra.get("identifiers"), list) and any(
                    isinstance(p, dict) for p in exc.extra["identifiers"]
                ):
                    form.add_identifier_errors(exc.extra["identifiers"])
                else:
                    form.add_error(None, exc.message)
            except ApplicationError as exc:
                self._refused(request, exc, form)
            else:
                self.message_user(
                    request,
                    f"DSR-{created.pk} received; due {created.due_on:%d %b %Y}. "
                    f"{created.actions.count()} affected item(s) found.",
                )
                return HttpResponseRedirect(self._case_url(created.pk))
        context = self._context(request, "Receive a subject request", form=form)
        return TemplateResponse(request, "admin/compliance/subjectrequest/receive.html", context)

    #
    # The case page: impact with paths and the action checklist
    #
    def change_view(self, request, object_id, form_url="", extra_context=None):
        subject_request = self._get(request, object_id)
        items = list(
            subject_request.actions.select_related(
                "version__asset", "deployment__model_version__asset", "assignee"
            ).order_by("depth", "id")
        )
        editable = subject_request.status == RequestStatus.OPEN
        forms_by_item = {
            item.pk: ActionForm(
                request.POST if request.method == "POST" else None,
                item=item,
                allowed=services.allowed_actions(kind=subject_request.kind, target=item.target, reason=item.reason),
            )
            for item in items
            if editable and item.status not in (ActionStatus.VERIFIED, ActionStatus.NOT_REQUIRED)
        }
        if request.method == "POST" and editable:
            saved, refused = 0, 0
            for form in forms_by_item.values():
                if not form.is_valid():
                    refused += 1
                    continue
                changes = form.changes()
                if not changes:
                    continue
                try:
                    services.subject_request_action_update(action=form.item, data=changes, actor=admin_actor(request))
                except ApplicationError as exc:
                    refused += 1
                    self._refused(request, exc, form)
                else:
                    saved += 1
            if saved:
                self.message_user(request, f"{saved} action(s) updated.")
            if not refused:
                return HttpResponseRedirect(self._case_url(subject_request.pk))
        return TemplateResponse(
            request,
            "admin/compliance/subjectrequest/case.html",
            self._case_context(request, subject_request, items, forms_by_item),
        )

    def _case_context(self, request, subject_request, items, forms_by_item) -> dict[str, Any]:
        impact = selectors.subject_request_impact(request=subject_request)
        rows_by_action = {row["action_id"]: row for row in [*impact["items"], *impact["deployments"]]}
        checks: dict[int, list[ActionVerification]] = {}
        for check in ActionVerification.objects.filter(action__request=subject_request).order_by("checked_at"):
            checks.setdefault(check.action_id, []).append(check)
        rows = []
        for item in items:
            row = rows_by_action[item.pk]
            rows.append(
                {
                    "item": item,
                    "impact": row,
                    "form": forms_by_item.get(item.pk),
                    "checks": checks.get(item.pk, []),
                    "can_scan": item.target == ActionTarget.DATASET
                    and item.action == ActionKind.DELETE_RECORDS
                    and item.status not in (ActionStatus.VERIFIED, ActionStatus.EXEMPTED),
                }
            )
        recipients = selectors.subject_request_recipients(request=subject_request)
        facts = selectors.request_deadline_facts(subject_request)
        return self._context(
            request,
            f"DSR-{subject_request.pk}: {subject_request.get_kind_display()}",
            subject_request=subject_request,
            badge=deadline_badge(subject_request),
            facts=facts,
            rows=rows,
            impact=impact,
            recipients=recipients,
            notice_form=NoticeForm(),
            identity_form=IdentityForm(
                initial={
                    "channel": subject_request.channel,
                    "identity_requested_on": subject_request.identity_requested_on,
                    "identity_confirmed_on": subject_request.identity_confirmed_on,
                }
            ),
            editable=subject_request.status == RequestStatus.OPEN,
            ready=selectors.request_is_ready_to_close(subject_request),
            can_extend=subject_request.status == RequestStatus.OPEN
            and not subject_request.extension_months
            and timezone.localdate() <= subject_request.due_on,
            is_access=subject_request.kind == SubjectRequestKind.ACCESS,
        )

    #
    # Buttons
    #
    def extend_view(self, request, pk):
        subject_request = self._get(request, pk)
        form = ExtensionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.subject_request_extend(
                    request=subject_request, actor=admin_actor(request), **form.cleaned_data
                )
            except ApplicationError as exc:
                self._refused(request, exc, form)
            else:
                self.message_user(request, f"DSR-{pk}: deadline extended.")
                return HttpResponseRedirect(self._case_url(pk))
        context = self._context(
            request,
            f"Extend the deadline of DSR-{pk}",
            form=form,
            subject_request=subject_request,
            question=f"First deadline {subject_request.due_on:%d %b %Y}. Art. 12(3) allows one extension of up to two "
            "months, decided and told to the subject (with the reasons) within the first month.",
        )
        return TemplateResponse(request, "admin/compliance/subjectrequest/form.html", context)

    def close_view(self, request, pk):
        subject_request = self._get(request, pk)
        form = CloseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.subject_request_close(request=subject_request, actor=admin_actor(request), **form.cleaned_data)
            except ApplicationError as exc:
                self._refused(request, exc, form)
            else:
                self.message_user(request, f"DSR-{pk} closed.")
                return HttpResponseRedirect(self._case_url(pk))
        context = self._context(
            request,
            f"Close DSR-{pk}",
            form=form,
            subject_request=subject_request,
            question="Fulfilled once every action is done, verified or exempted (partially fulfilled with exemptions).",
        )
        return TemplateResponse(request, "admin/compliance/subjectrequest/form.html", context)

    def identity_view(self, request, pk):
        subject_request = self._get(request, pk)
        form = IdentityForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.subject_request_update(
                    request=subject_request, data=form.cleaned_data, actor=admin_actor(request)
                )
            except ApplicationError as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, f"DSR-{pk} updated.")
        return HttpResponseRedirect(self._case_url(pk))

    def refresh_view(self, request, pk):
        subject_request = self._get(request, pk)
        if request.method == "POST":
            try:
                added = services.subject_request_refresh_impact(request=subject_request, actor=admin_actor(request))
            except ApplicationError as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, f"Impact recomputed: {len(added)} new affected item(s).")
        return HttpResponseRedirect(self._case_url(pk))

    def notify_view(self, request, pk, recipient_id):
        subject_request = self._get(request, pk)
        form = NoticeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            recipient = get_object_or_404(Recipient, pk=recipient_id)
            try:
                services.recipient_notification_record(
                    request=subject_request, recipient=recipient, actor=admin_actor(request), **form.cleaned_data
                )
            except ApplicationError as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, f"Art. 19 notice to {recipient} recorded.")
        return HttpResponseRedirect(self._case_url(pk))

    def scan_view(self, request, pk, action_id):
        """Queue a scan of the dataset's current version (full mode) so the deletion can be verified."""
        subject_request = self._get(request, pk)
        item = get_object_or_404(
            SubjectRequestAction.objects.select_related("version__asset"), pk=action_id, request=subject_request
        )
        if request.method != "POST" or item.version_id is None:
            return HttpResponseRedirect(self._case_url(pk))
        latest = current_version(asset=item.version.asset)
        if latest is None or latest.pk == item.version_id or latest.produced_at < item.version.produced_at:
            self.message_user(
                request,
                f"{item.version.asset} has no version newer than {item.version.version}: publish one without the "
                "subject's records first.",
                level=messages.ERROR,
            )
        elif not location_is_readable(latest.uri):
            self.message_user(
                request,
                f"{latest} is not readable from here: upload it over the API (POST /api/scans/) to scan it.",
                level=messages.ERROR,
            )
        else:
            try:
                scan_request(version=latest, actor=admin_actor(request), location=latest.uri, full=True)
            except ApplicationError as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, f"Full scan of {latest} queued: the action is verified when it ends.")
        return HttpResponseRedirect(self._case_url(pk))

    def export_view(self, request, pk):
        subject_request = self._get(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(self._case_url(pk))
        bundle = subject_request_export(request=subject_request, actor=admin_actor(request))
        response = HttpResponse(bundle.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
        return response

    def access_report_view(self, request, pk):
        subject_request = self._get(request, pk)
        report = selectors.subject_request_access_report(request=subject_request)
        context = self._context(
            request, f"Access report (Art. 15) for DSR-{pk}", report=report, subject_request=subject_request
        )
        return TemplateResponse(request, "admin/compliance/subjectrequest/access_report.html", context)
