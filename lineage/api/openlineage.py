"""
The OpenLineage endpoint: ``POST /api/v1/lineage`` (one event, or a JSON array all-or-nothing) and
``POST /api/v1/lineage/batch`` (the spec's batch: ``204`` or ``200`` with a partial-success report).

Thin adapters: decode the body (``lineage.openlineage.decode_body``), call ``lineage.ingestion``, map outcomes to
status codes. Producers answer to every non-2xx by raising in their pipeline, so the codes follow the reference
(§4): ``201`` accepted or duplicate, ``400`` not JSON / bad gzip, ``401``/``403`` token, ``413`` over the
decompressed cap, ``422`` invalid event (with the violations), ``503`` + ``Retry-After`` when the database is
unavailable. ``GET /api/v1/lineage`` is Marquez's lineage graph (``lineage.api.marquez``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api.authentication import TokenOrBearerAuthentication
from core.audit import Actor
from core.models import AuditChannel
from lineage.ingestion import EventOutcome, IngestResult, IngestUnavailable, openlineage_events_ingest
from lineage.openlineage import BatchItemResult, BodyError, batch_report, decode_body

__all__ = (
    "ApiKeyHeaderAuthentication",
    "LineageBatchView",
    "LineageView",
    "OpenLineageAccess",
)

RETRY_AFTER_SECONDS = "2"


class ApiKeyHeaderAuthentication(BaseAuthentication):
    """``X-API-Key: <token>`` (the OpenLineage client's ``custom_headers``), the same API token as ``Bearer``."""

    def authenticate(self, request):
        key = request.META.get("HTTP_X_API_KEY", "").strip()
        if not key:
            return None
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid API key.")
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"


class OpenLineageAccess(BasePermission):
    """Writing needs a writing role (scientists, officers); reading any role. Anonymous: 401."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return roles.can_read(user)
        return roles.can_write(user)


class _OpenLineageView(APIView):
    schema = None  # the OpenLineage protocol (spec/OpenLineage.yml), not part of Custodian's REST OpenAPI document
    authentication_classes = (TokenOrBearerAuthentication, ApiKeyHeaderAuthentication)
    permission_classes = (OpenLineageAccess,)
    parser_classes = ()  # the raw body is decoded by decode_body (gzip by header or magic bytes, size cap)

    def _decode(self, request) -> tuple[Any, Response | None]:
        limit = settings.CUSTODIAN_OPENLINEAGE_MAX_BYTES
        try:
            raw = request.body
        except RequestDataTooBig:
            too_big = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            return None, Response({"detail": "request body is too large"}, status=too_big)
        try:
            return decode_body(raw, content_encoding=request.META.get("HTTP_CONTENT_ENCODING"), max_bytes=limit), None
        except BodyError as exc:
            return None, Response({"detail": exc.reason}, status=exc.status)

    @staticmethod
    def _actor(request) -> Actor:
        return Actor.from_request(request, channel=AuditChannel.OPENLINEAGE)

    @staticmethod
    def _unavailable(exc: IngestUnavailable) -> Response:
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
        return Response({"detail": exc.message}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


class LineageView(_OpenLineageView):
    """``POST``: ingest one event (or an array, all-or-nothing); ``GET``: the Marquez-compatible lineage graph."""

    def get(self, request):
        from lineage.api.marquez import lineage_graph_response

        return lineage_graph_response(request)

    def post(self, request):
        payload, error = self._decode(request)
        if error is not None:
            return error
        events = payload if isinstance(payload, list) else [payload]
        try:
            result = openlineage_events_ingest(payloads=events, actor=self._actor(request), atomic=True)
        except IngestUnavailable as exc:
            return self._unavailable(exc)
        if isinstance(payload, list):
            return _array_response(result)
        if result.rejections:
            rejection = result.rejections[0]
            body = {"detail": f"invalid OpenLineage event: {rejection.reason}", "violations": rejection.violations}
            return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(status=status.HTTP_201_CREATED)


def _array_response(result: IngestResult) -> Response:
    invalid = {index: r for index, r in result.rejections.items() if r.violations}
    if result.rejections:
        body = {
            "detail": f"{len(invalid)} of {len(result.outcomes)} events are invalid; nothing was stored",
            "failed_events": [
                {"index": index, "reason": r.reason, "violations": r.violations} for index, r in sorted(invalid.items())
            ],
        }
        return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    _, body = batch_report([BatchItemResult.accepted() for _ in result.outcomes], report_success=True)
    return Response(body, status=status.HTTP_200_OK)


class LineageBatchView(_OpenLineageView):
    """``POST /api/v1/lineage/batch``: a JSON array, stored in one transaction; invalid events are reported."""

    def post(self, request):
        payload, error = self._decode(request)
        if error is not None:
            return error
        if not isinstance(payload, list):
            return Response({"detail": "the batch endpoint takes a JSON array of events"}, status=400)
        try:
            result = openlineage_events_ingest(payloads=payload, actor=self._actor(request), atomic=False)
        except IngestUnavailable as exc:
            return self._unavailable(exc)
        items = [
            BatchItemResult.rejected(result.rejections[index].reason)
            if outcome == EventOutcome.REJECTED
            else BatchItemResult.accepted()
            for index, outcome in enumerate(result.outcomes)
        ]
        code, body = batch_report(items)
        if body is None:
            return Response(status=code)
        return Response(body, status=code)
