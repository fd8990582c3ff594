# One-command setup: `make run` and `make test` create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run demo test bench clean

$(BIN)/ringfence: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

setup: $(BIN)/ringfence

run: setup
	$(BIN)/ringfence run

demo: setup
	$(BIN)/ringfence demo

test:
	bash scripts/test.sh

bench: setup
	$(BIN)/ringfence bench perf --out perf.json

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
