# LearnHub — `make run` sets everything up and serves the app; `make test` runs the suite.
# Needs Python 3.11+, Node.js/npm and a few system libraries (`make install` checks them first
# and prints the apt-get line for anything missing). Everything else is installed into
# .tools/, .venv/ and node_modules/ inside this folder.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
FLASK := $(VENV)/bin/flask --app learnhub
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-production check-system assets run test test-fast lint migrate serve-production clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

check-system:
	@scripts/check-system-packages development

# Development and tests: every Python package, including the dev group (pytest, Playwright, ruff).
install: check-system $(UV)
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error
	$(MAKE) assets

# Production: the locked runtime packages only (no dev group), then the built CSS/JS. Run it
# once per release (docs/operations.md, "Upgrading"), not on every start.
install-production: $(UV)
	@scripts/check-system-packages production
	$(UV) sync --frozen --no-dev
	npm ci --no-audit --no-fund --loglevel=error
	$(MAKE) assets

assets:
	npm run --silent build

instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@
	@echo "PUBLIC_BASE_URL = 'http://$(HOST):$(PORT)'" >> $@
	@echo "Wrote $@ with a new SECRET_KEY and PUBLIC_BASE_URL (git-ignored)."

run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# Tests run in two phases per database: most in parallel (pytest-xdist, TEST_WORKERS processes,
# each with its own database), then the browser, load and scale tests one at a time (they start
# servers and a browser, and measure nothing that another test should disturb).
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest
PARALLEL := -n $(TEST_WORKERS) -m "not browser and not load and not scale" $(PYTEST_ARGS)
SERIAL := -m "browser or load or scale" $(PYTEST_ARGS)

# The whole suite on SQLite, then again on PostgreSQL when LEARNHUB_TEST_DATABASE_URL is set.
test: install
	LEARNHUB_TEST_DATABASE_URL= $(PYTEST) $(PARALLEL)
	LEARNHUB_TEST_DATABASE_URL= $(PYTEST) $(SERIAL)
	@if [ -n "$$LEARNHUB_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$LEARNHUB_TEST_DATABASE_URL"; \
		$(PYTEST) $(PARALLEL) && $(PYTEST) $(SERIAL); \
	else \
		echo "LEARNHUB_TEST_DATABASE_URL is not set: PostgreSQL run skipped."; \
	fi

# The inner loop: SQLite, in parallel, without the browser, load and route-sweep tests.
test-fast: install
	LEARNHUB_TEST_DATABASE_URL= $(PYTEST) -n $(TEST_WORKERS) -m "not browser and not load and not scale and not sweep" $(PYTEST_ARGS)

lint: $(UV)
	$(UV) sync --frozen
	$(VENV)/bin/ruff check learnhub tests benchmarks

# Apply the database migrations (after install-production, before serve-production).
migrate:
	$(FLASK) db upgrade

# Production: PostgreSQL + gunicorn. Needs LEARNHUB_SECRET_KEY and LEARNHUB_DATABASE_URL.
# Installs nothing and changes nothing: it stops if `make install-production` has not been run
# or the database is behind the code (`make migrate`), then starts gunicorn.
serve-production:
	@test -x $(VENV)/bin/gunicorn || { echo "Run 'make install-production' first." >&2; exit 1; }
	@test -f learnhub/static/css/main.css || { echo "The CSS is not built: run 'make install-production' first." >&2; exit 1; }
	$(FLASK) db-check
	exec $(VENV)/bin/gunicorn --config gunicorn.conf.py "learnhub:create_app()"

clean:
	rm -rf .tools $(VENV) node_modules learnhub/static/css learnhub/static/assets learnhub/static/js/nhsuk-frontend.min.js test-artifacts
