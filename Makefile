# Custodian: `make demo` serves the demo catalog, `make test` runs every quality gate and the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench serve clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo ""
	@echo "Custodian is serving on http://127.0.0.1:$(PORT)/  (admin /admin/, REST /api/, docs /api/docs/, GraphQL /graphql/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
	  SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789 \
	  CUSTODIAN_SUBJECT_KEY=check-deploy-only \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache custodian.sqlite3
