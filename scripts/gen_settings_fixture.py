"""The front end's training-settings fixture: GET /api/training/settings's answer, from trainer/settings.py.

Unit tests (frontend/src/train/*.test.ts) build their forms from it, so they test the real declaration
rather than a copy typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "frontend" / "src" / "test-fixtures" / "training-settings.json"


def training_settings_fixture() -> dict[Path, str]:
    from trainer.settings import declaration

    return {FIXTURE: json.dumps(declaration(), indent=2) + "\n"}
