"""Lineage: jobs, runs, version-to-version edges, OpenLineage ingestion and graph traversal."""
