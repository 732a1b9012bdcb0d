# 商圈共治 Shangquan — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SQ := $(VENV)/bin/shangquan
JOBS ?= $(shell $(PY) -c 'import os; print(max(1, min(4, os.cpu_count() or 1)))' 2>/dev/null || echo 1)

.PHONY: run test deps browser-deps bench lint messages demo worker clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

## make run: install, migrate, load the demo districts if empty, serve on :8000
run: deps
	$(SQ) setup
	$(SQ) run

## make test: the whole suite, browser tests included: installs Debian's Chromium and CJK
## fonts where it can (root), else fails loudly (SHANGQUAN_SKIP_BROWSER_TESTS=1 to skip them)
test: deps browser-deps
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m "not faults" $(PYTEST_ARGS)
	@# then alone: kill -9 and (on PostgreSQL) a cluster restart under load; 5 = none selected
	SHANGQUAN_FAULTS_RESTART_PG=1 $(PY) -m pytest -m faults $(PYTEST_ARGS) || [ $$? -eq 5 ]

browser-deps:
	bash scripts/browser-deps.sh

## make bench: benchmarks under bench/, printing their figures and ratios
bench: deps
	$(PY) bench/run.py $(BENCH_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

## make messages: refresh and compile the English translations
messages: deps
	cd shangquan && ../$(VENV)/bin/django-admin makemessages -l en --no-location
	$(PY) scripts/po_fill.py shangquan/locale/terms/*.json
	cd shangquan && ../$(VENV)/bin/django-admin compilemessages

demo: deps
	$(SQ) demo

worker: deps
	$(SQ) worker

clean:
	rm -rf $(VENV) node_modules var
