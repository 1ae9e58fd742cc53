"""The front end's API types, from /api/openapi.json through openapi-typescript (owner: the typed-API work).

The schema is made in process (django.setup(); webapp.api.api.get_openapi_schema()), written with
sorted keys to a temporary file, and turned into TypeScript by frontend/node_modules' openapi-typescript.
The output depends on nothing but the code: no timestamp, no path of the temporary file.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
OUT = FRONTEND / "src" / "api" / "schema.gen.ts"
HEADER = (
    "// Generated from /api/openapi.json by `make fixtures` (scripts/gen_api_types.py, openapi-typescript):"
    " do not edit; change the server's schemas (webapp/schemas.py) and regenerate.\n"
)


def openapi_schema() -> dict:
    import django

    django.setup()
    from webapp.api import api

    return api.get_openapi_schema()


def typescript(schema: dict) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "openapi.json", Path(tmp) / "schema.ts"
        source.write_text(json.dumps(schema, indent=1, sort_keys=True))
        subprocess.run(
            # --default-non-nullable=false: a key with a default may be absent (answers are
            # serialised with exclude_unset), so it stays optional in TypeScript.
            [
                "npx",
                "--no-install",
                "openapi-typescript",
                str(source),
                "-o",
                str(target),
                "--default-non-nullable=false",
            ],
            cwd=FRONTEND,
            check=True,
            capture_output=True,
            text=True,
        )
        text = target.read_text()
    return HEADER + text.replace(str(source), "openapi.json")


def files() -> dict[Path, str]:
    return {OUT: typescript(openapi_schema())}


if __name__ == "__main__":
    OUT.write_text(files()[OUT])
