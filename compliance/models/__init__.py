"""
Compliance models.

``Scan`` (one pass over a source for a dataset version: PII classification, quality profile, subject-key index),
its ``ColumnFinding`` rows (verdicts with masked examples only) and the ``SubjectKey`` index (keyed digests of
normalised identifiers — never the identifiers).
"""

from compliance.models.scans import ColumnFinding, Scan, SubjectKey

__all__ = ("ColumnFinding", "Scan", "SubjectKey")
