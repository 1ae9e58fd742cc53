"""The front end's API types, from /api/openapi.json through openapi-typescript (owner: the typed-API work)."""

from __future__ import annotations

from pathlib import Path


def files() -> dict[Path, str]:
    return {}
