# `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH := torch==2.13.0

.PHONY: demo test lint format clean

$(BIN)/derivcli: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check $(TORCH)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

demo: $(BIN)/derivcli
	$(BIN)/derivcli hessian "sin(x)*y" --at x=0,y=1

test: $(BIN)/derivcli
	$(BIN)/python -m pytest

lint: $(BIN)/derivcli
	$(BIN)/ruff check derivcli tests examples bench
	$(BIN)/ruff format --check derivcli tests examples bench

format: $(BIN)/derivcli
	$(BIN)/ruff check --fix derivcli tests examples bench
	$(BIN)/ruff format derivcli tests examples bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
