"""Keras's exceptions rewritten for the person at the canvas: what the block
expected, what it got, and how to fix it.

The shapes quoted are the ones Keras gave the block's inputs; the arithmetic
here only fills in suggestions (a Reshape target), never an output shape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog.specs import BlockDef

Shape = Sequence[int | None]

# What the input of each family looks like, batch axis first (channels_last);
# a block names its own in its declaration (`layout=`).
SEQUENCE = "(batch, timesteps, features)"
STEPS = "(batch, steps, channels)"
IMAGE = "(batch, height, width, channels)"
VOLUME = "(batch, depth, height, width, channels)"
VECTOR = "(batch, features)"
TIMESTEPS = "(batch, timesteps, ...)"
# By a convolution's or pooling's rank.
BY_RANK = {1: STEPS, 2: IMAGE, 3: VOLUME}

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NDIM = re.compile(r"expected (min_|max_)?ndim=(\d+), found ndim=(\d+)")


def fmt_shape(shape: Shape | None) -> str:
    if shape is None:
        return "(unknown)"
    items = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _fmt_target(dims: Sequence) -> str:
    return fmt_shape(list(dims))


def clean_keras_message(exc: BaseException, limit: int = 400) -> str:
    """Keras's message without colour codes, call-site boilerplate and the
    echo of the arguments."""
    text = _ANSI.sub("", str(exc) or type(exc).__name__)
    if "Exception encountered when calling" in text:
        parts = [p.strip() for p in text.split("\n\n")]
        body = [
            p
            for p in parts
            if p and not p.startswith("Exception encountered") and not p.startswith("Arguments received")
        ]
        text = " ".join(body) or text
    text = text.split("Arguments received by")[0]
    text = re.sub(r"Input (\d+) with name '[^']*' of layer '[^']*' is incompatible with the layer: ", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _display_name(type_name: str, params: dict) -> str:
    inner = params.get("layer") if isinstance(params, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("type"), str):
        return f"{type_name}({inner['type']})"
    return type_name


def _layout(layout: str | None, params: dict) -> str | None:
    if layout in (STEPS, IMAGE, VOLUME) and params.get("data_format") == "channels_first":
        inner = layout[len("(batch, ") : -len(", channels)")]
        layout = f"(batch, channels, {inner})"
    return layout


def _rank_of(layout: str) -> int:
    return layout.count(",") + 1


def _collapse(shape: Shape, keep: int) -> list:
    """shape (batch excluded) merged to `keep` axes, the trailing ones
    multiplied together (-1 where a size is unknown)."""
    head, tail = list(shape[: keep - 1]), list(shape[keep - 1 :])
    known = [d for d in tail if d is not None]
    tail_size = math.prod(known) if len(known) == len(tail) else -1
    head = [-1 if d is None else d for d in head]
    if tail_size == -1 and -1 in head:
        return []
    return [*head, tail_size]


def _rank_fix(want: int, got: Shape) -> str:
    """A suggestion for a block that needs rank `want` (batch included) and got `got`."""
    sample = list(got[1:])
    have = len(got)
    if have > want:
        if want == 2:
            return "add a Flatten (or a GlobalAveragePooling) before it"
        target = _collapse(sample, want - 1)
        reshape = f"a Reshape to {_fmt_target(target)}" if target else "a Reshape"
        if want == 3:
            return f"add {reshape} or a TimeDistributed(Flatten) before it"
        return f"add {reshape} before it"
    # fewer axes than needed
    if want == 3 and have == 2:
        n = sample[0]
        steps = f"({n}, 1)" if n is not None else "(-1, 1)"
        extra = " (for token ids, an Embedding makes the features axis)"
        return (
            f"add a Reshape to {steps} before it, to read it as {n if n is not None else 'N'} steps of 1 feature{extra}"
        )
    if want == 4 and have == 3:
        return f"add a Reshape to {_fmt_target([-1 if d is None else d for d in sample] + [1])} before it (one channel)"
    if want == 4 and have == 2 and sample[0] is not None:
        n = sample[0]
        side = math.isqrt(n)
        if side * side == n:
            return f"add a Reshape to ({side}, {side}, 1) before it, or any (height, width, channels) of {n} values"
        return f"add a Reshape to (height, width, channels) with height * width * channels = {n} before it"
    if want == 3 and have > 0:
        return "add a Reshape to (timesteps, features) before it"
    if want == 4:
        return "add a Reshape to (height, width, channels) before it"
    if want == 5:
        return "add a Reshape to (depth, height, width, channels) before it"
    return "reshape its input to that layout"


def _rank_message(shown: str, layout: str, got: Shape) -> str:
    return f"{shown} needs {layout}; it got {fmt_shape(got)}: {_rank_fix(_rank_of(layout), got)}"


def _shapes_text(shapes: list[Shape]) -> str:
    texts = [fmt_shape(s) for s in shapes]
    return ", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else (texts[0] if texts else "nothing")


def explain_call_error(block: BlockDef, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str:
    """The message for a block whose layer refused its inputs: a wrong rank
    against the block's `layout`, the usual Keras refusals, then the block's
    own `explain` rule, else Keras's message."""
    raw = _ANSI.sub("", str(exc))
    shown = _display_name(block.spec.type, params)
    first = input_shapes[0] if input_shapes else None
    layout = _layout(block.layout, params)

    if layout is not None and first is not None:
        rank_problem = (
            _NDIM.search(raw)
            or "Kernel shape must have the same length as input" in raw
            or "at least 3 dimensions" in raw
        )
        if rank_problem and len(first) != _rank_of(layout):
            return _rank_message(shown, layout, first)
        if "Kernel shape must have the same length as input" in raw or "at least 3 dimensions" in raw:
            return _rank_message(shown, layout, first)
        match = _NDIM.search(raw)
        if match and match.group(1) == "min_" and len(first) < int(match.group(2)):
            return _rank_message(shown, layout, first)

    if "must be fully-defined" in raw or "must be fully defined" in raw:
        unknown = fmt_shape(first)
        return (
            f"{shown} needs to know the size of its input's last axis to make its weights; it got {unknown}: "
            "give the Input a fixed size, or reduce the variable axis first (e.g. a GlobalAveragePooling1D "
            "or an LSTM without return_sequences after a sequence)"
        )

    if "output size would be zero or negative" in raw:
        return (
            f'{shown}\'s window does not fit in its input {fmt_shape(first)}: use padding "same", a smaller '
            "kernel or pool size or fewer strides, or make the input larger"
        )

    if block.explain is not None:
        found = block.explain(shown, params, exc, input_shapes)
        if found is not None:
            return found

    got = _shapes_text(input_shapes)
    return f"{shown} cannot take an input of shape {got}: {clean_keras_message(exc)}"


