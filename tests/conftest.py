"""Shared fixtures: users per role, API and GraphQL clients per role."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import roles
from tests.factories.core import UserFactory

ROLE_USERS = {
    "officer": roles.COMPLIANCE_OFFICER,
    "scientist": roles.DATA_SCIENTIST,
    "auditor": roles.AUDITOR,
}


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", roles=[roles.COMPLIANCE_OFFICER], is_staff=True)


@pytest.fixture
def scientist(db):
    return UserFactory(username="scientist", roles=[roles.DATA_SCIENTIST])


@pytest.fixture
def other_scientist(db):
    return UserFactory(username="scientist2", roles=[roles.DATA_SCIENTIST])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=[roles.AUDITOR], is_staff=True)


@pytest.fixture
def user_for(db):
    """``user_for("scientist")`` → a user with that role (None for "anonymous")."""

    def make(role: str | None):
        if role in (None, "anonymous"):
            return None
        if role == "norole":
            return UserFactory(username="norole")
        return UserFactory(username=role, roles=[ROLE_USERS[role]], is_staff=role != "scientist")

    return make


@pytest.fixture
def api_client(user_for):
    """``api_client("auditor")`` → an APIClient sending that user's token (anonymous: no credentials)."""

    def make(role: str | None = None, *, scheme: str = "Token"):
        client = APIClient()
        user = user_for(role)
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token.key}")
            client.user = user
        return client

    return make


@pytest.fixture
def graphql(api_client):
    """``graphql("auditor")(query, variables)`` → (status, decoded body)."""

    def for_role(role: str | None = "auditor"):
        client = api_client(role)

        def run(query: str, variables: dict | None = None):
            response = client.post(
                "/graphql/",
                data=json.dumps({"query": query, "variables": variables or {}}),
                content_type="application/json",
            )
            return response.status_code, response.json()

        return run

    return for_role


@pytest.fixture(autouse=True)
def _seeded_reference_data(request):
    """
    Role groups and licences come from data migrations; a transactional test's flush removes them, so put them
    back for the tests that follow (only for tests that use the database).
    """
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("db") if "transactional_db" not in request.fixturenames else None
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.contrib.auth.models import Group

    from catalog.models import Licence

    if not Licence.objects.exists():
        import_module("catalog.migrations.0002_seed_licences").seed(django_apps, None)
    if Group.objects.filter(name__in=tuple(ROLE_USERS.values())).count() != len(ROLE_USERS):
        import_module("core.migrations.0002_role_groups").create_groups(django_apps, None)
        roles.sync_role_permissions()
    yield
