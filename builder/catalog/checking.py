"""check_params: a block's JSON params in, cleaned Python values and the
problems out. Nothing here imports Keras."""

from __future__ import annotations

import difflib
import json
import math
from typing import Any

from .common import MAX_RANK
from .registry import block_def, to_json
from .specs import BlockDef, ParamDef, ParamProblem, ParamSpec


def show(value: Any, limit: int = 80) -> str:
    """A received value as the person wrote it (JSON), cut short if long."""
    try:
        text = json.dumps(value, allow_nan=True, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Bad(Exception):
    """The value does not fit; the message says what would."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, int | float)) and not isinstance(v, bool) and math.isfinite(v)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _bounds(spec: ParamSpec) -> str:
    lo, hi = spec.min, spec.max
    if lo is not None and hi is not None:
        return f"between {_num(lo)} and {_num(hi)}"
    if lo is not None:
        return f">= {_num(lo)}"
    if hi is not None:
        return f"<= {_num(hi)}"
    return ""


def _in_bounds(spec: ParamSpec, v: float) -> bool:
    return (spec.min is None or v >= spec.min) and (spec.max is None or v <= spec.max)


def _choices_text(choices: tuple, limit: int = 30) -> str:
    shown = ", ".join(show(c) for c in choices[:limit])
    return shown + (", ..." if len(choices) > limit else "")


def expectation(spec: ParamSpec, d: ParamDef | None = None) -> str:
    """What the parameter accepts, in words."""
    b = _bounds(spec)
    kind = spec.kind
    if kind == "int":
        text = "an integer" + (f" {b}" if b else "")
    elif kind == "float":
        text = "a number" + (f" {b}" if b else "")
    elif kind == "bool":
        text = "true or false"
    elif kind == "choice":
        text = "one of " + _choices_text(spec.choices or ())
    elif kind == "int_tuple":
        text = f"an integer or a list of {spec.length} integers" + (f", each {b}" if b else "")
    elif kind == "float_or_tuple":
        text = f"a number or a list of {spec.length} numbers" + (f", each {b}" if b else "")
    elif kind == "shape":
        entries = "integers" + (f" {b}" if b else "")
        extra = []
        if d is not None and d.null_entries:
            extra.append("null for a variable length")
        if d is not None and d.minus_one:
            extra.append("at most one -1")
        text = f"a list of 1 to {MAX_RANK} {entries}" + (f" ({', '.join(extra)})" if extra else "")
    elif kind == "string":
        text = "a string"
    elif kind == "string_list":
        text = "a list of distinct names" + (f", each one of {_choices_text(spec.choices)}" if spec.choices else "")
    elif kind == "layer":
        text = 'a block {"type": ..., "params": {...}} with type one of ' + ", ".join(spec.choices or ())
    else:  # pragma: no cover - a declaration bug
        raise AssertionError(f"unknown kind {kind}")
    if spec.nullable and kind != "choice":
        text += ", or null"
    return text


def _in_choices(v: Any, choices: tuple) -> bool:
    # `True == 1` in Python: compare types too.
    return any(v == c and type(v) is type(c) for c in choices)


def _check_value(spec: ParamSpec, d: ParamDef | None, v: Any, path: str, problems: list[ParamProblem]) -> Any:
    """The cleaned value; raises _Bad when it does not fit (nested layer
    problems are appended to `problems` instead)."""
    kind = spec.kind
    if v is None:
        if spec.nullable or (kind == "choice" and None in (spec.choices or ())):
            return None
        raise _Bad
    if kind == "int":
        if not _is_int(v) or not _in_bounds(spec, v):
            raise _Bad
        return v
    if kind == "float":
        if not _is_number(v) or not _in_bounds(spec, v):
            raise _Bad
        return float(v)
    if kind == "bool":
        if not isinstance(v, bool):
            raise _Bad
        return v
    if kind == "choice":
        if not _in_choices(v, spec.choices or ()):
            raise _Bad
        return v
    if kind == "string":
        if not isinstance(v, str):
            raise _Bad
        return v
    if kind == "int_tuple":
        if _is_int(v):
            v = [v] * (spec.length or 0)
        if not isinstance(v, list | tuple) or len(v) != spec.length:
            raise _Bad
        if not all(_is_int(x) and _in_bounds(spec, x) for x in v):
            raise _Bad
        return tuple(v)
    if kind == "float_or_tuple":
        if _is_number(v):
            if not _in_bounds(spec, v):
                raise _Bad
            return float(v)
        if not isinstance(v, list | tuple) or len(v) != spec.length:
            raise _Bad
        if not all(_is_number(x) and _in_bounds(spec, x) for x in v):
            raise _Bad
        return tuple(float(x) for x in v)
    if kind == "shape":
        if not isinstance(v, list | tuple) or not 1 <= len(v) <= MAX_RANK:
            raise _Bad
        minus_ones = 0
        for x in v:
            if x is None and d is not None and d.null_entries:
                continue
            if x == -1 and _is_int(x) and d is not None and d.minus_one:
                minus_ones += 1
                continue
            if not _is_int(x) or not _in_bounds(spec, x):
                raise _Bad
        if minus_ones > 1:
            raise _Bad
        return tuple(v)
    if kind == "string_list":
        if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
            raise _Bad
        if spec.choices is not None and not all(x in spec.choices for x in v):
            raise _Bad
        if len(set(v)) != len(v):
            raise _Bad
        return list(v)
    if kind == "layer":
        return _check_nested(spec, v, path, problems)
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover


def _check_nested(spec: ParamSpec, v: Any, path: str, problems: list[ParamProblem]) -> Any:
    if not isinstance(v, dict) or not isinstance(v.get("type"), str):
        raise _Bad
    extra = sorted(str(k) for k in v if k not in ("type", "params"))
    if extra:
        problems.append(
            ParamProblem(path, f"{path} has unknown keys {', '.join(extra)}; it takes only type and params")
        )
        return None
    inner_type = v["type"]
    if inner_type not in (spec.choices or ()):
        problems.append(
            ParamProblem(
                f"{path}.type",
                f"{path}.type must be one of {', '.join(spec.choices or ())}; got {show(inner_type)}",
            )
        )
        return None
    inner = block_def(inner_type)
    if inner is None:  # pragma: no cover - the catalog tests forbid this
        raise AssertionError(f"{inner_type} is a choice of {path} but not a block")
    inner_params = v.get("params", {})
    if inner_params is None:
        inner_params = {}
    cleaned, inner_problems = check_block_params(inner, inner_params, prefix=f"{path}.")
    problems.extend(inner_problems)
    if inner_problems:
        return None
    return {"type": inner_type, "params": cleaned}


def param_rules(spec: ParamSpec, d: ParamDef | None) -> dict:
    """What check_param asks of a value, as JSON: the catalog's `rules` on a
    parameter, which frontend/src/blocks/form.ts interprets to give the same
    answer (and the same message) before anything is sent."""
    rules: dict[str, Any] = {
        "kind": spec.kind,
        "expect": expectation(spec, d),
        "required": spec.required,
        "nullable": spec.nullable or (spec.kind == "choice" and None in (spec.choices or ())),
        "min": spec.min,
        "max": spec.max,
        "length": spec.length,
        "choices": to_json(spec.choices),
        "check": d.check.name if d is not None and d.check is not None else None,
    }
    if spec.kind == "shape":
        rules["entries"] = {
            "null": bool(d is not None and d.null_entries),
            "minus_one": bool(d is not None and d.minus_one),
            "min_count": 1,
            "max_count": MAX_RANK,
        }
    return rules


def check_param(d: BlockDef, pspec: ParamSpec, value: Any, prefix: str = "") -> tuple[Any, list[ParamProblem]]:
    """One parameter's cleaned value, or its problems."""
    path = prefix + pspec.name
    pdef = d.defs.get(pspec.name)
    nested: list[ParamProblem] = []
    try:
        out = _check_value(pspec, pdef, value, path, nested)
    except _Bad:
        return None, [ParamProblem(path, f"{path} must be {expectation(pspec, pdef)}; got {show(value)}")]
    if nested:
        return None, nested
    if out is not None and pdef is not None and pdef.check is not None:
        tail = pdef.check.test(out)
        if tail:
            return None, [ParamProblem(path, f"{path} {tail}; got {show(value)}")]
    return out, []


def check_block_params(d: BlockDef, params: Any, prefix: str = "") -> tuple[dict, list[ParamProblem]]:
    spec = d.spec
    problems: list[ParamProblem] = []
    if not isinstance(params, dict):
        where = prefix[:-1] + ".params" if prefix else None
        what = f"{where} of {spec.type}" if where else f"the params of {spec.type}"
        return {}, [ParamProblem(where, f"{what} must be an object of name: value; got {show(params)}")]
    known = [p.name for p in spec.params]
    cleaned: dict = {}
    for key, value in params.items():
        pspec = spec.param(key) if isinstance(key, str) else None
        if pspec is None:
            name = str(key)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            listed = ", ".join(known) if known else "none, it takes no parameters"
            problems.append(
                ParamProblem(
                    prefix + name,
                    f"unknown parameter {name!r} for {spec.type}{hint}; known: {listed}",
                )
            )
            continue
        out, found = check_param(d, pspec, value, prefix)
        if found:
            problems.extend(found)
        else:
            cleaned[key] = out
    for pspec in spec.params:
        if pspec.required and pspec.name not in params:
            path = prefix + pspec.name
            problems.append(
                ParamProblem(
                    path,
                    f"{spec.type} needs {path}: {expectation(pspec, d.defs.get(pspec.name))}; it has no default",
                )
            )
    return cleaned, problems


def check_params(type_name: str, params: Any) -> tuple[dict, list[ParamProblem]]:
    """Check a block's params. Returns the cleaned params (only those given;
    int_tuple and shape values as tuples, nested blocks checked) and the
    problems, each naming its parameter ("layer.units" inside a wrapper)."""
    d = block_def(type_name)
    if d is None:
        return {}, [ParamProblem(None, f"unknown block type {show(type_name)}: it is not in the catalog")]
    return check_block_params(d, params)
