"""Admin for users and the read-only audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.audit import Actor
from core.models import AuditChannel, AuditEvent, User

__all__ = ("AuditEventAdmin", "ReadOnlyAdminMixin", "admin_actor")


def admin_actor(request) -> Actor:
    """The audit actor for an admin request."""
    return Actor.from_request(request, channel=AuditChannel.ADMIN)


class ReadOnlyAdminMixin:
    """Shows rows, never writes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_staff", "is_service_account", "role_names")
    list_filter = ("groups", "is_staff", "is_service_account")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all())


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: append-only, hash-chained. Nobody edits or deletes it here."""

    list_display = ("id", "occurred_at", "actor_label", "channel", "action", "object_type", "object_repr")
    list_filter = ("channel", "action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id", "reason")
    date_hierarchy = "occurred_at"
    readonly_fields = tuple(f.name for f in AuditEvent._meta.fields)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj)
