"""Sockets follow permissions: a websocket's credentials and object, checked again while it is open.

A consumer checks who is asking when the socket opens; this module keeps checking every
settings.SOCKET_RECHECK_SECONDS (2 s by default) and closes the socket when
- its credentials no longer hold: the Bearer token was revoked, the session was logged out (or its
  password changed), the user was deleted or deactivated: close code 4401;
- its object is gone or no longer theirs (the run or sweep was deleted): close code 4404.

Use: mix `RecheckMixin` into an AsyncWebsocketConsumer, call `self.start_recheck(still_theirs)`
once the socket is accepted (`still_theirs(user) -> bool` is a plain, synchronous ORM check, run in
a thread), and `await self.stop_recheck()` in disconnect(). Results are shared in the process for
half an interval: a thousand viewers of one run with one token cost one query per interval, not a
thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare

from webapp.accounts.middleware import bearer_token
from webapp.accounts.models import ApiToken, hash_token

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


def recheck_seconds() -> float:
    return float(getattr(settings, "SOCKET_RECHECK_SECONDS", 2.0))


def credentials_hold(scope: dict) -> bool:
    """Whether the socket's user may still be served: their Bearer token (when the handshake sent
    one) still exists, or their session still logs them in; and they are active. Synchronous (ORM)."""
    user = scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    User = get_user_model()
    fresh = User._default_manager.filter(pk=user.pk, is_active=True).first()
    if fresh is None:
        return False
    raw = bearer_token(scope)
    if raw is not None:
        return ApiToken.objects.filter(key_hash=hash_token(raw), user_id=user.pk).exists()
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    data = store.load()  # {} once logged out (the row deleted) or expired
    if str(data.get(SESSION_KEY)) != str(fresh.pk) or not data.get(BACKEND_SESSION_KEY):
        return False
    if hasattr(fresh, "get_session_auth_hash"):
        return bool(constant_time_compare(data.get(HASH_SESSION_KEY, ""), fresh.get_session_auth_hash()))
    return True


class _Shared:
    """Check results shared by the consumers of this process, fresh for half an interval; a check
    in flight is awaited by everyone asking for the same key instead of being repeated."""

    def __init__(self) -> None:
        self.results: dict[Any, tuple[float, bool]] = {}
        self.inflight: dict[Any, asyncio.Future] = {}

    async def get(self, key: Any, check: Callable[[], bool]) -> bool:
        now = time.monotonic()
        found = self.results.get(key)
        if found is not None and now - found[0] < recheck_seconds() / 2:
            return found[1]
        pending = self.inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.inflight[key] = future
        try:
            value = bool(await sync_to_async(check, thread_sensitive=False)())
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            self.inflight.pop(key, None)
        future.set_result(value)
        self.results[key] = (time.monotonic(), value)
        if len(self.results) > 10_000:  # forget the stale ones
            cutoff = time.monotonic() - recheck_seconds()
            self.results = {k: v for k, v in self.results.items() if v[0] >= cutoff}
        return value


SHARED = _Shared()


def _credentials_key(scope: dict) -> tuple:
    user = scope.get("user")
    raw = bearer_token(scope)
    if raw is not None:
        return ("token", getattr(user, "pk", None), hash_token(raw))
    session = scope.get("session")
    return ("session", getattr(user, "pk", None), getattr(session, "session_key", None))


def _sync_db(check: Callable[[], bool]) -> Callable[[], bool]:
    """`check` with the thread's stale database connections closed first (as channels does)."""

    def run() -> bool:
        from django.db import close_old_connections

        close_old_connections()
        try:
            return check()
        finally:
            close_old_connections()

    return run


class RecheckMixin:
    """For AsyncWebsocketConsumer subclasses (see the module's docstring)."""

    _recheck_task: asyncio.Task | None = None

    def start_recheck(self, still_theirs: Callable[[Any], bool], object_key: Any) -> None:
        """Start checking every interval; `object_key` names the object for the shared results
        (like ("run", 7))."""
        scope = self.scope  # type: ignore[attr-defined]
        self._recheck_task = asyncio.get_running_loop().create_task(self._recheck(scope, still_theirs, object_key))

    async def _recheck(self, scope: dict, still_theirs: Callable[[Any], bool], object_key: Any) -> None:
        user = scope.get("user")
        credentials = _credentials_key(scope)
        try:
            while True:
                await asyncio.sleep(recheck_seconds())
                try:
                    if not await SHARED.get(credentials, _sync_db(lambda: credentials_hold(scope))):
                        code = CLOSE_UNAUTHENTICATED
                    elif not await SHARED.get(
                        (object_key, getattr(user, "pk", None)), _sync_db(lambda: bool(still_theirs(user)))
                    ):
                        code = CLOSE_NOT_FOUND
                    else:
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database is away for a moment: keep the socket, try again
                    log.warning("socket re-check failed; trying again", exc_info=True)
                    continue
                await self.on_recheck_failed(code)
                return
        except asyncio.CancelledError:
            pass

    async def on_recheck_failed(self, code: int) -> None:
        """Close the socket with `code` (a subclass may say why first)."""
        await self.close(code=code)  # type: ignore[attr-defined]

    async def stop_recheck(self) -> None:
        task, self._recheck_task = self._recheck_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
