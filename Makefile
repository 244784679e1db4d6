# cohorte — run `make help` for the list of targets.
# Every target creates .venv and installs the kit (pinned by constraints.txt) when needed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
COHORTE := $(VENV)/bin/cohorte
STAMP := $(VENV)/.cohorte-installed
EDITIONS ?= 2020 2021
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install report test test-fast lint lab benchmark clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name cohorte --display-name "Python (cohorte)" >/dev/null
	@touch $@

install: $(STAMP) ## Create .venv, install the kit and register its Jupyter kernel "cohorte"

report: $(STAMP) ## Build 2020, then the 2021 demonstration that follows it, on demo data (EDITIONS="2020 2021")
	@for edition in $(EDITIONS); do $(COHORTE) build $$edition || exit 1; done

test: $(STAMP) ## Run the whole test suite (unit, notebooks, rendering, browser)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the unit tests only (skips the slow edition builds)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP) ## Lint, format check, type-check and layer contract (ruff, mypy, lint-imports)
	$(VENV)/bin/ruff check src tests notebooks benchmarks scripts
	$(VENV)/bin/ruff format --check src tests notebooks benchmarks scripts
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports

lab: $(STAMP) ## Open JupyterLab on the repository with the kit's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=.

benchmark: $(STAMP) ## Print the benchmark figures (indicators, build)
	$(PY) benchmarks/bench_indicators.py
	$(PY) benchmarks/bench_build.py

clean: ## Remove the generated demo data and the outputs (keeps .venv and any real data)
	rm -rf data/*-demo outputs/*/
