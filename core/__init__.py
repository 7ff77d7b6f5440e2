"""Cross-cutting foundation: the user model, roles, the audit log and the shared API/GraphQL bases."""
