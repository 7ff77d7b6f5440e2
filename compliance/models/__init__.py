"""Compliance models (scans, findings, subject requests … arrive with their issues)."""

__all__: tuple[str, ...] = ()
