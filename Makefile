# One-command setup: `make run` and `make test` create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run demo test bench fuzz clean

$(BIN)/ringfence: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@echo "compiling ringfence's pattern databases (first run only; cached in ~/.cache/ringfence)..."
	$(BIN)/python -m ringfence.core.prefill
	@touch $@

setup: $(BIN)/ringfence

run: setup
	$(BIN)/ringfence run

demo: setup
	$(BIN)/ringfence demo

test:
	bash scripts/test.sh

# Longer fuzzing than the test suite's short run: every hypothesis target with
# FUZZ_EXAMPLES inputs, then (when atheris is installed) FUZZ_SECONDS of
# coverage-guided fuzzing per target. Crashes: fuzz/crashes/ -> tests/fuzz/regressions/.
FUZZ_EXAMPLES ?= 20000
FUZZ_SECONDS ?= 60
fuzz: setup
	@rm -f fuzz/stats.txt
	RINGFENCE_FUZZ_PROFILE=rf-fuzz RINGFENCE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) RINGFENCE_FUZZ_STATS=fuzz/stats.txt \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz
	@cat fuzz/stats.txt
	@if $(BIN)/python -c "import atheris" 2>/dev/null; then \
		for t in $$($(BIN)/python fuzz/atheris_fuzz.py --list | cut -d: -f2); do \
			echo "== atheris $$t ($(FUZZ_SECONDS) s)"; \
			$(BIN)/python fuzz/atheris_fuzz.py $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
				> fuzz/last-$$t.log 2>&1; rc=$$?; \
			grep -E "DONE|number_of_executed_units" fuzz/last-$$t.log; \
			[ $$rc -eq 0 ] || { tail -40 fuzz/last-$$t.log; exit 1; }; \
		done; \
	else echo "atheris not installed: coverage-guided runs skipped"; fi

bench: setup
	$(BIN)/ringfence bench perf --out perf.json

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