# ---- the blocks' own explain rules (`explain=` in a declaration) --------------


def along_axis(shown: str, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str:
    """Concatenate: every axis but one must match."""
    axis = params.get("axis", -1)
    ranks = {len(s) for s in input_shapes}
    differ = "; they do not even have the same number of axes" if len(ranks) > 1 else ""
    return (
        f"{shown} joins its inputs along axis {axis}, so every other axis must match; it got "
        f"{_shapes_text(input_shapes)}{differ}: make the shapes match (a Reshape, Flatten or Dense on one branch) "
        "or change axis"
    )


def same_shapes(shown: str, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str:
    """Add, Multiply...: the inputs must have one shape."""
    return (
        f"{shown} combines its inputs element by element and needs them the same shape; it got "
        f"{_shapes_text(input_shapes)}: make them match, e.g. a Dense (or a 1x1 Conv2D for images) with the same "
        "size on the branch that differs"
    )


def along_axes(shown: str, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str:
    """Dot: the sizes along `axes` must be equal."""
    axes = params.get("axes")
    axes = list(axes) if isinstance(axes, tuple) else axes
    return (
        f"{shown} multiplies its inputs along axes {axes}, where their sizes must be equal; it got "
        f"{_shapes_text(input_shapes)}: change axes or make those sizes match ({clean_keras_message(exc)})"
    )


def same_size(shown: str, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str | None:
    """Reshape: the target must hold as many values as the input."""
    first = input_shapes[0] if input_shapes else None
    if "total size" not in str(exc) or first is None:
        return None
    target = params.get("target_shape")
    sample = [d for d in first[1:] if d is not None]
    size = math.prod(sample) if len(sample) == len(first) - 1 else None
    have = f"has {size} values per sample" if size is not None else f"is {fmt_shape(first)}"
    return (
        f"{shown} to {fmt_shape(target) if target is not None else 'its target_shape'} must keep the number of values, "
        f"but its input {fmt_shape(first)} {have}: choose a target_shape whose sizes multiply to "
        f"{size if size is not None else 'the same number'}, or put -1 on one axis"
    )


def query_value(shown: str, params: dict, exc: BaseException, input_shapes: list[Shape]) -> str:
    """The attention blocks: query, value and key must fit together."""
    return (
        f"{shown} could not combine query, value{' and key' if len(input_shapes) > 2 else ''} "
        f"{_shapes_text(input_shapes)}: {clean_keras_message(exc)}"
    )


def explain_build_error(type_name: str, params: dict, exc: BaseException) -> str:
    """The message for a block whose layer could not even be made from its params."""
    return f"{_display_name(type_name, params)} refuses these settings: {clean_keras_message(exc)}"


def explain_input_error(exc: BaseException) -> str:
    return f"this Input cannot be made: {clean_keras_message(exc)}"


def explain_unexpected(type_name: str, exc: Any) -> str:
    return f"{type_name} failed unexpectedly: {clean_keras_message(exc)}"
