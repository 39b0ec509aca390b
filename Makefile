# One command per job; CI calls the same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ARGS ?=

.PHONY: install run test fuzz difftest lint format schema bench bench-live clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# axe-core for the browser tests' accessibility checks (tests only, never served).
AXE := tests/client/node_modules/axe-core/axe.min.js
$(AXE): tests/client/package.json tests/client/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/client --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm is missing: accessibility checks skip here (CI installs npm)"; fi

install: $(STAMP)

run: $(STAMP)
	ACCORD_DEMO=1 $(BIN)/accord migrate
	ACCORD_DEMO=1 $(BIN)/accord demo-data --if-empty $(DEMO_ARGS)
	ACCORD_DEMO=1 $(BIN)/accord serve --host $(HOST) --port $(PORT)

# The suite runs in TEST_WORKERS processes (pytest-xdist), a test file per process
# at a time: module fixtures (a served process, a seeded world) are set up once.
TEST_WORKERS ?= 2
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The fuzz stage of `make test`, longer: FUZZ_EXAMPLES documents per operation and caller.
FUZZ_EXAMPLES ?= 25
fuzz: $(STAMP)
	ACCORD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -s tests/api/core/test_fuzz.py $(PYTEST_ARGS)

DIFF_EXAMPLES ?= 300
# The compiled reads against the executor, many more examples than `make test`.
difftest: $(STAMP)
	ACCORD_DIFF_EXAMPLES=$(DIFF_EXAMPLES) $(BIN)/python -m pytest -q tests/api/leads/test_compiled.py tests/api/content/test_compiled_board.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check server schema tests bench
	$(BIN)/ruff check server schema tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format server schema tests bench
	$(BIN)/ruff check --fix server schema tests bench

schema: $(STAMP)
	$(BIN)/accord export-schema --output schema/schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-live: $(STAMP)
	$(BIN)/python -m bench.live $(LIVE_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
