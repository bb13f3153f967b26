# pricelab: set up, run, test.  `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first interpreter >= 3.12 among python3.13, python3.12, python3 and pyenv's versions.
PYTHON_312 := $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v $$c; break; fi; done)

.PHONY: venv run test test-fast test-repeat bench dashboard assets lint clean reports

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON_312)" ]; then \
	  echo "error: no Python >= 3.12 found (tried python3.13, python3.12, python3, pyenv versions)"; exit 2; fi
	@echo "using $(PYTHON_312)"
	test -x $(PY) || $(PYTHON_312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,cluster]'
	# pip compiles the packages it installs, not an editable install's sources: without this, where
	# PYTHONDONTWRITEBYTECODE is set, every command would compile pricelab's modules again (0.2 s CPU a start)
	$(PY) -m compileall -q market experiments dashboard
	touch $(STAMP)

run: venv
	$(VENV)/bin/pricelab run experiments/configs/amazon_10min.toml --out results/amazon_10min

assets: venv
	$(PY) -m dashboard.assets

test: venv assets
	$(PY) -m pytest -n 2 -q

test-fast: venv
	$(PY) -m pytest -n 2 -q -m "not browser and not slow"

# The suite N times in a row (default 20), stopping at the first failure: a flaky test shows itself.
test-repeat: venv assets
	for i in $$(seq $${N:-20}); do echo "run $$i"; $(PY) -m pytest -n 2 -q -p no:cacheprovider || exit 1; done

bench: venv
	$(VENV)/bin/pricelab bench --json

dashboard: venv assets
	$(VENV)/bin/pricelab dashboard

# Every shipped report, by the command beside it in experiments/reports/README.md.
reports: venv
	grep -o '`pricelab [^`]*`' experiments/reports/README.md | tr -d '`' | \
	  while read -r command; do echo "$$command"; PATH=$(VENV)/bin:$$PATH eval "$$command" >/dev/null || exit 1; done

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) results .pytest_cache
