"""Runnable workloads measured against the targets in DESIGN.md (make bench)."""
