# Akademi ASN: the commands the README names.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms
HOST ?= 127.0.0.1
PORT ?= 5000
# Absolute links (certificate QR codes, e-mails) follow the served address unless set
# (behind a proxy: `make run LMS_BASE_URL=https://akademi.example.go.id`).
LMS_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint format bench cluster translations catalogue clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

# Catalogues are compiled here, never committed as binaries.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d lms/translations

# The message catalogue from the code, then the English file updated (translate what is new).
# pybabel skips directories whose name starts with "_" unless told otherwise: without
# --ignore-dirs the macros in templates/_macros (chart data, pager, import preview) were never
# extracted and stayed Indonesian in English mode.
catalogue: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --ignore-dirs '.* __pycache__' \
		-o lms/translations/messages.pot lms templates
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations

install: $(VENV)/.installed translations

run: install
	$(FLASK) db upgrade
	$(FLASK) summary rebuild --if-empty
	$(FLASK) reference load
	if $(FLASK) demo needed; then $(FLASK) demo load; fi
	LMS_BASE_URL='$(LMS_BASE_URL)' $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest -q

# Style (with ruff's banned-api: services touch no request, session or g), then the import
# contracts of pyproject.toml (layers point down, no feature imports another's views, models
# import no views, forms or request state).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run.py $(ARGS)

# The production topology on this machine (bench/cluster.py): nginx in front of 2 gunicorn app
# servers, a Celery worker and beat on Redis, PostgreSQL, one shared files folder; Ctrl-C stops it
# and drops its database. `make cluster CLUSTER_ARGS="--app-servers 3 --for 600"`, or `--smoke`.
CLUSTER_ARGS ?=
cluster: install
	$(BIN)/python bench/cluster.py $(CLUSTER_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
