# exhibit: `make demo` sets everything up and runs the main job on a generated sample cache;
# `make test` sets everything up and runs the tests. Both work on a fresh Debian machine.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
EXHIBIT := $(VENV)/bin/exhibit
DEMO  ?= demo-data
PORT  ?= 8000

.PHONY: setup system venv demo test lint bench clean

setup: system venv

system:
	bash scripts/setup-system.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: setup
	rm -rf $(DEMO)
	$(PY) -m exhibit.demo $(DEMO)/cache --seed 7
	$(EXHIBIT) init --archive $(DEMO)/archive
	$(EXHIBIT) ingest $(DEMO)/cache --archive $(DEMO)/archive --source demo --custodian demo
	$(EXHIBIT) ls --archive $(DEMO)/archive
	$(EXHIBIT) verify --archive $(DEMO)/archive
	$(EXHIBIT) search '收押' --archive $(DEMO)/archive --limit 5
	$(EXHIBIT) records extract --archive $(DEMO)/archive
	$(EXHIBIT) records check --archive $(DEMO)/archive
	$(EXHIBIT) code run --archive $(DEMO)/archive
	$(EXHIBIT) code chart --out $(DEMO)/charts --archive $(DEMO)/archive
	$(EXHIBIT) link run --archive $(DEMO)/archive
	$(EXHIBIT) serve --archive $(DEMO)/archive --host 127.0.0.1 --port $(PORT) --demo-admin

test: setup
	bash scripts/run-tests.sh

lint: venv
	$(VENV)/bin/ruff check exhibit tests bench
	$(VENV)/bin/mypy --strict exhibit

clean:
	rm -rf $(DEMO) test-artifacts .pytest_cache
