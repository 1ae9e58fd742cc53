"""In-process API tests: Django's test client against a fresh test database, files in a temporary
MEDIA_ROOT, events to the session's real redis-server, and no Celery message sent (recorded instead)."""

import json
import os
from pathlib import Path

import pytest
from django.test import Client

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "builder" / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def events_redis(settings, redis_url):
    """Events published by the web process go to the test's redis-server."""
    settings.REDIS_URL = redis_url
    return redis_url


@pytest.fixture
def queued(monkeypatch):
    """The run ids sent to the worker (no broker involved)."""
    from webapp.runs import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.train_run, "delay", lambda run_id: sent.append(run_id))
    return sent


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


def token_client(user) -> Client:
    from webapp.accounts.models import ApiToken

    _, raw = ApiToken.objects.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


class SessionClient(Client):
    """A browser: logged in by session, CSRF enforced, the token sent in X-CSRFToken like the front end."""

    def __init__(self, user=None):
        super().__init__(enforce_csrf_checks=True)
        if user is not None:
            self.force_login(user)
        self.get("/api/auth/me")

    def generic(self, method, path, *args, headers=None, **kwargs):
        headers = dict(headers or {})
        token = self.cookies.get("csrftoken")
        if token is not None and not kwargs.pop("no_csrf", False):
            headers.setdefault("X-CSRFToken", token.value)
        else:
            kwargs.pop("no_csrf", None)
        return super().generic(method, path, *args, headers=headers, **kwargs)


@pytest.fixture
def api(alice):
    """alice's script: a token client."""
    return token_client(alice)


@pytest.fixture
def other(bob):
    return token_client(bob)
