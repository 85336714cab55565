# The README's two commands are `make run` and `make test`; each creates or reuses .venv by itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Two pytest-xdist workers (this is a two-core machine); tests/conftest.py makes each module one unit of work and
# the browser tests one unit, started first (the longest), so they never run two at a time. WORKERS=0: one process.
WORKERS ?= 2
PARALLEL := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadgroup --no-loadscope-reorder)

.PHONY: run test test-fast lint format browser samples bench clean

run: $(VENV)/.runtime-installed
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/lint-imports  # the layers in pyproject.toml: no arrow points up, the engine never imports Streamlit
	./.ci/ensure-chromium
	$(BIN)/python -m pytest $(PARALLEL) --durations=20

# Everything except training and the browser: a quick loop while editing.
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(PARALLEL) -m "not slow and not browser"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

samples: $(VENV)/.runtime-installed
	$(BIN)/python sample_data/generate.py

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed; set PYTHON=python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
