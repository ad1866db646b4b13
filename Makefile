# The two commands a newcomer needs are `make run` and `make test`; both build
# the virtual environment in .venv on first use and refresh it when
# pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint format typecheck pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/snsreceiver serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed check pytest

check: lint typecheck

lint: $(VENV)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

typecheck: $(VENV)/.installed
	$(BIN)/mypy

pytest: $(VENV)/.installed
	$(BIN)/pytest

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rewrites the settings tables in README.md and docs/deploy.md from
# snsreceiver/settings.py.
docs: $(VENV)/.installed
	$(BIN)/python -m snsreceiver.settings_doc README.md
	$(BIN)/python -m snsreceiver.settings_doc docs/deploy.md

bench: $(VENV)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
