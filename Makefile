# Candor — two commands: `make run` (set up and start) and `make test` (set up and pass the suite).
# While working: `make test-fast` (no lint, no browser tests, SQLite; ARGS="-k feeds" narrows it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast setup dev-setup catalogs lint pytest test-tools bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Message catalogs are compiled here, never committed as binaries.
catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d statuspage/translations >/dev/null

setup: $(VENV)/.installed catalogs
	$(FLASK) init --demo

dev-setup: $(VENV)/.dev-installed

## Browser tests use Debian's Chromium (Playwright's own browser download does not work here);
## the static export and the front cache (deploy/nginx) are served by Debian's nginx; the two-node test
## counts login limits in Debian's redis-server.
test-tools:
	@command -v chromium >/dev/null 2>&1 && test -x /usr/sbin/nginx && command -v prometheus-alertmanager >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium nginx-light prometheus-alertmanager redis-server >/dev/null; }

## The scheduler (reminders, maintenance windows, deadlines) runs beside the web server and stops with it.
## Links in feeds, JSON and e-mail point at this address (STATUSPAGE_BASE_URL, unless already set).
run: setup
	@echo "Candor runs on http://$(HOST):$(PORT)  (admin: http://$(HOST):$(PORT)/admin)"
	@export STATUSPAGE_BASE_URL="$${STATUSPAGE_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: dev-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## axe-core (accessibility checks in the browser tests) comes from the npm registry.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

pytest: dev-setup catalogs test-tools node_modules/axe-core/axe.min.js
	$(BIN)/pytest

test: lint pytest

## The working loop: the suite without the browser tests (tests/e2e), always on SQLite, with the dev
## virtualenv and no apt or npm steps. `make test` stays the full check (lint, browsers, as CI runs it).
test-fast: dev-setup catalogs
	DATABASE_URL= $(BIN)/pytest -q -m "not e2e" --ignore=tests/e2e $(ARGS)

## The bench compares the app with nginx serving the same bytes from files, and measures the shipped
## nginx front cache (deploy/nginx) in front of it: both come from Debian.
bench: dev-setup catalogs
	@command -v wrk >/dev/null 2>&1 && test -x /usr/sbin/nginx || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk nginx-light >/dev/null; }
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
