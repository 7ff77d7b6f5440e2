from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import roles

__all__ = ("OfficerOnly", "RolePermission")


class RolePermission(BasePermission):
    """
    The role matrix for the REST API.

    Anonymous: nothing (401). Any role reads. Scientists and officers write; auditors never do. Object writes by a
    scientist need ownership (``owns``) unless the view opts out with ``owner_write_only = False``. Views can
    restrict writes to officers with ``officer_only_write = True``.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return roles.can_read(user)
        if getattr(view, "officer_only_write", False):
            return roles.is_officer(user)
        return roles.can_write(user)

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            return roles.can_read(user)
        if roles.is_officer(user):
            return True
        if not getattr(view, "owner_write_only", True):
            return roles.can_write(user)
        owner_of = getattr(view, "get_owned_object", None)
        target = owner_of(obj) if owner_of else obj
        return roles.can_write(user) and roles.owns(user, target)


class OfficerOnly(BasePermission):
    """Compliance officers only, for reads and writes alike (subject requests)."""

    message = "Only compliance officers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and roles.is_officer(request.user))
