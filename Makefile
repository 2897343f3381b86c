# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format seed worker worker-pptx beat clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"

seed: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py seed_demo

run: seed
	DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=okrtracker.settings.test

test: lint
	scripts/ensure-chromium
	$(BIN)/python -m pytest

# Extract the interface's strings into locale/<lang>/LC_MESSAGES/django.po and compile them
# (docs/languages.md); LANG=es by default.
messages: install
	$(BIN)/python manage.py makemessages -l $${LANG_CODE:-es} --no-location --no-obsolete \
		--ignore='tests/*' --ignore='benchmarks/*' --ignore='fixtures/*' --ignore='scripts/*' \
		--ignore='staticfiles/*' --ignore='var/*' --ignore='docs/*'
	$(BIN)/python manage.py compilemessages -l $${LANG_CODE:-es}

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Celery app defaults to the production settings (as a deployment runs it); these local
# targets pick dev, like manage.py, unless DJANGO_SETTINGS_MODULE is set.
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-okrtracker.settings.dev}

# Recomputes and the other jobs; the PowerPoint build has a worker of its own (worker-pptx),
# so a download never waits behind a recompute. Pool processes are replaced once a task took
# them past CELERY_WORKER_MAX_MEMORY_PER_CHILD (KiB, default 300000: settings/base.py).
# Every queue the app routes tasks to (okrtracker/settings/base.py CELERY_TASK_ROUTES).
WORKER_QUEUES ?= celery,notifications,webhooks,pptx,snapshots
worker: install
	$(DEV_SETTINGS) $(BIN)/celery -A okrtracker worker -Q $(WORKER_QUEUES) --loglevel=info

worker-pptx: install
	$(DEV_SETTINGS) $(BIN)/celery -A okrtracker worker -Q pptx --concurrency=1 -n pptx@%h --loglevel=info

beat: install
	$(DEV_SETTINGS) $(BIN)/celery -A okrtracker beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
