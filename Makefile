# omniroute developer entry points. Two of them are all a fresh machine needs:
#   make demo   - embedded Apache Kafka + intake + router + sample messages, routed and printed
#   make test   - everything CI runs: lint, types, schema drift, unit + integration tests
# Prerequisites: Python 3.11+, Java 17+, Maven (or OMNIROUTE_KAFKA_BOOTSTRAP for an existing Kafka).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: demo test test-faults bench prepare lint typecheck unit integration install kafka-jars system-deps k8s-tools lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

kafka-jars: $(STAMP)
	$(BIN)/omniroute kafka fetch

system-deps:
	deploy/install-system-deps.sh

# kustomize is built from source (the Go module proxy is reachable, release binaries are not):
# minutes on a cold machine, so `prepare` runs it in parallel with the other downloads.
k8s-tools:
	deploy/k8s/tools.sh >/dev/null

prepare:
	$(MAKE) -j4 install kafka-jars system-deps k8s-tools

demo: kafka-jars
	$(BIN)/omniroute demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m unit

integration: prepare
	$(BIN)/pytest -m integration

# Three pytest-xdist workers on CI's 2 cores: most integration tests wait on broker restarts,
# outages and session timeouts rather than compute, so they overlap (each worker starts its own
# session broker). Chunks of two keep the longest tests, collected first (tests/conftest.py), on
# different workers. --durations shows in CI's log where the time goes.
PYTEST_WORKERS ?= 3

test: prepare
	$(MAKE) lint typecheck
	$(BIN)/omniroute schema --check
	$(BIN)/omniroute config-reference --check
	$(BIN)/pytest -m "not faults" -n $(PYTEST_WORKERS) --dist load --maxschedchunk 2 --durations=30

# The exactly-once proof scenario by scenario: kill -9, SIGTERM restarts, rebalance, zombie,
# broker restart, each over its own 50,000 messages checked by the verifier (tens of minutes on
# 2 cores). `test` runs them all in one phased 50,000-message run (tests/integration/eos/test_phases.py).
test-faults: prepare
	$(BIN)/pytest -m faults

# The benchmark suite, quick sizes (~15 min on 2 cores): not part of CI, figures depend on the
# machine. Writes bench/results/, BENCHMARKS.md and bench/plots/. BENCH_ARGS= for full sizes.
BENCH_ARGS ?= --quick
bench: kafka-jars
	deploy/install-system-deps.sh bench
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra fast --extra bench --generate-hashes --python-version 3.11 \
		--quiet -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
