# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up they call.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := helsefellesskap/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv npm static migrate demo lint format worker lock clean

run: setup migrate demo ## Set everything up, load the demo and serve on http://127.0.0.1:8000
	@echo "Serverer på http://$(HOST):$(PORT)/  (Ctrl+C for å stoppe)"
	@# The worker is started again if it ever exits, as systemd does in production.
	( trap 'kill $$pid 2>/dev/null; exit 0' INT TERM; \
	  while :; do \
	    DEBUG=$${DEBUG-1} $(PY) manage.py run_worker --interval 1 & pid=$$!; wait $$pid; \
	    echo "Bakgrunnsprosessen stoppet; starter den igjen om 2 sekunder." >&2; sleep 2; \
	  done ) & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEBUG=$${DEBUG-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: setup lint ## Set up, lint and run the whole suite (browser tests included)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: venv npm static

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

npm: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Designsystemet: the theme's tokens first, then the component CSS, into one file Django serves.
static: $(VENDOR)/designsystemet.css
$(VENDOR)/designsystemet.css: node_modules/.installed
	mkdir -p $(VENDOR)
	cat node_modules/@digdir/designsystemet-theme/src/themes/designsystemet.css \
	    node_modules/@digdir/designsystemet-css/dist/src/index.css > $@

migrate: setup
	DEBUG=$${DEBUG-1} $(PY) manage.py migrate --no-input

demo: migrate
	DEBUG=$${DEBUG-1} $(PY) manage.py load_demo

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=tools $(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy helsefellesskap
	$(VENV)/bin/djhtml --check --tabwidth 2 $$(find helsefellesskap -name '*.html')
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml --tabwidth 2 $$(find helsefellesskap -name '*.html')

worker: setup ## Run the background task worker (e-mail and other jobs)
	DEBUG=$${DEBUG-1} $(PY) manage.py run_worker

lock: ## Refresh constraints.txt from a clean resolve of pyproject.toml
	rm -rf /tmp/hf-lock && $(PYTHON) -m venv /tmp/hf-lock
	/tmp/hf-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/hf-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles

.PHONY: bench-indicators
bench-indicators: venv ## Time the indicator engine on 10 million synthetic stays (STAYS=2000000: quicker)
	DEBUG=1 $(PY) benchmarks/indicators.py $(if $(STAYS),--stays $(STAYS)) $(BENCH_ARGS)
