# `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH := torch==2.13.0
LINT_PATHS := $(wildcard derivcli tests examples bench scripts)

.PHONY: demo test test-fast lint format clean

$(BIN)/derivcli: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check $(TORCH)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,plot]'
	touch $@

demo: $(BIN)/derivcli
	$(BIN)/derivcli hessian "sin(x)*y" --at x=0,y=1

test: $(BIN)/derivcli
	$(BIN)/python -m pytest

test-fast: $(BIN)/derivcli  # without the tests that start subprocesses (marked slow)
	$(BIN)/python -m pytest -m "not slow"

lint: $(BIN)/derivcli
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(BIN)/derivcli
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
