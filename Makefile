# The two commands in the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-installed
NODE := node_modules/.deps-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench load worker beat migrate demo clean

$(DEPS): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Chart.js and the Sankey plugin come from npm; without npm the app still runs, minus charts.
$(NODE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: pages will render without charts"; fi

migrate: $(DEPS)
	$(BIN)/python manage.py migrate --noinput

# With DEBUG on (as `make run` serves it), a sign-in per role with a shared demo password.
demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo --accounts

## Install everything, load the demo data and serve on http://127.0.0.1:8000 (SQLite, eager Celery
## unless DATABASE_URL / CELERY_BROKER_URL are set).
run: $(DEPS) $(NODE) demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; install it when we can (root with apt), else they skip.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
		 (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)) \
		|| echo "could not install chromium: browser tests will skip"; \
	else echo "chromium not installed (apt-get install chromium chromium-driver): browser tests will skip"; fi

## Install everything and run the whole test suite, one pytest-xdist worker per core (each with
## its own test database, test_<name>_gw0, ...). PYTEST_WORKERS=0 runs it in one process.
## --maxschedchunk 4: a worker is handed at most four tests at a time (xdist's default hands each
## a quarter of its share at the start), so the slow transactional tests at the end spread out.
PYTEST_WORKERS ?= auto
test: $(DEPS) $(NODE) | $(CHROMIUM)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxschedchunk 4 $(PYTEST_ARGS)

lint: $(DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEPS)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(DEPS)
	$(BIN)/celery -A totalplace worker --loglevel=info

beat: $(DEPS)
	$(BIN)/celery -A totalplace beat --loglevel=info

## Benchmarks print ratios against a baseline measured in the same run (need PostgreSQL).
bench: $(DEPS)
	@for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

## Load test: 50 users for 60 s on a loopback gunicorn (a PostgreSQL DATABASE_URL of its own).
load: $(DEPS)
	$(BIN)/python bench/load_test.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache
