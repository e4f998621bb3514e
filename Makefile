# Gonghui: every target bootstraps what it needs on a machine with python3, make, git and npm.
SHELL := /bin/bash
PYTHON ?= python3
UV_DIR := .tools/uv
UV := $(UV_DIR)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
GONGHUI := $(BIN)/gonghui
INSTALLED := $(VENV)/.installed
VENDOR := gonghui/static/vendor
ASSETS := $(VENDOR)/.built
MO := locale/zh_Hans/LC_MESSAGES/django.mo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint bench serve worker messages clean

install: $(INSTALLED) $(ASSETS) $(MO)

# uv lives in a project-local venv, so nothing is installed outside the checkout.
$(UV):
	$(PYTHON) -m venv $(UV_DIR)
	$(UV_DIR)/bin/pip install --quiet --disable-pip-version-check uv

$(INSTALLED): requirements.lock pyproject.toml | $(UV)
	test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/tabler $(VENDOR)/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css $(VENDOR)/tabler/
	cp node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -d locale -D django -l zh_Hans

# Re-extract messages after changing strings (needs GNU gettext's xgettext), then translate the .po.
messages: $(INSTALLED)
	$(GONGHUI) makemessages -l zh_Hans --no-obsolete --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore '.tools/*'

demo: install
	$(GONGHUI) migrate --no-input
	$(GONGHUI) demo --host $(HOST) --port $(PORT) $(DEMO_ARGS)

# Production serving: gunicorn (gthread) + whitenoise on DATABASE_URL; see gonghui/gunicorn_conf.py
# for GONGHUI_BIND / GONGHUI_WEB_WORKERS / GONGHUI_WEB_THREADS. Static files are collected first
# (hashed and compressed when GONGHUI_ENV=production).
serve: install
	$(GONGHUI) migrate --no-input
	$(GONGHUI) collectstatic --no-input -v0
	$(BIN)/gunicorn --config python:gonghui.gunicorn_conf

# Background jobs (imports, …): one worker process; run several, on as many hosts as needed.
worker: install
	$(GONGHUI) db_worker --no-reload --queue-name '*'

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Benchmarks run on PostgreSQL (BENCH_DATABASE_URL; the database is dropped and re-created).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gonghui_bench
BENCH_ROWS ?= 1000000
bench: install
	$(BIN)/python -m compileall -q gonghui  # import workers start in a second, not three
	$(BIN)/python -m gonghui.core.benchdb "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) migrate -v0
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) demo --no-serve --password bench-pass-2026 >/dev/null
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) bench_import --rows $(BENCH_ROWS)
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) bench_intake
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) bench_places
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(GONGHUI) bench_dashboard

clean:
	rm -rf $(VENV) $(UV_DIR) node_modules $(VENDOR) var
