# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# No CXLOOP_DATA_DIR here: run from this checkout, cxloop uses its var/ by itself (cxloop/lib/env.py),
# so `.venv/bin/cxloop` in a new shell finds the instance `make run` serves.
export CXLOOP_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install install-dev lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/cxloop migrate --no-input --verbosity 0
	$(BIN)/cxloop demo --if-empty
	$(BIN)/cxloop serve --port $(PORT)

# Each pass of the suite runs on TEST_PROCESSES processes (pytest-xdist), a test file per process
# at a time (--dist loadfile: a module's shared rows are built once); each process has its own test
# database (test_cxloop_gw0, test_cxloop_gw1, ... on PostgreSQL; a file per process on SQLite).
TEST_PROCESSES ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile

test: install-dev
	$(PYTEST)
	@if [ -n "$$CXLOOP_TEST_POSTGRES" ]; then \
		echo "== again on PostgreSQL ($${CXLOOP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/cxloop}) =="; \
		CXLOOP_DATABASE_URL=$${CXLOOP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/cxloop} $(PYTEST); \
	fi

lint: install-dev
	$(BIN)/ruff check cxloop

messages:
	cd cxloop && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var
