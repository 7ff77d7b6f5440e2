"""``POST /api/auth/token/``: exchange a username and password for the API token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

__all__ = ("TokenView",)


class TokenView(ObtainAuthToken):
    """Returns ``{"token": …}``; send it as ``Authorization: Token …`` or ``Authorization: Bearer …``."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
