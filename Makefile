# One-command setup: `make run` and `make test` create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run demo test bench clean

$(BIN)/ringfence: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@echo "compiling ringfence's pattern databases (first run only; cached in ~/.cache/ringfence)..."
	$(BIN)/python -c "from ringfence.engine import Engine; e = Engine(); e.scan_text('caf\u00e9 \u0442\u0435\u043a\u0441\u0442', 'inbound'); e.tools"
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
