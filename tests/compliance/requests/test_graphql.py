"""GraphQL: auditors read subject requests (kinds, dates, statuses, counts, masked hints) — never identifiers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.services_requests import subject_request_create
from config.graphql_schema import schema
from tests.compliance.requests.conftest import officer_actor

pytestmark = pytest.mark.django_db

QUERY = """
query ($overdue: Boolean) { subjectRequests(overdue: $overdue) {
  id reference kind channel receivedOn dueOn effectiveDueOn isOverdue status outcome
  identifierHints { kind hint } identifierCount actionsTotal actionsOpen versionsAffected deploymentsAffected } }
"""


@pytest.mark.parametrize(
    ("_case", "role", "http_status", "readable"),
    [
        ("anonymous is rejected", None, 401, False),
        ("no role is rejected", "norole", 403, False),
        ("a scientist may not read requests", "scientist", 200, False),
        ("an auditor reads them", "auditor", 200, True),
        ("an officer reads them", "officer", 200, True),
    ],
)
def test_subject_requests_by_role(_case, role, http_status, readable, graphql, erasure):
    # when
    status, body = graphql(role)(QUERY)
    # then
    assert status == http_status
    if readable:
        assert body["data"]["subjectRequests"] == [
            {
                "id": str(erasure.pk),
                "reference": f"DSR-{erasure.pk}",
                "kind": "erasure",
                "channel": "email",
                "receivedOn": erasure.received_on.isoformat(),
                "dueOn": erasure.due_on.isoformat(),
                "effectiveDueOn": erasure.due_on.isoformat(),
                "isOverdue": False,
                "status": "open",
                "outcome": "",
                "identifierHints": [{"kind": "email", "hint": "j***@example.com"}],
                "identifierCount": 1,
                "actionsTotal": 5,
                "actionsOpen": 4,
                "versionsAffected": 3,
                "deploymentsAffected": 1,
            }
        ]
    elif status == 200:
        assert body["data"] is None
        assert body["errors"][0]["message"] == "Only compliance officers and auditors may read subject requests."
    else:
        assert "j***" not in str(body)


def test_the_type_exposes_no_identifier_nor_digest():
    fields = set(schema.graphql_schema.get_type("SubjectRequestSummaryType").fields)
    assert not {f for f in fields if "digest" in f.lower() or f.lower() in ("identifiers", "value", "values")}
    assert "identifierHints" in fields


def test_one_request_by_id_and_the_overdue_filter(graphql, erasure):
    status, body = graphql("auditor")(
        "query ($id: ID!) { subjectRequest(id: $id) { kind status } }", {"id": erasure.pk}
    )
    assert body["data"]["subjectRequest"] == {"kind": "erasure", "status": "open"}
    _, overdue = graphql("auditor")(QUERY, {"overdue": True})
    assert overdue["data"]["subjectRequests"] == []


def test_query_count_does_not_grow_with_requests(api_client, officer, chain):
    # given
    client = api_client("auditor")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/graphql/", {"query": QUERY}, format="json")
        assert len(response.json()["data"]["subjectRequests"]) == total
        return len(ctx.captured_queries)

    subject_request_create(kind="access", identifiers=[("email", "jane@example.com")], actor=officer_actor(officer))
    total = 1
    small = count()
    # when
    for n in range(4):
        subject_request_create(
            kind="erasure", identifiers=[("email", f"p{n}@example.com")], actor=officer_actor(officer)
        )
    total = 5
    # then
    assert count() == small
