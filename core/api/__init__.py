"""Shared DRF bases: authentication, permissions, pagination and the error handler."""
