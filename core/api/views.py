"""Shared view helpers for the apps' REST APIs."""

from rest_framework import mixins, viewsets

from core.audit import Actor
from core.models import AuditChannel

__all__ = ("ReadWriteViewSet", "api_actor")


def api_actor(request) -> Actor:
    """The audit actor for a REST request."""
    return Actor.from_request(request, channel=AuditChannel.API)


class ReadWriteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List and retrieve from a selector; subclasses implement create/update/destroy through services."""
