# Cohort: every command sets itself up (uv, dependencies) first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672/
ORG ?= A81001

.PHONY: setup lint test test-unit test-integration test-e2e run demo token bench bench-campaign bench-record chaos screenshots clean

WEB := services/web
PATIENT := services/patient
# Every project's tests and the whole-system tests, type-checked as strictly as the code, in one
# mypy run: each tests directory is a package named by its path (services.campaign.tests...),
# so they do not clash.
TEST_DIRS := $(wildcard libs/*/tests services/*/tests simulators/*/tests) tests

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	@uv sync --frozen --quiet
	@scripts/mesh-sandbox.sh setup
	@# The web app's front-end packages (NHS.UK frontend, htmx, axe-core), from package-lock.json.
	@[ $(WEB)/node_modules/.package-lock.json -nt $(WEB)/package-lock.json ] || \
		npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	@# The patient pages' front-end packages (NHS.UK frontend, axe-core), from their own lock.
	@[ $(PATIENT)/node_modules/.package-lock.json -nt $(PATIENT)/package-lock.json ] || \
		npm ci --prefix $(PATIENT) --no-audit --no-fund --loglevel=error

lint: setup
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .
	uv run --frozen mypy -p cohort_contracts -p cohort_http -p cohort_nhs -p cohort_questionnaire -p cohort_mongo -p cohort_platform -p cohort_testing -p cohort_standin -p cohort_ops -p gateway -p ingest -p campaign -p dispatch -p record -p sim_common -p pds_sim -p firetext_sim -p fake_gp -p web -p gpconnect_sim -p patient
	uv run --frozen mypy $(TEST_DIRS)
	uv run --frozen lint-imports

test: lint
	@scripts/ensure-rabbitmq.sh
	@scripts/ensure-chromium.sh
	scripts/test.sh all

test-unit: setup
	scripts/test.sh unit

test-integration: setup
	@scripts/ensure-rabbitmq.sh
	scripts/test.sh integration

test-e2e: setup
	@scripts/ensure-rabbitmq.sh
	@scripts/ensure-chromium.sh
	scripts/test.sh e2e

# Local processes against the RabbitMQ at RABBITMQ_URL; MongoDB at MONGODB_URL, or the
# campaign service's in-process stand-in when it is unset. Ctrl-C stops everything.
run: setup
	@scripts/ensure-rabbitmq.sh
	PDS_SIM_PATIENTS=$${PDS_SIM_PATIENTS:-simulators/pds/data/patients.ndjson} \
	PDS_SIM_SYNTHETIC=$${PDS_SIM_SYNTHETIC:-1} \
	GATEWAY_ORGANISATIONS_FILE=$${GATEWAY_ORGANISATIONS_FILE:-config/organisations.json} \
	CAMPAIGN_ORGANISATIONS_FILE=$${CAMPAIGN_ORGANISATIONS_FILE:-config/organisations.json} \
	RECORD_ORGANISATIONS_FILE=$${RECORD_ORGANISATIONS_FILE:-config/organisations.json} \
	WEB_DEV_SIGN_IN=$${WEB_DEV_SIGN_IN:-1} \
	CAMPAIGN_LINK_BASE_URL=$${CAMPAIGN_LINK_BASE_URL:-http://127.0.0.1:8090/l/} \
	CAMPAIGN_GPCONNECT_BASE_URL=$${CAMPAIGN_GPCONNECT_BASE_URL:-http://127.0.0.1:9004/{ods}/STU3/1/gpconnect} \
	scripts/run.sh

demo: setup
	uv run --frozen python scripts/demo.py

# Benchmarks print figures; they are not tests (see bench/README.md).
bench: setup
	@scripts/ensure-rabbitmq.sh
	uv run --frozen python bench/ingest_bench.py

# Save to record: documents/s and CPU per document, through mesh-sandbox (bench/README.md).
bench-record: setup
	uv run --frozen python bench/record_bench.py

# The whole journey, upload to every receipt settled: ROWS=100000 INSTANCES=campaign=2,dispatch=2
ROWS ?= 100000
INSTANCES ?=
bench-campaign: setup
	@scripts/ensure-rabbitmq.sh
	uv run --frozen python bench/campaign_bench.py --rows $(ROWS) --instances "$(INSTANCES)"

# Issue 15's chaos run: a 10,000-patient SMS campaign, two of every service on a RabbitMQ node
# of its own, while instances are killed, the broker restarts and PDS and Firetext misbehave;
# prints the figures (docs/reliability.md). CHAOS_ROWS=1000 for a quick one.
CHAOS_ROWS ?= 10000
chaos: setup
	uv run --frozen python -m tests.e2e.chaos --rows $(CHAOS_ROWS)

# A PNG of every page of the web app and of the patient pages, desktop and phone width, into
# docs/screenshots/: starts its own services (as the end-to-end tests do) in a private namespace.
screenshots: setup
	@scripts/ensure-rabbitmq.sh
	@scripts/ensure-chromium.sh
	uv run --frozen python scripts/screenshots.py
	uv run --frozen python scripts/patient_screenshots.py

token: setup
	@uv run --frozen python -m gateway.entrypoints.dev_tokens --org $(ORG)

clean:
	rm -rf .venv .mypy_cache .ruff_cache
