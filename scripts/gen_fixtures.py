"""The front end's test fixtures, from builder/ (owner: the block-facts work)."""

from __future__ import annotations

from pathlib import Path


def files() -> dict[Path, str]:
    return {}
