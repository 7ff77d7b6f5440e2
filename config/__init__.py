"""Project wiring: settings, URLs, the Celery app and the root GraphQL schema. No domain code lives here."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
