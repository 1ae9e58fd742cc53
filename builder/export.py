"""Exports of a valid graph: a runnable Python script, the untrained .keras
file, and the normalised graph document."""

from __future__ import annotations

import ast
import functools
import keyword
import os
import re
import tempfile
from typing import Any

from .catalog import call_style, check_params, python_call, require_spec
from .catalog.registry import to_json
from .compile import checked_graph, compile_graph, model_name
from .document import Edge, Graph, Node
from .layout import layout
from .pretrained import is_model_block, script_lines
from .validate import Build, GraphInvalid, check_graph, in_model, infer

LINE = 79
INDENT = "    "
OPTIMIZER = "adam"


# ---------------------------------------------------------------- params


@functools.cache
def _cleaned_default(type_name: str, param: str) -> Any:
    """A param's default as check_params cleans it (3 -> (3, 3) for a 2-D kernel)."""
    default = require_spec(type_name).require(param).default
    cleaned, problems = check_params(type_name, {param: default})
    return to_json(cleaned[param]) if not problems and param in cleaned else to_json(default)


def non_default(type_name: str, params: dict) -> dict:
    """The cleaned params that differ from the catalog's defaults; a wrapper's
    inner block is kept, with its own defaults left out."""
    spec = require_spec(type_name)
    out = {}
    for key, value in params.items():
        pspec = spec.param(key)
        if pspec is not None and pspec.kind == "layer" and isinstance(value, dict):
            out[key] = {"type": value["type"], "params": non_default(value["type"], value.get("params", {}))}
        elif pspec is None or pspec.required or to_json(value) != _cleaned_default(type_name, key):
            out[key] = value
    return out


# ---------------------------------------------------------------- python


def _identifiers(ids: list[str]) -> dict[str, str]:
    taken = {"keras", "model", "build_model", "inputs", "outputs"}
    out = {}
    for node_id in ids:
        name = re.sub(r"\W", "_", node_id)
        if not name or name[0].isdigit():
            name = "n_" + name
        if keyword.iskeyword(name) or name in taken:
            name += "_"
        base, n = name, 2
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        taken.add(name)
        out[node_id] = name
    return out


