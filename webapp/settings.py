"""Django settings, read from the environment with working defaults."""

import os
import sys
from pathlib import Path

import dj_database_url
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Safe by default: DEBUG only when asked for (`make run` sets DEBUG=1 for local use).
DEBUG = env_bool("DEBUG", False)
# pytest-django imports these settings before any conftest can set the environment: a test run gets
# a fixed test key (and DEBUG stays off, as pytest-django forces). Servers never import pytest.
RUNNING_TESTS = "pytest" in sys.modules


def _secret_key() -> str:
    """SECRET_KEY, else the contents of the file SECRET_KEY_FILE names; only DEBUG or a test run
    may go without one. Refusing to start beats signing sessions with a key everyone knows."""
    key = os.environ.get("SECRET_KEY", "").strip()
    path = os.environ.get("SECRET_KEY_FILE", "").strip()
    if not key and path:
        try:
            key = Path(path).read_text().strip()
        except OSError as exc:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"SECRET_KEY_FILE={path} cannot be read: {exc}") from None
    if key:
        return key
    if RUNNING_TESTS:
        return "test-only-secret-key-not-for-any-server-0123456789-abcdefghij"
    if DEBUG:
        return "dev-only-insecure-secret-key-change-me-in-production"
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is not set and DEBUG is off: set the SECRET_KEY environment variable to a long random "
        "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or SECRET_KEY_FILE to a file "
        "holding one; for local development set DEBUG=1 (`make run` does both)"
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Behind TLS (see README "Deploying"): every `manage.py check --deploy` item can be set here.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# "X-Forwarded-Proto,https" behind a proxy that sets that header (and strips it from clients).
_proxy_ssl = env_list("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl and len(_proxy_ssl) != 2:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be a header and a value, like X-Forwarded-Proto,https")
SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_ssl[0].upper().replace('-', '_')}", _proxy_ssl[1]) if _proxy_ssl else None
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = os.environ.get("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
X_FRAME_OPTIONS = os.environ.get("X_FRAME_OPTIONS", "DENY")
SECURE_CONTENT_TYPE_NOSNIFF = True

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "webapp.accounts",
    "webapp.projects",
    "webapp.datasets",
    "webapp.runs",
    "webapp.sweeps",
    "webapp.ensembles",
    "webapp.library",
    "webapp.modelfiles",
]

MIDDLEWARE = [
    # The Host header is checked before anything answers (WhiteNoise serves / itself).
    "webapp.middleware.AllowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "webapp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = None
ASGI_APPLICATION = "webapp.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # PostgreSQL in production: keep each thread's connection (DATABASE_CONN_MAX_AGE seconds, checked
        # before reuse) instead of a new server process per request and per websocket handshake
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write to one file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    # Write-ahead log, synced at checkpoints: a commit is ~0.01 ms instead of two fsyncs (~16 ms here; a
    # sweep's trial makes ~20), readers never wait for a writer; still safe if a process dies, only a power
    # loss may take back the last commits. (PostgreSQL in production.)
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Where a worker writes a run's files while it trains (one `run-<id>-*` folder each, removed when the run
# ends; a starting worker removes those of runs no longer running in this instance's database). Per instance,
# so that two instances on one machine (or two test stacks) never sweep each other's folders.
RUN_WORK_DIR = Path(os.environ.get("RUN_WORK_DIR", VAR_DIR / "work"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The built front end is served at / (index.html, /assets/...).
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.exists() else None
WHITENOISE_INDEX_FILE = True
WHITENOISE_USE_FINDERS = True

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# The cache holds the login and token throttles' counters (webapp/throttle.py): in Redis when
# REDIS_URL is set, so every web process counts together; in this process's memory otherwise.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "kc"}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# At most LOGIN_THROTTLE_ATTEMPTS failed logins per username and client address in
# LOGIN_THROTTLE_WINDOW seconds; past that, every attempt (the right password too) is a 429 until
# the window has passed. Token creation: TOKEN_THROTTLE_ATTEMPTS per user and address per window.
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("LOGIN_THROTTLE_ATTEMPTS", "10"))
LOGIN_THROTTLE_WINDOW = float(os.environ.get("LOGIN_THROTTLE_WINDOW", "300"))
TOKEN_THROTTLE_ATTEMPTS = int(os.environ.get("TOKEN_THROTTLE_ATTEMPTS", "30"))
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
    }
}

# Celery: training on its own queue; a bare `celery -A webapp worker` consumes every queue
# listed here. TensorFlow does not survive fork after import: the solo pool never forks.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("training"))
CELERY_TASK_ROUTES = {"webapp.runs.tasks.train_run": {"queue": "training"}}
CELERY_WORKER_POOL = "solo"
CELERY_WORKER_CONCURRENCY = 1
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Runs: a running run whose worker sent no heartbeat for this long is marked failed.
RUN_HEARTBEAT_TIMEOUT = float(os.environ.get("RUN_HEARTBEAT_TIMEOUT", "60"))
# The web process checks for such runs in the background (webapp/runs/watchdog.py).
RUN_WATCHDOG = env_bool("RUN_WATCHDOG", True)
# An open websocket's token or session and its run or sweep are checked again this often (seconds):
# a revoked token, a logout, a deleted user or object closes it (webapp/socket_auth.py).
SOCKET_RECHECK_SECONDS = float(os.environ.get("SOCKET_RECHECK_SECONDS", "2"))
# ...and sends again, once, the task of a run queued this long that the broker lost (webapp/runs/reconcile.py).
RUN_REQUEUE_AFTER = float(os.environ.get("RUN_REQUEUE_AFTER", "60"))
# The model size cap (webapp/limits.py): validate warns past it; export, import and training refuse
# it, on the checking walk's counts, before any weight is allocated. Training's own cap defaults to it.
MAX_MODEL_PARAMS = int(os.environ.get("MAX_MODEL_PARAMS", str(50_000_000)))
MAX_TRAIN_PARAMS = int(os.environ.get("MAX_TRAIN_PARAMS", str(MAX_MODEL_PARAMS)))
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Using a trained model (webapp/runs/use.py): samples per predict request, models kept loaded per web
# process, and the time limit of one export conversion (seconds).
PREDICT_MAX_SAMPLES = int(os.environ.get("PREDICT_MAX_SAMPLES", "256"))
PREDICT_CACHE_MODELS = int(os.environ.get("PREDICT_CACHE_MODELS", "4"))
EXPORT_TIMEOUT_S = float(os.environ.get("EXPORT_TIMEOUT_S", "300"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}

# Uploads: the first handler refuses a body past MAX_UPLOAD_BYTES while it is parsed (413).
FILE_UPLOAD_HANDLERS = [
    "webapp.datasets.uploads.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
