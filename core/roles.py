"""
Roles and the one place that decides who may do what.

Roles are Django groups. Every interface (admin, REST, GraphQL) asks these functions; none decides on its own.
"""

from __future__ import annotations

from typing import Any

__all__ = (
    "AUDITOR",
    "COMPLIANCE_OFFICER",
    "DATA_SCIENTIST",
    "ROLES",
    "can_read",
    "can_write",
    "has_role",
    "is_officer",
    "owns",
    "user_roles",
)

DATA_SCIENTIST = "data_scientist"
COMPLIANCE_OFFICER = "compliance_officer"
AUDITOR = "auditor"
ROLES = (DATA_SCIENTIST, COMPLIANCE_OFFICER, AUDITOR)


def user_roles(user: Any) -> frozenset[str]:
    """The user's role names, cached on the instance for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_custodian_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {COMPLIANCE_OFFICER}
        user._custodian_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_officer(user: Any) -> bool:
    return has_role(user, COMPLIANCE_OFFICER)


def can_read(user: Any) -> bool:
    """Every role reads the catalog; users without a role and anonymous users read nothing."""
    return bool(user_roles(user))


def can_write(user: Any) -> bool:
    """Scientists and officers write; auditors are read-only."""
    return has_role(user, DATA_SCIENTIST, COMPLIANCE_OFFICER)


def owns(user: Any, obj: Any) -> bool:
    """Whether ``obj`` (anything with ``owner_id``) belongs to ``user``."""
    return getattr(obj, "owner_id", None) == getattr(user, "pk", object())


# Model permissions per role: "*" = every permission of the app's models, else the listed actions.
ROLE_PERMISSIONS: dict[str, dict[str, str | tuple[str, ...]]] = {
    COMPLIANCE_OFFICER: {
        "catalog": "*",
        "lineage": "*",
        "compliance": "*",
        "core.auditevent": ("view",),
        "core.user": ("view",),
    },
    DATA_SCIENTIST: {
        "catalog": ("view", "add", "change"),
        "lineage": ("view", "add", "change"),
    },
    AUDITOR: {
        "catalog": ("view",),
        "lineage": ("view",),
        "compliance": ("view",),
        "core.auditevent": ("view",),
    },
}


def sync_role_permissions(**kwargs: Any) -> None:
    """Give each role group its model permissions (run after every migrate; idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for target, actions in grants.items():
            if "." in target:
                app_label, model = target.split(".")
                perms = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
            else:
                perms = Permission.objects.filter(content_type__app_label=target)
            if actions != "*":
                perms = [p for p in perms if p.codename.split("_", 1)[0] in actions]
            wanted.extend(perms)
        group.permissions.set(wanted)
