# Carrel's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# uv from the PATH, or else one installed into a virtual environment of its
# own: Debian's Python refuses `pip install` outside one (PEP 668).
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
STACK := deploy/local/stack
# The CARREL_* settings of the local stack, for commands that need it.
WITH_STACK = eval "$$($(STACK) env)" &&

.PHONY: help install up down reset status test test-unit lint format schemas run bench scaleout soak

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## Make the virtual environment with every package, editable

$(VENV)/.installed: pyproject.toml uv.lock shared/*/pyproject.toml services/*/pyproject.toml | $(UV)
	$(UV) sync --all-packages --locked
	@touch $@

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet 'uv>=0.5,<1'

up: install ## Start PostgreSQL, Kafka and OpenSearch on 127.0.0.1 (reuses running ones)
	$(STACK) up

down: ## Stop every server of the local stack, keeping its data
	$(STACK) down

reset: ## Stop the local stack and wipe its data
	$(STACK) reset

status: ## Say which servers of the local stack run
	$(STACK) status

run: up ## Start every service on the stack, load real data, say where to look
	$(WITH_STACK) $(PY) -m carrel_demo

# The browser tests drive Debian's Chromium, never a browser Playwright downloads.
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

# The browser tests run in a pytest of their own: Playwright's sync API leaves
# an event loop behind that breaks the asyncio tests that would follow it.
test: up /usr/bin/chromium ## Run every test against the real stack (starts it when needed)
	$(WITH_STACK) $(PY) -m pytest --ignore=tests/browser
	$(WITH_STACK) $(PY) -m pytest tests/browser

test-unit: install ## Run the tests that need no server
	$(PY) -m pytest -m "not integration"

# The ranking runs at 1,000, 5,000 and 10,000 members through bench.ranking_sizes.
bench: up ## Run every benchmark at full size (long), then write bench/results/SUMMARY.md
	$(WITH_STACK) for b in relay pipeline profile_commands teams_commands \
		resources_commands gateway_writes freshness live_stream skills_search \
		ranking_sizes matching_pairing rebuild onboarding; do \
		echo "== bench.$$b"; $(PY) -m bench.$$b || exit 1; done
	$(PY) -m bench.summary

scaleout: up ## Three copies of matching and the projection, one killed, one added (~4 min)
	$(WITH_STACK) CARREL_SCALEOUT=1 $(PY) -m pytest tests/scaleout -s

soak: up ## Long fault runs: 10-minute load, minute-long outages, three brokers, ~5,000 generated requests
	$(WITH_STACK) CARREL_SOAK=1 $(PY) -m pytest tests/faults

lint: install ## ruff and mypy (strict)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared services demo ops tests bench

format: install ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: install ## Regenerate the JSON Schemas of the event contracts
	$(PY) -m carrel_events.schemas write
