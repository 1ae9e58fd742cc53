# make run  : install what is missing, migrate, start redis + worker + web server
# make test : install what is missing, run every test (Python, front end, browser)
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SRC := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: setup system-packages python frontend run test test-python test-frontend migrate clean lint format fixtures prod

setup: system-packages python frontend

system-packages:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing="$$missing dataset-fashion-mnist"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

python: .venv/.stamp

.venv/.stamp: pyproject.toml Makefile
	[ -x $(PY) ] || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,postgres]'
	touch $@

frontend: frontend/dist/index.html

frontend/node_modules/.stamp: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.stamp $(FRONTEND_SRC)
	cd frontend && npm run build
	touch $@

migrate: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

run: setup migrate
	./scripts/run.sh

# the production stack on this machine: nginx in front of two daphne, PostgreSQL, Redis with AOF, two workers (var/prod/)
prod: setup
	./scripts/prod.sh

test-python: setup
	$(PY) -m pytest --durations=30

test-frontend: setup
	cd frontend && npm test

# the quality gate: ruff (lint + format) and mypy on the Python, tsc + eslint + prettier on the front end
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	cd frontend && npm run lint

# rewrite what the gate can fix by itself
format: setup
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
	cd frontend && npm run format

# regenerate every committed file derived from the code (front-end fixtures, API types);
# tests/test_generated.py fails when a committed copy differs from what this writes
fixtures: python frontend/node_modules/.stamp
	$(PY) scripts/generate.py

test: setup lint
	cd frontend && npm test
	$(PY) -m pytest --durations=30

clean:
	rm -rf .venv frontend/node_modules frontend/dist var
