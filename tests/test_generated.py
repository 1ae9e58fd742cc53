"""Every committed generated file (front-end fixtures, API types) is what `make fixtures` writes now."""

from __future__ import annotations

from scripts.generate import ROOT, generated, stale


def test_generated_files_are_fresh():
    files = generated()
    old = [str(p.relative_to(ROOT)) for p in stale(files)]
    assert not old, f"stale generated files (run `make fixtures`): {old}"
