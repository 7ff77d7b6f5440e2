"""
Marquez-compatible read API under ``/api/v1/`` so Marquez tooling can point at Custodian.

Thin views over ``lineage.marquez``: parse the query, call the selector, answer in Marquez's shapes. Any role
reads (token, bearer, ``X-API-Key`` or an admin session); anonymous callers get ``401``.

Namespaces and names contain ``:`` and ``/`` (``s3://bucket``, ``events/2024``) and arrive URL-encoded. WSGI
decodes ``%2F`` before routing, so the namespace routes read the raw path when the server passes it
(gunicorn ``RAW_URI``, uWSGI ``REQUEST_URI``) and otherwise pick the reading of the decoded path that names
existing rows.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote, urlsplit

from django.http import Http404
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Asset
from core.api.authentication import TokenOrBearerAuthentication
from lineage import marquez
from lineage.api.openlineage import ApiKeyHeaderAuthentication, OpenLineageAccess
from lineage.models import Job
from lineage.openlineage import parse_event_time

__all__ = (
    "ColumnLineageView",
    "LineageEventsView",
    "NamespaceListView",
    "NamespaceResourceView",
    "RunFacetsView",
    "RunView",
    "SearchView",
    "lineage_graph_response",
)

PREFIX = "/api/v1/namespaces/"
MAX_LIMIT = 1000


class BadQuery(ValueError):
    """A query parameter is malformed: 400."""


def _int(request, name: str, default: int, *, minimum: int = 0, maximum: int = MAX_LIMIT) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery(f"{name} must be an integer") from exc
    if value < minimum:
        raise BadQuery(f"{name} must be at least {minimum}")
    return min(value, maximum)


def _time(request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return parse_event_time(raw)
    except ValueError as exc:
        raise BadQuery(f"{name} must be an ISO 8601 date-time") from exc


class MarquezView(APIView):
    schema = None  # Marquez's API (documented by Marquez), not part of Custodian's REST OpenAPI document
    authentication_classes = (TokenOrBearerAuthentication, ApiKeyHeaderAuthentication, SessionAuthentication)
    permission_classes = (OpenLineageAccess,)

    def handle_exception(self, exc):
        if isinstance(exc, marquez.MarquezNotFound):
            return Response({"code": 404, "message": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        if isinstance(exc, BadQuery | ValueError):
            return Response({"code": 400, "message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


def lineage_graph_response(request) -> Response:
    """``GET /api/v1/lineage?nodeId=…&depth=20`` (served by the OpenLineage view, which owns the URL)."""
    node_id = request.query_params.get("nodeId")
    if not node_id:
        return Response({"code": 400, "message": "nodeId is required"}, status=status.HTTP_400_BAD_REQUEST)
    try:
        depth = _int(request, "depth", 20, maximum=10_000)
        return Response(marquez.lineage_graph(node_id=node_id, depth=depth))
    except marquez.MarquezNotFound as exc:
        return Response({"code": 404, "message": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    except ValueError as exc:
        return Response({"code": 400, "message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


class NamespaceListView(MarquezView):
    """``GET /api/v1/namespaces``."""

    def get(self, request):
        limit, offset = _int(request, "limit", 100), _int(request, "offset", 0, maximum=10**9)
        return Response(marquez.namespace_list(limit=limit, offset=offset))


def _raw_segments(request) -> list[str] | None:
    """The path below ``/api/v1/namespaces/`` split on literal ``/``, each segment decoded; None without a raw path."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if not raw:
        return None
    path = urlsplit(raw).path
    if not path.startswith(PREFIX):
        return None
    return [unquote(segment) for segment in path[len(PREFIX) :].split("/")]


def _readings(segments: list[str]) -> list[tuple[str, str | None, str | None, str | None]]:
    """
    Every way to read decoded segments as ``(namespace, collection, name, tail)``: collection ``datasets`` or
    ``jobs`` (None for the namespace itself), tail ``versions``, ``versions/<v>`` or ``runs``.
    """
    readings: list[tuple[str, str | None, str | None, str | None]] = [("/".join(segments), None, None, None)]
    for i, segment in enumerate(segments):
        if segment not in ("datasets", "jobs") or i == 0:
            continue
        namespace, rest = "/".join(segments[:i]), segments[i + 1 :]
        if not rest:
            readings.append((namespace, segment, None, None))
            continue
        readings.append((namespace, segment, "/".join(rest), None))
        tail_word = "versions" if segment == "datasets" else "runs"
        for j in range(1, len(rest)):
            if rest[j] == tail_word and j >= 1:
                tail = "/".join(rest[j:])
                if tail == tail_word or (tail_word == "versions" and len(rest) - j == 2):
                    readings.append((namespace, segment, "/".join(rest[:j]), tail))
    return readings


def _exists(namespace: str, collection: str | None, name: str | None) -> bool:
    if collection is None:
        return Asset.objects.filter(namespace=namespace).exists() or Job.objects.filter(namespace=namespace).exists()
    model = Asset if collection == "datasets" else Job
    if name is None:
        return model.objects.filter(namespace=namespace).exists()
    return model.objects.filter(namespace=namespace, name=name).exists()


