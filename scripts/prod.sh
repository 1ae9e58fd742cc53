#!/usr/bin/env bash
# The production stack on this machine (scripts/prodstack.py): nginx in front of two daphne processes,
# PostgreSQL, Redis with its append-only file and two Celery workers, all under var/prod/.
#   scripts/prod.sh            start in the foreground (Ctrl+C stops everything)
#   scripts/prod.sh stop       stop it from another shell
# PROD_PORT (8080), PROD_WEB (2), PROD_WORKERS (2) and the settings' variables (MAX_UPLOAD_BYTES...) apply.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/prodstack.py "$@"
