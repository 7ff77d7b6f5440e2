"""
An unexpected failure while receiving a request must not put the identifier in Django's error report (the mail
to ADMINS, the 500 log): the POST parameters and the local variables that carry it are cleansed.
"""

import sys
from unittest.mock import Mock

import pytest
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import compliance.services_requests

pytestmark = pytest.mark.django_db
SECRET = "jane.secret@example.com"


@pytest.fixture
def failing_impact(monkeypatch):
    # A mock raises from unittest.mock: no frame of this file (whose source names the secret) is in the report.
    monkeypatch.setattr(
        compliance.services_requests, "subject_impact", Mock(side_effect=RuntimeError("lineage store unavailable"))
    )


@pytest.fixture
def reports():
    """The error report (text and HTML, local variables included) Django would send for each failed request."""
    texts = []

    def receiver(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        texts.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(receiver)
    yield texts
    got_request_exception.disconnect(receiver)


def test_the_rest_door_leaves_no_identifier_in_the_error_report(officer, failing_impact, reports):
    # given
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    # when
    response = client.post(
        "/api/subject-requests/",
        {"kind": "erasure", "identifiers": [{"kind": "email", "value": SECRET}]},
        format="json",
    )
    # then
    assert response.status_code == 500
    (report,) = reports
    assert "lineage store unavailable" in report and "subject_request_create" in report
    assert "jane.secret" not in report.lower()


def test_the_admin_door_leaves_no_identifier_in_the_error_report(officer, failing_impact, reports):
    # given
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    # when
    response = client.post(
        "/admin/compliance/subjectrequest/add/",
        {
            "kind": "erasure",
            "channel": "email",
            "received_on": "2026-11-02",
            "identifier_kind_1": "email",
            "identifier_value_1": SECRET,
        },
    )
    # then
    assert response.status_code == 500
    (report,) = reports
    assert "lineage store unavailable" in report and "identifier_value_1" in report
    assert "jane.secret" not in report.lower()
