# mmcheck: `make run` sets up and checks the bundled litmus library; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
SHARED ?= ../shared/conformance

.PHONY: run test bench conformance lint venv clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/mmcheck check litmus/

test: $(VENV)/.installed-test
	$(PY) -m pytest -q

conformance: $(VENV)/.installed
	@if [ -d "$(SHARED)" ]; then \
	  $(PY) -m mmcheck.conformance --quiet $(SHARED)/x86-catalogue $(SHARED)/x86_64-catalogue \
	    $(SHARED)/x86_64-instructions $(SHARED)/x86-diy $(SHARED)/aarch64-catalogue \
	    $(SHARED)/aarch64-diy $(SHARED)/aarch64-instructions $(SHARED)/c-lkmm; \
	else echo "no conformance corpus at $(SHARED): skipped"; fi

# Benchmarks measure mmcheck as users install it (not the editable development copy).
BENCH_VENV ?= .venv-bench

bench:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check -q install .
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check -q install --force-reinstall --no-deps .
	$(BENCH_VENV)/bin/python tests/bench/bench.py --shared $(SHARED)

lint: $(VENV)/.installed-test
	$(PIP) install ruff mypy types-networkx
	$(VENV)/bin/ruff check mmcheck tests
	$(VENV)/bin/mypy mmcheck

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info
