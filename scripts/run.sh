#!/usr/bin/env bash
# Starts redis-server, one Celery worker and the ASGI server (daphne); Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
REDIS_PORT=${REDIS_PORT:-6379}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
mkdir -p var/log var/redis
# Local use: DEBUG on (the app's default is off), and one random key, written once and reused.
export DEBUG=${DEBUG:-1}
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >var/secret_key)
  SECRET_KEY=$(cat var/secret_key)
  export SECRET_KEY
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  echo "redis: already running at $REDIS_URL"
else
  # append-only file in var/redis: queued runs survive a Redis restart (fsync every second)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir var/redis --save "" --appendonly yes \
    --appendfsync everysec >var/log/redis.log 2>&1 &
  pids+=($!)
  echo "redis: started on port $REDIS_PORT (log var/log/redis.log)"
fi

.venv/bin/celery -A webapp worker -l info >var/log/worker.log 2>&1 &
pids+=($!)
echo "worker: started (log var/log/worker.log)"

.venv/bin/daphne -b "$HOST" -p "$PORT" webapp.asgi:application >var/log/web.log 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  if (echo >"/dev/tcp/$HOST/$PORT") 2>/dev/null; then break; fi
  sleep 0.5
done
echo
echo "  Keras Canvas is running: open http://$HOST:$PORT/"
echo "  (logs in var/log/; Ctrl-C stops the server, the worker and redis)"
echo
wait -n "${pids[@]}"
echo "a process exited; see var/log/" >&2
