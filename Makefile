# The two commands: `make run` serves the register, `make test` runs the whole suite.
# Each creates (or reuses) its own virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := zichtbaar.wsgi

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask migrate
	$(BIN)/flask seed --if-empty
	exec $(BIN)/gunicorn --config zichtbaar/gunicorn_conf.py --bind 0.0.0.0:$(PORT) zichtbaar.wsgi:app

test: $(VENV)/.installed
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: database-facing tests"; \
		ZICHTBAAR_TEST_DB=postgres $(BIN)/python -m pytest -m db; \
	fi

lint: $(VENV)/.installed
	$(BIN)/python -m ruff check . && $(BIN)/python -m ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance/*.sqlite3*
