# The one entry point that README, CI (.ci/run) and people share. Keep targets thin.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers: one per core ("auto"); set PYTEST_WORKERS=0 to run in one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

# Stamps make the install steps idempotent: pip runs again only when pyproject.toml changes.
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test lint lint-imports typecheck migrations-check check worker beat clean db-role

help:
	@echo "make run               set up, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make test              set up and run the whole test suite"
	@echo "make check             lint + lint-imports (layers) + typecheck + migrations-check"
	@echo "make worker | beat     Celery worker / beat (needs REDIS_URL)"
	@echo "make db-role           create PostgreSQL's application role (DATABASE_URL's user) as DATABASE_OWNER_URL"
	@echo "make clean             remove the virtualenv and tool caches (keeps var/ data)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -e .
	touch $@

$(INSTALLED_DEV): $(INSTALLED) pyproject.toml
	$(PY) -m pip install --disable-pip-version-check -e '.[dev]'
	touch $@

# With DEBUG off the settings refuse to start without a secret key nobody else knows. These
# targets sign with a random key of this checkout, made on first use in var/ (never in git);
# a DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE of your own wins. Tests make their own.
run worker beat migrations-check db-role: export DJANGO_SECRET_KEY_FILE ?= $(CURDIR)/var/secret-key
run worker beat migrations-check db-role: | var

var:
	mkdir -p $@

install: $(INSTALLED)

install-dev: $(INSTALLED_DEV)

# The address people open: a server listening on every interface is still reached on loopback.
BASE_URL = http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

# Quiet on purpose: a line per step, then the server prints the addresses and the demo logins
# (written by seed_demo) last, once it listens. The server command stays the last line.
run: $(INSTALLED)
	@if [ -n "$$DATABASE_OWNER_URL" ]; then $(MAKE) --no-print-directory db-role; fi
	@echo "Applying database migrations ..."
	@$(PY) manage.py migrate --no-input --verbosity 0
	@$(PY) manage.py seed_demo --base-url $(BASE_URL) --logins-file var/demo-logins.txt
	$(PY) -m hotgigs.serve --host $(HOST) --port $(PORT) --print-when-ready var/demo-logins.txt

test: $(INSTALLED_DEV)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(INSTALLED_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers and their contracts ([tool.importlinter] in pyproject.toml).
lint-imports: $(INSTALLED_DEV)
	$(BIN)/lint-imports

typecheck: $(INSTALLED_DEV)
	$(BIN)/mypy .

migrations-check: $(INSTALLED)
	$(PY) manage.py makemigrations --check --dry-run

check: lint lint-imports typecheck migrations-check

# PostgreSQL with row-level security: the role DATABASE_URL names (owns nothing, no superuser,
# no BYPASSRLS), created if missing by the owner (DATABASE_OWNER_URL). Idempotent.
db-role: $(INSTALLED)
	@test -n "$$DATABASE_OWNER_URL" || { echo "db-role: set DATABASE_OWNER_URL (the tables' owner) and DATABASE_URL (the role to create)"; exit 1; }
	$(PY) manage.py app_role

worker: $(INSTALLED)
	$(BIN)/celery -A hotgigs worker --loglevel INFO

beat: $(INSTALLED)
	$(BIN)/celery -A hotgigs beat --loglevel INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
