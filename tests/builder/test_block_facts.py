"""Every fact about a block lives in its declaration (builder/catalog/): no
other module keeps its own map of block type names, so a renamed block keeps
its messages, multiply-adds and lints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builder import macs, messages
from builder.catalog.applications import application_types
from builder.catalog.common import VALUE_CHECKS
from builder.catalog.markers import INPUT, OUTPUT
from builder.catalog.pretrained import PRETRAINED
from builder.catalog.registry import block_defs
from builder.catalog.samples import SAMPLES

BUILDER = Path(__file__).resolve().parents[2] / "builder"
TYPES = set(block_defs())

# Where a type name may be written out, and why:
# - the first argument of declare_block: the declaration itself;
# - markers.py's INPUT and OUTPUT: the markers' names, used by the graph;
# - samples.py's keys: test data, checked against the catalog below;
# - the `choices` of a nested-block parameter (recurrent.py): checked below;
# - a Keras class name in importer.py (a config's class_name, not a block type);
# - CATEGORIES' labels ("Embedding", "Attention") in specs.py: words, not types.
ALLOWED = {
    "catalog/samples.py",
    "catalog/recurrent.py",
    "importer.py",
    "catalog/specs.py",
}


def _literal_type_names(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    declared = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "declare_block" and node.args:
            declared.add(id(node.args[0]))
        if isinstance(node, ast.Assign) and path.name == "markers.py":
            for target in node.targets:
                if getattr(target, "id", None) in ("INPUT", "OUTPUT"):
                    declared.add(id(node.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in TYPES and id(node) not in declared
    ]


@pytest.mark.parametrize("path", sorted(p for p in BUILDER.rglob("*.py")), ids=lambda p: str(p.relative_to(BUILDER)))
def test_no_second_map_of_block_types(path):
    if str(path.relative_to(BUILDER)) in ALLOWED:
        return
    assert _literal_type_names(path) == [], f"{path.name} names block types outside their declarations"


def test_the_allowed_lists_name_only_catalog_blocks():
    # Pretrained is no Keras class (builder/pretrained.py loads a model): tests/builder/test_pretrained.py;
    # nor are the Keras Applications (keras.applications networks): tests/builder/test_applications.py.
    assert set(SAMPLES) == TYPES - {INPUT, OUTPUT, PRETRAINED} - application_types()
    for d in block_defs().values():
        for p in d.spec.params:
            if p.kind == "layer":
                assert set(p.choices or ()) <= TYPES, f"{d.spec.type}.{p.name}"


def test_a_renamed_block_would_be_caught_here():
    """The scan above does see a stray type name (so it can fail)."""
    stray = BUILDER.parent / "tests" / "builder" / "_stray_example.py"
    stray.write_text('RULES = {"Dense": 1}\n')
    try:
        assert _literal_type_names(stray) == [(1, "Dense")]
    finally:
        stray.unlink()


def test_facts_are_the_builders_own_rules():
    """Each declared fact is one of the rules its module offers."""
    offered_macs = {
        macs.per_output_position,
        macs.per_input_position,
        macs.per_time_step,
        macs.multi_head_attention,
        macs.dot_product_attention,
        macs.elementwise_product,
    }
    offered_explain = {
        messages.along_axis,
        messages.along_axes,
        messages.same_shapes,
        messages.same_size,
        messages.query_value,
    }
    layouts = {messages.SEQUENCE, messages.STEPS, messages.IMAGE, messages.VOLUME, messages.VECTOR, messages.TIMESTEPS}
    for d in block_defs().values():
        assert d.macs is None or d.macs in offered_macs, d.spec.type
        assert d.explain is None or d.explain in offered_explain, d.spec.type
        assert d.layout is None or d.layout in layouts, d.spec.type
        for pdef in d.defs.values():
            assert pdef.check is None or VALUE_CHECKS.get(pdef.check.name) is pdef.check


def test_layouts_and_rules_where_they_matter():
    defs = block_defs()
    assert defs["Conv2D"].layout == messages.IMAGE and defs["Conv1D"].layout == messages.STEPS
    assert defs["LSTM"].macs is macs.per_time_step and defs["Bidirectional"].layout == messages.SEQUENCE
    assert defs["Conv2DTranspose"].macs is macs.per_input_position
    assert defs["Softmax"].final_activation({}) == ("softmax", True)
    assert defs["Dense"].final_activation({}) == ("linear", False)
    assert defs["Activation"].final_activation({"activation": "linear"}) == ("linear", True)
    assert defs["Dropout"].not_last
    assert defs["Flatten"].macs is None and defs["Flatten"].layout is None
