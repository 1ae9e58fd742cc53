"""The front end's test fixtures, from builder/ (owner: the block-facts work).

- catalog.json: GET /api/layers as builder.catalog_json() gives it;
- expected.json: each example graph's parameter count and output shapes, the
  hand-checked figures of tests/fixtures/graphs/expected_valid.json (which the
  builder's own tests hold it to);
- param-checks.json: bad parameter values and the server's message for each
  (builder.catalog.checking), so that the front end's field checks are held to
  the very same words.

The example graphs themselves are not copied: Vitest reads builder/examples/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "frontend" / "src" / "test-fixtures"

# (block type, param, value): a bad value for each kind and each rule the
# front end interprets. A missing value is written as the key "missing".
BAD_VALUES: list[tuple[str, str, Any]] = [
    ("Dense", "units", 0),
    ("Dense", "units", 2.5),
    ("Dense", "units", 2_000_000),
    ("Dense", "units", "abc"),
    ("Dense", "units", True),
    ("Dense", "units", None),
    ("Dense", "use_bias", 1),
    ("Dense", "activation", "relux"),
    ("Dense", "kernel_initializer", None),
    ("Dropout", "rate", 1.5),
    ("Dropout", "rate", -0.25),
    ("Dropout", "noise_shape", [None, 0]),
    ("Dropout", "noise_shape", [-1, 3]),
    ("Output", "loss_weight", "x"),
    ("Output", "metrics", ["accuracy", "bogus"]),
    ("Output", "metrics", ["mae", "mae"]),
    ("Output", "metrics", "accuracy"),
    ("Output", "loss", "nope"),
    ("Conv2D", "kernel_size", [3, 3, 3]),
    ("Conv2D", "kernel_size", [3, 0]),
    ("Conv2D", "kernel_size", [3, None]),
    ("Conv2D", "kernel_size", 0),
    ("Conv2D", "padding", None),
    ("Conv2DTranspose", "output_padding", -1),
    ("MaxPooling2D", "strides", [2, "x"]),
    ("Input", "shape", []),
    ("Input", "shape", [28, 0]),
    ("Input", "shape", [28, -1]),
    ("Input", "shape", [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ("Input", "shape", [28, "x"]),
    ("Input", "shape", None),
    ("Input", "dtype", "float64"),
    ("Reshape", "target_shape", [-1, -1]),
    ("Reshape", "target_shape", [None, 4]),
    ("Permute", "dims", [2, 2]),
    ("Permute", "dims", [2, 9]),
    ("RandomZoom", "height_factor", [0.1, 0.2, 0.3]),
    ("RandomZoom", "height_factor", 2),
    ("RandomZoom", "height_factor", [-0.5, 1.5]),
    ("RandomContrast", "value_range", [1, 0]),
    ("RandomContrast", "value_range", 0.5),
    ("PReLU", "shared_axes", [1, 20]),
    ("Bidirectional", "layer", "LSTM"),
    ("Bidirectional", "layer", {"type": "Dense", "params": {}}),
    ("Bidirectional", "layer", {"type": "GRU", "params": 3}),
    ("Bidirectional", "layer", {"type": "GRU", "extra": 1}),
    ("Dense", "units", "missing"),
    ("Input", "shape", "missing"),
    ("Bidirectional", "layer", "missing"),
]


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def param_checks() -> list[dict]:
    from builder.catalog.checking import check_param, check_params
    from builder.catalog.registry import block_def

    out = []
    for type_name, name, value in BAD_VALUES:
        d = block_def(type_name)
        spec = d.spec.param(name) if d is not None else None
        if d is None or spec is None:
            raise LookupError(f"scripts/gen_fixtures.py: no {type_name}.{name} in the catalog")
        if value == "missing":
            _, problems = check_params(type_name, {})
            problems = [p for p in problems if p.param == name]
            case: dict = {"type": type_name, "param": name, "missing": True}
        else:
            _, problems = check_param(d, spec, value)
            case = {"type": type_name, "param": name, "value": value}
        if len(problems) != 1:
            raise AssertionError(f"{type_name}.{name} = {value!r}: expected one problem, got {problems}")
        case["message"] = problems[0].message
        out.append(case)
    return out


def files() -> dict[Path, str]:
    import builder

    expected = json.loads((ROOT / "tests" / "fixtures" / "graphs" / "expected_valid.json").read_text())
    return {
        OUT / "catalog.json": dump(builder.catalog_json()),
        OUT / "expected.json": dump(expected),
        OUT / "param-checks.json": dump(param_checks()),
    }
