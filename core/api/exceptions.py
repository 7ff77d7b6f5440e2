"""Map domain errors to DRF error bodies so no interface answers 500 for bad input."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError

__all__ = ("exception_handler",)


def exception_handler(exc, context):
    """DRF's handler, extended with Django ``ValidationError``, ``ApplicationError`` and integrity errors."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ApplicationError):
        body = {"detail": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)
    elif isinstance(exc, IntegrityError):
        return Response({"detail": "The change conflicts with existing data."}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
