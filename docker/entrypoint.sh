#!/bin/sh
# web: migrate then serve with gunicorn; worker: Celery worker; beat: Celery beat (periodic tasks).
set -e
case "$1" in
  web)
    python manage.py migrate --noinput
    exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers "${GUNICORN_WORKERS:-2}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" --access-logfile -
    ;;
  worker)
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}" --concurrency "${CELERY_CONCURRENCY:-2}" \
      --queues "${CELERY_QUEUES:-celery,scans}"
    ;;
  beat)
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}"
    ;;
  *)
    exec "$@"
    ;;
esac
