"""Auditor-facing GraphQL of compliance: read-only Query mixins composed in ``config.graphql_schema``."""
