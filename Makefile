# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The CPU build of torch for development and CI; users get a loose range from pyproject.toml.
PIP_INSTALL := $(PIP) install --quiet -c constraints.txt

.PHONY: demo test lint docs benchmarks browser clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo-installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e ".[plot,progress]"
	touch $@

$(VENV)/.dev-installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e ".[dev]"
	touch $@ $(VENV)/.demo-installed

$(VENV)/.docs-installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e ".[docs]"
	touch $@

demo: $(VENV)/.demo-installed
	$(PY) -m skgesture reproduce --quick --out reports/demo --force

test: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check skgesture tests examples benchmarks conftest.py
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check skgesture tests examples benchmarks conftest.py
	$(VENV)/bin/ruff format --check skgesture tests examples benchmarks conftest.py

# The documentation, gallery examples run, in docs/_build/html; warnings are errors.
docs: $(VENV)/.docs-installed
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

# Chromium, chromedriver and selenium for the browser tests of the HTML pages
# (tests/test_html_report.py skips them without a browser). Never fails for want of apt.
browser: $(VENV)/.dev-installed
	scripts/install-browser.sh $(PY)

benchmarks: $(VENV)/.dev-installed
	$(PIP_INSTALL) -e ".[benchmarks]"
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist reports *.egg-info docs/_build docs/auto_examples docs/generated docs/sg_execution_times.rst
