# The README's two commands: `make report` and `make test`. Both set everything up first:
# a virtual environment in .venv from pinned requirements, and the pinned CDK CLI in
# node_modules (npm ci, never global). `make test` also runs `make scan`, whose scanners
# (cfn-lint, checkov) live in their own pinned virtual environment, .venv-scan.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SCAN_VENV := .venv-scan
ENV ?= default
APP ?=

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup setup-scan report scan test bench docs manifest synth diff constraints constraints-scan clean

help:
	@echo "make report   synthesize ENV (default: default), run the nag packs, write cdk.out/clause-report.*,"
	@echo "              cdk.out/iso27017.sarif and cdk.out/iso27017-junit.xml"
	@echo "              APP='...' reports on another CDK app command instead of cdk.json's"
	@echo "make scan     make report, then cfn-lint and checkov on its templates: cdk.out/scan-report.json"
	@echo "              (fails on a cfn-lint error or a failed checkov check; skips need a reason)"
	@echo "make test     run ruff and the test suite, then make scan"
	@echo "make synth    npx cdk synth -c env=ENV (also: make diff)"
	@echo "make pipeline synthesize the delivery pipeline app (config/pipeline.toml) into cdk.out.pipeline"
	@echo "make bench    print synthesis and pack cost figures"
	@echo "make docs     regenerate docs/rules.md"
	@echo "make manifest record the default app's stateful resources (the data-loss guard; a reviewed change)"
	@echo "make audit    read the deployed account (current credentials; PROFILE=, REGION=, ENDPOINT_URL= optional)"
	@echo "              and write cdk.out/audit-report.{json,md,html,csv}; exit 1 if a check fails or is unverified"
	@echo "make offboard TENANT=t [DRY_RUN=1]  tag every object version of tenant t in ENV's customer-data buckets"
	@echo "              TenantStatus=offboarded so the lifecycle rule deletes them (DRY_RUN=1 lists, changes nothing)"

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (PYTHON=$(PYTHON))")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

setup-scan: $(SCAN_VENV)/.installed

# The scanners' dependencies (checkov brings many) never touch the app's pinned .venv.
$(SCAN_VENV)/.installed: requirements-scan.txt constraints-scan.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (PYTHON=$(PYTHON))")'
	$(PYTHON) -m venv --clear $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt -c constraints-scan.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

report: setup
	$(PY) -m compliance report --env $(ENV) $(if $(APP),--app "$(APP)")

# The scan always follows a fresh `make report`: it scans what the sources synthesize now, and only once
# the nag packs' gate has passed.
scan: report setup-scan
	$(PY) scripts/scan.py --assembly cdk.out

test: setup setup-scan
	$(VENV)/bin/ruff check .
	$(PY) -m pytest
	@$(MAKE) --no-print-directory scan

bench: setup
	$(PY) scripts/bench.py

manifest: report
	$(PY) -m compliance manifest --assembly cdk.out

docs: setup
	$(PY) -m compliance docs

synth: setup
	npx cdk synth --context env=$(ENV)

diff: setup
	npx cdk diff --context env=$(ENV)

.PHONY: pipeline
pipeline: setup
	npx cdk synth --app "$(PY) pipeline_app.py" --output cdk.out.pipeline --quiet

.PHONY: audit
audit: setup
	$(PY) -m compliance audit --env $(ENV) $(if $(PROFILE),--profile "$(PROFILE)") $(if $(REGION),--region "$(REGION)") \
		$(if $(ENDPOINT_URL),--endpoint-url "$(ENDPOINT_URL)")

# CLD.8.1.5. TENANT reaches the command through the environment (make exports command-line variables), so the
# shell never parses it; the command checks it.
.PHONY: offboard
offboard: setup
	$(PY) -m tenants offboard --env $(ENV) $(if $(filter 1 yes true,$(DRY_RUN)),--dry-run) -- "$$TENANT"

constraints:
	rm -rf /tmp/constraints-venv && $(PYTHON) -m venv /tmp/constraints-venv
	/tmp/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Every transitive pin, from a clean venv with requirements-dev.txt (pip freeze). Regenerate with: make constraints"; \
	  /tmp/constraints-venv/bin/pip freeze; } > constraints.txt

constraints-scan:
	rm -rf /tmp/constraints-scan-venv && $(PYTHON) -m venv /tmp/constraints-scan-venv
	/tmp/constraints-scan-venv/bin/pip install --quiet -r requirements-scan.txt
	{ echo "# Every transitive pin, from a clean venv with requirements-scan.txt (pip freeze). Regenerate with: make constraints-scan"; \
	  /tmp/constraints-scan-venv/bin/pip freeze; } > constraints-scan.txt

clean:
	rm -rf cdk.out cdk.out.pipeline .cdk.out-* .pytest_cache
