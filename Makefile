# Two commands from a fresh clone: `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: lab test install install-test bench check clean notebooks

# A .venv that cannot run the course is made again instead of failing on every run: its python no longer starts
# (the Python it was made from was removed or upgraded), is older than 3.10, or its pip names a python that is
# gone (the clone was moved; every script's first line holds the old path).
VENV_WORKS := $(shell $(BIN)/python -c 'import os, sys; \
	line = open(sys.argv[1]).readline(); \
	print(sys.version_info >= (3, 10) and os.access(line[2:].split()[0], os.X_OK))' \
	$(BIN)/pip 2>/dev/null)
ifneq ($(VENV_WORKS),True)
$(BIN)/python: rebuild-venv
endif

.PHONY: rebuild-venv
rebuild-venv:

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
		echo "hooklab needs Python 3.10 or newer, and '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing)."; \
		echo "Install a newer Python, then run, for example: make lab PYTHON=python3.12"; exit 1; }
	@if [ -e $(VENV) ] || [ -L $(VENV) ]; then echo "$(VENV) cannot run the course any more: making it again"; fi
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

# `make lab` installs what the course needs; `make test` adds the test tools (pytest, Playwright, mypy, ruff,
# JupyterHub...), about three times as much. pip shows what it fetches, so the first run is not minutes of silence.
$(STAMP): $(BIN)/python pyproject.toml
	@echo "Installing the course into $(VENV): 1 to 3 minutes, only the first time."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e .
	@# An editable install skips pyproject's data-files: put the kernel's course guidance where IPython reads it.
	mkdir -p $(VENV)/etc/ipython && cp etc/ipython/ipython_kernel_config.json $(VENV)/etc/ipython/
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	@echo "Installing the test tools into $(VENV): a few minutes, only the first time."
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $(TEST_STAMP)

# The classroom tests run a real JupyterHub, whose proxy comes from npm, not PyPI.
CHP := $(VENV)/chp/node_modules/.bin/configurable-http-proxy

$(CHP):
	npm install --prefix $(VENV)/chp --no-audit --no-fund --silent configurable-http-proxy@5

# The accessibility tests (tests/browser/test_accessibility.py) run axe-core in Chromium; it comes from npm too.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

$(AXE):
	npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@4

install: $(STAMP)

install-test: $(TEST_STAMP)

# Jupyter refuses to run as root unless told; containers and cloud shells often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

# Serve the whole repository (so lessons link to exercises, solutions and docs) and open the welcome notebook.
# default_url is what Jupyter prints and what `/` leads to, so the printed link opens 00 even when no browser
# starts by itself (over SSH, in WSL or a container), not the Launcher; a file named on the command line would be
# opened only by a browser Jupyter starts. tests/browser/test_journey.py starts JupyterLab from this very line
# (`make -n lab`).
WELCOME := notebooks/00_welcome.ipynb
# No "Get notified about Jupyter news?" toast over 00 and no update checks: a learner needs neither.
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(WELCOME) --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

lab: $(STAMP)
	@echo "Starting the course. If no browser opens, open the link below that ends in $(WELCOME)?token=..."
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

NOTEBOOK_DIRS := notebooks exercises solutions

# The notebooks run against a throwaway worksheet file, so saved answers never change their outputs,
# two at a time (each notebook in order, in its own kernel). tests/nbval_kernel.py connects each kernel
# over Unix sockets, so a notebook's servers cannot take its ports while it starts, and gives the run an
# empty HOME and no learner id (as tests/conftest.py does for the tests): the checks judge the course's own
# scenes, never those of a learner id saved in this machine's ~/.hooklab.
test: $(TEST_STAMP) $(CHP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy simulators
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests
	HOOKLAB_WORKSHEET=$$(mktemp -d)/worksheet.json $(BIN)/python -m pytest -q --nbval --nbval-current-env \
		--nbval-cell-timeout=300 --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:python -p tests.nbval_kernel \
		-n 2 --dist loadfile $(NOTEBOOK_DIRS)

# Re-run every notebook top to bottom and save it (after changing code a notebook shows).
notebooks: $(TEST_STAMP)
	$(BIN)/python -m simulators.course.notebooks execute $(wildcard notebooks/*.ipynb exercises/*.ipynb solutions/*.ipynb)

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

check: $(STAMP)
	$(BIN)/hooklab check

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# hooklab Lite (issue 25): the core course as a static site that runs in the browser; lite/build.py says
# what comes from where (PyPI and npm at build time, nothing from outside at run time). Its tools get an
# environment of their own. Serve it with: python3 -m http.server -b 127.0.0.1 -d build/lite/site
LITE_TOOLS := build/lite-tools

.PHONY: lite

$(LITE_TOOLS)/.installed: lite/requirements-build.txt
	$(PYTHON) -m venv $(LITE_TOOLS)
	$(LITE_TOOLS)/bin/python -m pip install --quiet -r lite/requirements-build.txt
	touch $@

lite: $(LITE_TOOLS)/.installed
	$(LITE_TOOLS)/bin/python lite/build.py
