"""Compliance: PII scanning, subject requests, propagation along lineage, licences and records for regulators."""
