"""Write every committed file that is derived from the code: `make fixtures` runs this.

Each generator returns {path: text}; `--check` writes nothing and exits 1 naming the stale files
(tests/test_generated.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
# An in-process dump of the schema and fixtures, no server: the development defaults are enough.
os.environ.setdefault("DEBUG", "1")


def generated() -> dict[Path, str]:
    from scripts import gen_api_types, gen_fixtures, gen_settings_fixture

    out: dict[Path, str] = {}
    out.update(gen_fixtures.files())
    out.update(gen_api_types.files())
    out.update(gen_settings_fixture.training_settings_fixture())
    return out


def stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, text in files.items() if not p.exists() or p.read_text() != text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args()
    files = generated()
    old = stale(files)
    if args.check:
        for p in old:
            print(f"stale: {p.relative_to(ROOT)} (run `make fixtures`)")
        return 1 if old else 0
    for p in old:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
