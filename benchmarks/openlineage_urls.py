"""
Benchmark-only URLconf: Custodian's URLs plus ``POST /bench/floor``, the floor of the ingestion benchmark.

The floor does what any OpenLineage endpoint must do and nothing more: authenticate the bearer token, inflate
gzip, parse JSON and append the raw event to a table. Custodian's endpoint is measured against it.
"""

import gzip
import json

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from config.urls import urlpatterns as custodian_urlpatterns

FLOOR_TABLE = "bench_floor_event"


@csrf_exempt
def floor(request):
    scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not Token.objects.filter(key=key).exists():
        return HttpResponse(status=401)
    body = request.body
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    payload = json.loads(body)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (payload) VALUES (%s::jsonb)", [json.dumps(payload)])  # noqa: S608
    return HttpResponse(status=201)


urlpatterns = [path("bench/floor", floor), *custodian_urlpatterns]
