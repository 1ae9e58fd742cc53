"""A small rate limit on Django's cache: at most N counted attempts per key in a window.

Used for logins (failures per username and client address; past the limit even the right
password is refused until the window has passed) and token creation (every creation per user
and address). The counters live in the default cache (Redis when REDIS_URL is set: every web
process counts together; see settings.CACHES).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from webapp.errors import FieldError

log = logging.getLogger(__name__)


class Throttled(FieldError):
    """429 with Retry-After (see webapp/api.py)."""

    def __init__(self, message: str, retry_after: int, field: str | None = None):
        super().__init__(message, field, status_code=429, retry_after=retry_after)
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address as the server sees it (behind a proxy: daphne --proxy-headers sets it)."""
    return str(request.META.get("REMOTE_ADDR") or "")


class Throttle:
    def __init__(self, scope: str, attempts_setting: str, window_setting: str):
        self.scope = scope
        self.attempts_setting = attempts_setting
        self.window_setting = window_setting

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.attempts_setting))

    @property
    def window(self) -> float:
        return float(getattr(settings, self.window_setting))

    def _key(self, request: HttpRequest, who: str) -> str:
        ident = f"{who.strip().lower()}|{client_address(request)}"
        return f"throttle:{self.scope}:{hashlib.sha256(ident.encode('utf-8', 'replace')).hexdigest()}"

    def check(self, request: HttpRequest, who: str, message: str, field: str | None = None) -> None:
        """Throttled when `who` from this address has used up its attempts in the current window."""
        key = self._key(request, who)
        try:
            count = cache.get(key) or 0
            if count < self.limit:
                return
            until = cache.get(key + ":until") or time.time() + self.window
        except Exception:  # the cache is down: let the request through rather than lock everyone out
            log.warning("throttle %s: the cache cannot be read", self.scope, exc_info=True)
            return
        retry = max(1, math.ceil(until - time.time()))
        raise Throttled(f"{message}: try again in {retry} s", retry, field)

    def count(self, request: HttpRequest, who: str) -> None:
        """One more attempt in the window (the window starts at the first)."""
        key = self._key(request, who)
        timeout = max(1, math.ceil(self.window))
        try:
            if cache.add(key, 1, timeout=timeout):
                cache.set(key + ":until", time.time() + self.window, timeout=timeout)
            else:
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=timeout)
        except Exception:
            log.warning("throttle %s: the cache cannot be written", self.scope, exc_info=True)

    def reset(self, request: HttpRequest, who: str) -> None:
        key = self._key(request, who)
        try:
            cache.delete_many([key, key + ":until"])
        except Exception:
            log.warning("throttle %s: the cache cannot be written", self.scope, exc_info=True)


LOGIN = Throttle("login", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW")
TOKENS = Throttle("tokens", "TOKEN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW")
