# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run ingest serve test test-container lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

ingest: install
	$(BIN)/igr ingest

run: ingest
	$(BIN)/igr serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	bash .ci/test-deps
	$(BIN)/python -m pytest

# Build the image and run it (podman or docker; ~9 minutes on 2 cores): tests/test_container.py
test-container: install
	IGR_CONTAINER_TESTS=1 $(BIN)/python -m pytest tests/test_container.py

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .igr .pytest_cache
