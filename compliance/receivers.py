"""Receivers of catalog signals (see docs/signals.md)."""

from compliance.services import location_is_readable, scan_request

__all__ = ("scan_new_version",)


def scan_new_version(sender, *, version, actor, **kwargs) -> None:
    """Queue a scan of a newly registered version when its URI is readable from here (a local file or database)."""
    if location_is_readable(version.uri):
        scan_request(version=version, actor=actor)
