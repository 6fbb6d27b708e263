# Candor — two commands: `make run` (set up and start) and `make test` (set up and pass the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup dev-setup catalogs lint pytest test-tools bench clean

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
## the static export is served by Debian's nginx with the README's configuration.
test-tools:
	@command -v chromium >/dev/null 2>&1 && test -x /usr/sbin/nginx || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium nginx-light >/dev/null; }

## The scheduler (reminders, maintenance windows, deadlines) runs beside the web server and stops with it.
run: setup
	@echo "Candor runs on http://$(HOST):$(PORT)  (admin: http://$(HOST):$(PORT)/admin)"
	@$(FLASK) scheduler run & scheduler=$$!; \
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

bench: dev-setup catalogs
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
