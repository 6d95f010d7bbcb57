# Maadan: `make demo` to try it, `make test` to check it. Needs Python 3.11+, make and git.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# `make test` runs the suite in parallel (pytest-xdist): one worker a core, at most 4 (TEST_WORKERS=1 for one).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)

.PHONY: install demo demo-data test test-unit test-workers bench clean

install: $(STAMP)  ## prepare .venv with maadan and its test tools

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "maadan installed: $(BIN)/maadan"

demo: demo-data  ## build the database, then run the web app and APIs (Ctrl+C stops it)
	$(BIN)/maadan serve

demo-data: install  ## the embedded database from bundled data, a synthetic cadastre, a summary
	$(BIN)/maadan db init
	$(BIN)/maadan demo cadastre --titles 300 --seed 1
	$(BIN)/maadan audit keygen --keep-existing
	$(BIN)/maadan audit checkpoint > /dev/null
	$(BIN)/maadan summary

test: install  ## the whole suite (PostgreSQL too when MAADAN_TEST_POSTGRES_URL is set), in parallel
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test-workers:  ## how many workers `make test` runs (.ci/run's fuzzing step uses as many)
	@echo $(TEST_WORKERS)

test-unit: install
	$(BIN)/python -m pytest tests/unit

bench: install  ## performance figures (see bench/README.md)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/cadastre.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
