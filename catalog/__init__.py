"""The catalog: assets (datasets and models), their immutable versions, sources, licences and deployments."""