def _format_call(call: ast.Call, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """`prefix + call + suffix` on one line if it fits, else one argument per
    line, nested calls (a wrapper's layer) formatted the same way."""
    one = f"{indent}{prefix}{ast.unparse(call)}{suffix}"
    if len(one) <= LINE:
        return [one]
    inner = indent + INDENT
    lines = [f"{indent}{prefix}{ast.unparse(call.func)}("]
    for name, value in [(None, a) for a in call.args] + [(k.arg, k.value) for k in call.keywords]:
        label = f"{name}=" if name else ""
        if isinstance(value, ast.Call):
            lines += _format_call(value, inner, label, ",")
        else:
            lines.append(f"{inner}{label}{ast.unparse(value)},")
    lines.append(f"{indent}){suffix}")
    return lines


def _statement(target: str, call_source: str, applied: str = "") -> list[str]:
    """`target = call(...)(applied)`, wrapped to fit LINE columns."""
    call = ast.parse(call_source, mode="eval").body
    assert isinstance(call, ast.Call)
    suffix = f"({applied})" if applied else ""
    one = f"{INDENT}{target} = {ast.unparse(call)}{suffix}"
    if len(one) <= LINE:
        return [one]
    head = f"{INDENT}{target} = {ast.unparse(call)}("
    if applied and len(head) <= LINE and len(INDENT * 2 + applied) <= LINE:
        return [head, f"{INDENT * 2}{applied}", f"{INDENT})"]
    return _format_call(call, INDENT, f"{target} = ", suffix)


def _dict_source(items: dict) -> str:
    return "{" + ", ".join(f"{k!r}: {v}" for k, v in items.items()) + "}"


def _keyword_lines(prefix: str, kwargs: list[tuple[str, str]], indent: str) -> list[str]:
    """`prefix(k=v, ...)` on one line if it fits, else one keyword per line,
    and a dict value one entry per line when it is still too long."""
    one = f"{indent}{prefix}(" + ", ".join(f"{k}={v}" for k, v in kwargs) + ")"
    if len(one) <= LINE:
        return [one]
    inner = indent + INDENT
    lines = [f"{indent}{prefix}("]
    for k, v in kwargs:
        line = f"{inner}{k}={v},"
        if len(line) > LINE and v.startswith("{"):
            entries = ast.parse(v, mode="eval").body
            assert isinstance(entries, ast.Dict)
            lines.append(f"{inner}{k}={{")
            for key, value in zip(entries.keys, entries.values, strict=False):
                entry = f"**{ast.unparse(value)}" if key is None else f"{ast.unparse(key)}: {ast.unparse(value)}"
                lines.append(f"{inner}{INDENT}{entry},")
            lines.append(f"{inner}}},")
        else:
            lines.append(line)
    lines.append(f"{indent})")
    return lines


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken or keyword.iskeyword(name):
        name = f"{base}_{n}"
        n += 1
    taken.add(name)
    return name


class _Script:
    """The script's parts: build_model()'s body and one function per Group (`def encoder_block():`
    returning its keras.Model), the shapes of each group's inputs from the checking walk."""

    def __init__(self, graph: Graph, built: Build | None):
        self.built = built
        taken = {"keras", "build_model"}
        self.functions: dict[str, str] = {}  # a group's path -> its function's name
        for path, _ in graph.groups():
            self.functions[path] = _unique(re.sub(r"\W", "_", path.replace("/", "_")) + "_block", taken)
        self.texts: list[list[str]] = []

    def body(self, graph: Graph, prefix: str) -> tuple[list[str], dict[str, str], set[str]]:
        """The lines that make the blocks of `graph` leading to its Outputs, the variable of each
        block, and those kept."""
        kept = in_model(graph)  # blocks that lead to no Output are left out of the model
        if prefix:
            kept |= set(graph.in_ports)
        order = [nid for nid in graph.order if nid in kept]
        names = _identifiers(order)
        taken = set(names.values()) | {"keras", "model", "build_model", "inputs", "outputs"}
        shared = {n.shares for n in graph.nodes.values() if n.shares is not None and n.id in kept}
        models: dict[str, str] = {}  # a shared group's id -> the variable holding its model
        lines: list[str] = []

        def source(edge: Edge) -> str:
            node = graph.nodes[edge.source]
            ports = graph.ports(node) if node.is_group else None
            if ports is not None and len(ports[1]) > 1:
                return f"{names[edge.source]}[{edge.source_port}]"
            return names[edge.source]

        for node_id in order:
            node = graph.nodes[node_id]
            var = names[node_id]
            if node.is_output:
                continue
            if node.is_input:
                if prefix:
                    shape, dtype = self._wire(prefix + node_id)
                else:
                    shape, dtype = tuple(node.params["shape"]), node.params.get("dtype", "float32")
                args = [f"shape={shape!r}"]
                if dtype != "float32":
                    args.append(f"dtype={dtype!r}")
                args.append(f"name={node_id!r}")
                lines += _statement(var, f"keras.Input({', '.join(args)})")
                continue
            sources = [source(e) for e in graph.inputs_of.get(node_id, [])]
            if node.is_group:
                owner = graph.owner(node)
                assert owner is not None
                function = self.functions[prefix + owner.id]
                applied = sources[0] if len(sources) == 1 else f"[{', '.join(sources)}]"
                if owner.id not in shared:
                    lines += _statement(var, f"{function}()", applied)
                    continue
                if owner.id not in models:
                    models[owner.id] = _unique(f"{names.get(owner.id, 'group')}_model", taken)
                    lines.append(f"{INDENT}{models[owner.id]} = {function}()")
                if node.shares is None:
                    lines += _named_call(var, models[owner.id], applied)
                else:  # the shared model's call, named after this group (an Identity, no weights)
                    lines += _statement(
                        var, f"keras.layers.Identity(name={node_id!r})", f"{models[owner.id]}({applied})"
                    )
                continue
            if is_model_block(node.type):  # a trained .keras by a path constant, or keras.applications
                lines += script_lines(node.type, node.params, node_id, var, sources[0], INDENT)
                continue
            call = python_call(node.type, non_default(node.type, node.params), node_id)
            style = call_style(node.type)
            if style == "single":
                applied = sources[0]
            elif style == "list":
                applied = f"[{', '.join(sources)}]"
            else:
                applied = ", ".join(sources)
            lines += _statement(var, call, applied)
        for node in graph.nodes.values():
            if node.is_output and node.id in kept:  # what each Output names (ids hold no ':')
                names[f"{node.id}:source"] = source(graph.inputs_of[node.id][0])
        return lines, names, kept

    def _wire(self, path: str) -> tuple[tuple, str]:
        spec = self.built.specs.get(path) if self.built is not None else None
        if spec is None:  # pragma: no cover - a valid graph's group inputs all have a spec
            raise ValueError(f"no shape for the group input '{path}'")
        shape, dtype = spec
        return tuple(shape[1:]), str(dtype)

    def group_function(self, path: str, node: Node) -> list[str]:
        inner = node.group
        assert inner is not None
        lines, names, _ = self.body(inner, path + "/")
        outputs = []
        for oid in inner.out_ports:
            var = names[oid]
            lines += _statement(var, f"keras.layers.Identity(name={oid!r})", names[f"{oid}:source"])
            outputs.append(var)
        inputs = [names[i] for i in inner.in_ports]
        lines += _keyword_lines(
            "return keras.Model",
            [
                ("inputs", inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"),
                ("outputs", outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"),
                ("name", repr(node.id)),
            ],
            INDENT,
        )
        ports = ", ".join(inner.in_ports)
        return [
            f"def {self.functions[path]}():",
            f'{INDENT}"""Group {path!r} as a functional model of its own (inputs: {ports})."""',
            *lines,
        ]


def _named_call(var: str, callee: str, applied: str) -> list[str]:
    one = f"{INDENT}{var} = {callee}({applied})"
    if len(one) <= LINE:
        return [one]
    return [f"{INDENT}{var} = {callee}(", f"{INDENT * 2}{applied}", f"{INDENT})"]


def script_from_graph(graph: Graph, built: Build | None = None) -> str:
    """The script of a valid graph; `built` (its checking walk) gives the shapes of the wires into its
    groups, and is made here when not given."""
    if built is None and graph.groups():
        built = infer(graph)
    script = _Script(graph, built)
    body, names, kept = script.body(graph, "")

    inputs = [names[n.id] for n in graph.nodes.values() if n.is_input and n.id in kept]
    outputs_nodes = [n for n in graph.nodes.values() if n.is_output]
    outputs = {n.id: names[f"{n.id}:source"] for n in outputs_nodes}
    if len(outputs) == 1:
        # One Output: a layer of its name ends the model, which then predicts
        # one array (several Outputs: a dict by Output name).
        ((output_id, source),) = outputs.items()
        body += _statement(names[output_id], f"keras.layers.Identity(name={output_id!r})", source)
        outputs_source = names[output_id]
    else:
        outputs_source = _dict_source(outputs)
    body += _keyword_lines(
        "model = keras.Model",
        [
            ("inputs", f"[{', '.join(inputs)}]"),
            ("outputs", outputs_source),
            ("name", repr(model_name(graph.name))),
        ],
        INDENT,
    )
    body += _keyword_lines(
        "model.compile",
        [
            ("optimizer", repr(OPTIMIZER)),
            ("loss", _dict_source({n.id: repr(n.params["loss"]) for n in outputs_nodes})),
            (
                "loss_weights",
                _dict_source({n.id: repr(float(n.params.get("loss_weight", 1.0))) for n in outputs_nodes}),
            ),
            ("metrics", _dict_source({n.id: repr(list(n.params.get("metrics", ()))) for n in outputs_nodes})),
        ],
        INDENT,
    )
    body.append(f"{INDENT}return model")

    functions: list[str] = []
    for path, node in graph.groups():
        functions += [*script.group_function(path, node), "", ""]

    title = graph.name or "model"
    doc = [f'"""{title}: a Keras model made with the visual model builder.']
    if graph.description:
        doc += ["", *_wrap_text(graph.description.replace('"""', "'''"))]
    doc += ["", "Run it to print the model's summary.", '"""']
    lines = [
        *doc,
        "",
        "import keras",
        "",
        "",
        *functions,
        "def build_model():",
        f'{INDENT}"""The functional model, compiled with its losses and metrics."""',
        *body,
        "",
        "",
        'if __name__ == "__main__":',
        f"{INDENT}model = build_model()",
        f"{INDENT}model.summary()",
        "",
    ]
    return "\n".join(lines)


def _wrap_text(text: str, width: int = LINE) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), width=width) or [""]


def export_python(doc: Any) -> str:
    """A readable, runnable script whose build_model() makes this graph's
    model (one function per Group); GraphInvalid if the graph is not valid."""
    result, graph, built = check_graph(doc)
    if not result["valid"]:
        raise GraphInvalid(result)
    return script_from_graph(graph, built)


# ---------------------------------------------------------------- .keras


def export_keras(doc: Any) -> bytes:
    """The untrained model as a .keras file, compiled with the Output blocks'
    losses and metrics (optimizer adam)."""
    compiled = compile_graph(doc)
    compiled.model.compile(optimizer=OPTIMIZER, **compiled.compile_kwargs())
    with tempfile.TemporaryDirectory(prefix="builder-export-") as tmp:
        path = os.path.join(tmp, "model.keras")
        compiled.model.save(path)
        with open(path, "rb") as f:
            return f.read()


# ---------------------------------------------------------------- json


def normalise_graph(doc: Any) -> dict:
    """The graph document as the builder reads it: ids kept, params cleaned
    to JSON (no defaults added), nodes in topological order, explicit ports
    into multi-input blocks, positions kept (laid out where missing)."""
    return normalised_from_graph(checked_graph(doc))


def normalised_from_graph(graph: Graph) -> dict:
    out: dict = {"version": 2 if graph.groups() else 1}
    if graph.name is not None:
        out["name"] = graph.name
    if graph.description is not None:
        out["description"] = graph.description
    out.update(_normalised_parts(graph))
    return out


def _normalised_parts(graph: Graph) -> dict:
    """The nodes (a Group with its own graph, normalised the same way) and edges of one graph."""
    order = {nid: i for i, nid in enumerate(graph.order)}
    missing = any(graph.nodes[nid].position is None for nid in graph.order)
    placed = layout(graph.order, [(e.source, e.target) for e in graph.edges]) if missing else {}
    nodes = []
    for nid in graph.order:
        node = graph.nodes[nid]
        entry: dict = {
            "id": nid,
            "type": node.type,
            "params": to_json(node.params),
            "position": dict(node.position) if node.position is not None else placed[nid],
        }
        if node.group is not None:
            entry["graph"] = _normalised_parts(node.group)
        nodes.append(entry)
    edges = []
    for e in sorted(graph.edges, key=lambda e: (order[e.target], e.slot, e.index)):
        edge: dict = {"source": e.source, "target": e.target}
        target = graph.nodes[e.target]
        spec = target.spec
        ports = graph.ports(target) if target.is_group else None
        if (spec is not None and spec.max_inputs != 1) or (ports is not None and len(ports[0]) > 1):
            edge["port"] = e.slot
        source = graph.nodes[e.source]
        outs = graph.ports(source) if source.is_group else None
        if outs is not None and len(outs[1]) > 1:
            edge["source_port"] = e.source_port
        edges.append(edge)
    return {"nodes": nodes, "edges": edges}
