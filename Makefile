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
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask migrate
	$(BIN)/flask seed --if-empty
	exec $(BIN)/gunicorn --config zichtbaar/gunicorn_conf.py --bind 0.0.0.0:$(PORT) zichtbaar.wsgi:app

test: $(VENV)/.installed
# The browser tests (tests/e2e) drive Debian's chromium and inject axe-core from npm; the benchmark round
# (tests/bench) needs wrk and nginx. Fetch whatever is missing once.
	@if [ ! -x /usr/bin/chromium ] || ! command -v wrk >/dev/null || [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
		else sudo=none; fi; \
		if [ "$$sudo" = none ]; then echo "== chromium, wrk or nginx missing and no root or sudo: their tests will skip"; \
		else echo "== installing Debian's chromium, wrk and nginx-light for the browser and benchmark tests"; \
			$$sudo apt-get update -qq >/dev/null && \
			$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk nginx-light >/dev/null \
			|| exit 1; fi; \
	fi
	@if [ ! -d tests/e2e/node_modules ]; then \
		if command -v npm >/dev/null; then npm ci --prefix tests/e2e --no-audit --no-fund --silent; \
		else echo "== npm missing: the axe-core accessibility tests will skip"; fi; \
	fi
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
