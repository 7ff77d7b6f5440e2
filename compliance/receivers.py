"""Receivers of catalog and lineage signals (see docs/signals.md)."""

from compliance.propagation import flags_follow_lineage, flags_follow_new_version
from compliance.services import location_is_readable, scan_request
from core.audit import Actor

__all__ = ("flag_new_lineage", "flag_new_version", "scan_new_version")


def scan_new_version(sender, *, version, actor, **kwargs) -> None:
    """Queue a scan of a newly registered version when its URI is readable from here (a local file or database)."""
    if location_is_readable(version.uri):
        scan_request(version=version, actor=actor)


def flag_new_version(sender, *, version, actor, **kwargs) -> None:
    """A new version of a dataset under an active consent withdrawal, or of an expired asset, gets that flag."""
    flags_follow_new_version(version=version, actor=actor)


def flag_new_lineage(sender, *, runs, actor=None, **kwargs) -> None:
    """New edges below a flagged version carry its flags further down (same transaction as the edges)."""
    flags_follow_lineage(runs=runs, actor=actor or Actor.system("lineage"))
