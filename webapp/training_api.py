"""GET /api/training/settings: the training settings' declaration (see trainer/settings.py)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["training"])
