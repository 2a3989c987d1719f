# The README's two commands: `make report` and `make test`. Both set everything up first:
# a virtual environment in .venv from pinned requirements, and the pinned CDK CLI in
# node_modules (npm ci, never global).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ENV ?= default
APP ?=

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup report test bench docs synth diff constraints clean

help:
	@echo "make report   synthesize ENV (default: default), run the nag packs, write cdk.out/clause-report.*,"
	@echo "              cdk.out/iso27017.sarif and cdk.out/iso27017-junit.xml"
	@echo "              APP='...' reports on another CDK app command instead of cdk.json's"
	@echo "make test     run the test suite"
	@echo "make synth    npx cdk synth -c env=ENV (also: make diff)"
	@echo "make bench    print synthesis and pack cost figures"
	@echo "make docs     regenerate docs/rules.md"

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (PYTHON=$(PYTHON))")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

report: setup
	$(PY) -m compliance report --env $(ENV) $(if $(APP),--app "$(APP)")

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: setup
	$(PY) scripts/bench.py

docs: setup
	$(PY) -m compliance docs

synth: setup
	npx cdk synth --context env=$(ENV)

diff: setup
	npx cdk diff --context env=$(ENV)

constraints:
	rm -rf /tmp/constraints-venv && $(PYTHON) -m venv /tmp/constraints-venv
	/tmp/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Every transitive pin, from a clean venv with requirements-dev.txt (pip freeze). Regenerate with: make constraints"; \
	  /tmp/constraints-venv/bin/pip freeze; } > constraints.txt

clean:
	rm -rf cdk.out .cdk.out-* .pytest_cache
