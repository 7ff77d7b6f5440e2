from core.exceptions import ApplicationError, PermissionDenied

__all__ = ("ImmutableVersion", "OfficerRequired", "UnknownLicence")


class UnknownLicence(ApplicationError):
    """The licence identifier names no licence in the catalog."""


class ImmutableVersion(ApplicationError):
    """A content fact of a registered version was asked to change."""


class OfficerRequired(PermissionDenied):
    """Only a compliance officer may do this (approve, restrict, conclude a licence)."""
