# Two commands from a fresh clone: `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test install bench check clean notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The classroom tests run a real JupyterHub, whose proxy comes from npm, not PyPI.
CHP := $(VENV)/chp/node_modules/.bin/configurable-http-proxy

$(CHP):
	npm install --prefix $(VENV)/chp --no-audit --no-fund --silent configurable-http-proxy@5

install: $(STAMP)

# Jupyter refuses to run as root unless told; containers and cloud shells often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

# Serve the whole repository (so lessons link to exercises, solutions and docs) and open the welcome
# notebook. tests/browser/test_journey.py starts JupyterLab from this very line (`make -n lab`).
LAB_ARGS := --ServerApp.root_dir=. notebooks/00_welcome.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

NOTEBOOK_DIRS := notebooks exercises solutions

# The notebooks run against a throwaway worksheet file, so saved answers never change their outputs,
# two at a time (each notebook in order, in its own kernel). tests/nbval_kernel.py connects each kernel
# over Unix sockets, so a notebook's servers cannot take its ports while it starts, and gives the run an
# empty HOME and no learner id (as tests/conftest.py does for the tests): the checks judge the course's own
# scenes, never those of a learner id saved in this machine's ~/.hooklab.
test: $(STAMP) $(CHP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy simulators
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests
	HOOKLAB_WORKSHEET=$$(mktemp -d)/worksheet.json $(BIN)/python -m pytest -q --nbval --nbval-current-env \
		--nbval-cell-timeout=300 --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:python -p tests.nbval_kernel \
		-n 2 --dist loadfile $(NOTEBOOK_DIRS)

# Re-run every notebook top to bottom and save it (after changing code a notebook shows).
notebooks: $(STAMP)
	$(BIN)/python -m simulators.course.notebooks execute $(wildcard notebooks/*.ipynb exercises/*.ipynb solutions/*.ipynb)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

check: $(STAMP)
	$(BIN)/hooklab check

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