class NamespaceResourceView(MarquezView):
    """
    ``GET /api/v1/namespaces/{ns}``, ``…/{ns}/datasets[/{name}[/versions[/{version}]]]`` and
    ``…/{ns}/jobs[/{name}[/runs]]``.
    """

    def get(self, request, rest: str):
        reading = self._reading(request, rest)
        if reading is None:
            raise Http404
        namespace, collection, name, tail = reading
        limit, offset = _int(request, "limit", 100), _int(request, "offset", 0, maximum=10**9)
        if collection is None:
            return Response(marquez.namespace_get(namespace=namespace))
        if collection == "datasets":
            if name is None:
                return Response(marquez.dataset_list(namespace=namespace, limit=limit, offset=offset))
            if tail is None:
                return Response(marquez.dataset_get(namespace=namespace, name=name))
            if tail == "versions":
                return Response(marquez.dataset_versions(namespace=namespace, name=name, limit=limit, offset=offset))
            version = tail.split("/", 1)[1]
            return Response(marquez.dataset_version_get(namespace=namespace, name=name, version=version))
        if name is None:
            return Response(marquez.job_list(namespace=namespace, limit=limit, offset=offset))
        if tail is None:
            return Response(marquez.job_get(namespace=namespace, name=name))
        return Response(marquez.job_runs(namespace=namespace, name=name, limit=limit, offset=offset))

    @staticmethod
    def _reading(request, rest: str):
        segments = _raw_segments(request)
        if segments is not None:
            exact = _structural(segments)
            if exact is not None:
                return exact
        readings = _readings(rest.split("/"))
        if len(readings) == 1:
            return readings[0]
        for reading in reversed(readings):
            if _exists(reading[0], reading[1], reading[2]):
                return reading
        return readings[-1]


def _structural(segments: list[str]):
    """The reading of raw segments where every literal ``/`` separates (names had theirs encoded), or None."""
    if len(segments) == 1:
        return (segments[0], None, None, None)
    namespace, collection, *rest = segments
    if collection not in ("datasets", "jobs") or not namespace:
        return None
    if not rest:
        return (namespace, collection, None, None)
    name, *tail = rest
    if not tail:
        return (namespace, collection, name, None)
    if collection == "datasets" and tail[0] == "versions" and len(tail) <= 2:
        return (namespace, collection, name, "/".join(tail))
    if collection == "jobs" and tail == ["runs"]:
        return (namespace, collection, name, "runs")
    return None


class RunView(MarquezView):
    """``GET /api/v1/jobs/runs/{id}``."""

    def get(self, request, run_id: str):
        return Response(marquez.run_get(run_id=run_id))


class RunFacetsView(MarquezView):
    """``GET /api/v1/jobs/runs/{id}/facets?type=run|job``."""

    def get(self, request, run_id: str):
        kind = request.query_params.get("type", "run").lower()
        if kind not in ("run", "job"):
            raise BadQuery("type must be run or job")
        return Response(marquez.run_facets(run_id=run_id, kind=kind))


class ColumnLineageView(MarquezView):
    """``GET /api/v1/column-lineage?nodeId=…&depth=20&withDownstream=false``."""

    def get(self, request):
        node_id = request.query_params.get("nodeId")
        if not node_id:
            raise BadQuery("nodeId is required")
        depth = _int(request, "depth", 20, maximum=10_000)
        downstream = request.query_params.get("withDownstream", "false").lower() in ("true", "1", "yes")
        return Response(marquez.column_lineage_graph(node_id=node_id, depth=depth, with_downstream=downstream))


class SearchView(MarquezView):
    """``GET /api/v1/search?q=&filter=dataset|job&sort=name|updated_at&limit=10&namespace=``."""

    def get(self, request):
        q = request.query_params.get("q", "")
        kind = request.query_params.get("filter") or None
        if kind and kind.lower() not in ("dataset", "job"):
            raise BadQuery("filter must be dataset or job")
        sort = request.query_params.get("sort", "name").lower()
        if sort not in ("name", "updated_at"):
            raise BadQuery("sort must be name or updated_at")
        return Response(
            marquez.search(
                q=q,
                filter=kind,
                sort=sort,
                limit=_int(request, "limit", 10),
                namespace=request.query_params.get("namespace") or None,
            )
        )


class LineageEventsView(MarquezView):
    """``GET /api/v1/events/lineage?before=&after=&sortDirection=desc&limit=100&offset=0``: the raw events."""

    def get(self, request):
        direction = request.query_params.get("sortDirection", "desc").lower()
        if direction not in ("asc", "desc"):
            raise BadQuery("sortDirection must be asc or desc")
        return Response(
            marquez.lineage_events(
                before=_time(request, "before"),
                after=_time(request, "after"),
                sort_direction=direction,
                limit=_int(request, "limit", 100),
                offset=_int(request, "offset", 0, maximum=10**9),
            )
        )
