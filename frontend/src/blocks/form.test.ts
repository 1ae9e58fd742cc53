import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../api/types";
import { examples, param, paramChecks, spec, specs, catalog } from "../test-fixtures";
import {
  checkParams,
  formFor,
  parseChoice,
  parseFloatOrTuple,
  parseIntList,
  parseList,
  parseNumber,
  parseShape,
  parseTuple,
  setParam,
  tupleValues,
  show,
  validateValue,
  widgetFor,
  NONE_OPTION,
} from "./form";

const UNITS = "units must be an integer between 1 and 1000000";

const base: ParamSpec = {
  name: "p",
  kind: "int",
  default: null,
  required: false,
  nullable: false,
  choices: null,
  min: null,
  max: null,
  length: null,
  doc: "",
};
const mk = (over: Partial<ParamSpec>): ParamSpec => ({ ...base, ...over });

describe("form generation", () => {
  it("has a widget for every parameter in the catalog", () => {
    for (const layer of catalog.layers) {
      for (const p of layer.params) expect(widgetFor(p), `${layer.type}.${p.name}`).toBeTruthy();
    }
  });

  it("maps kinds to widgets", () => {
    expect(widgetFor(param("Dense", "units"))).toBe("number");
    expect(widgetFor(param("Dense", "activation"))).toBe("select");
    expect(widgetFor(param("Dense", "use_bias"))).toBe("checkbox");
    expect(widgetFor(param("Conv2D", "kernel_size"))).toBe("tuple");
    expect(widgetFor(param("Input", "shape"))).toBe("shape");
    expect(widgetFor(param("Output", "metrics"))).toBe("checklist");
    expect(widgetFor(param("Bidirectional", "layer"))).toBe("layer");
    expect(widgetFor(mk({ kind: "string" }))).toBe("text");
    expect(widgetFor(mk({ kind: "string_list" }))).toBe("list");
    expect(widgetFor(mk({ kind: "float_or_tuple", length: 2 }))).toBe("list");
  });

  it("builds one field per parameter, with values, defaults and errors", () => {
    const fields = formFor(spec("Dense"), { activation: "relu" });
    expect(fields.map((f) => f.param.name)).toEqual(spec("Dense").params.map((p) => p.name));
    const units = fields.find((f) => f.param.name === "units")!;
    expect(units).toMatchObject({
      widget: "number",
      isSet: false,
      value: null,
      error: "Dense needs units: an integer between 1 and 1000000; it has no default",
    });
    const activation = fields.find((f) => f.param.name === "activation")!;
    expect(activation).toMatchObject({ isSet: true, value: "relu", error: null });
    const useBias = fields.find((f) => f.param.name === "use_bias")!;
    expect(useBias).toMatchObject({ isSet: false, value: true, error: null });
  });

  it("reports every wrong field of a node", () => {
    expect(checkParams(spec("Dense"), { units: 0 })).toEqual({ units: `${UNITS}; got 0` });
    expect(checkParams(spec("Dense"), { units: 2.5 })).toEqual({ units: `${UNITS}; got 2.5` });
    expect(checkParams(spec("Dense"), {})).toEqual({
      units: "Dense needs units: an integer between 1 and 1000000; it has no default",
    });
    expect(checkParams(spec("Dense"), { units: 10, activation: "nope" })).toHaveProperty("activation");
    expect(checkParams(spec("Conv2D"), { filters: 8, kernel_size: [3, 3, 3] })).toEqual({
      kernel_size:
        "kernel_size must be an integer or a list of 2 integers, each between 1 and 1024; got [3, 3, 3]",
    });
    expect(checkParams(spec("Conv2D"), { filters: 8, kernel_size: 3 })).toEqual({});
    expect(checkParams(spec("Output"), { loss: "mse", metrics: ["accuracy", "bogus"] })).toEqual({
      metrics: expect.stringMatching(
        /^metrics must be a list of distinct names, each one of .*; got \["accuracy", "bogus"\]$/,
      ),
    });
  });
});

describe("field validation", () => {
  it("checks integers with bounds", () => {
    const units = param("Dense", "units");
    expect(parseNumber(units, "512")).toEqual({ ok: true, value: 512 });
    expect(parseNumber(units, " 64 ")).toEqual({ ok: true, value: 64 });
    expect(parseNumber(units, "0")).toEqual({ ok: false, error: `${UNITS}; got 0` });
    expect(parseNumber(units, "2000000")).toEqual({ ok: false, error: `${UNITS}; got 2000000` });
    expect(parseNumber(units, "1.5")).toEqual({ ok: false, error: `${UNITS}; got 1.5` });
    expect(parseNumber(units, "abc")).toEqual({ ok: false, error: `${UNITS}; got "abc"` });
    expect(parseNumber(units, "")).toEqual({
      ok: false,
      error: "needs units: an integer between 1 and 1000000; it has no default",
    });
    expect(parseNumber(units, "None")).toEqual({ ok: false, error: `${UNITS}; got null` });
  });

  it("checks floats with bounds, and empty means the default", () => {
    const rate = param("Dropout", "rate");
    expect(parseNumber(rate, "0.5")).toEqual({ ok: true, value: 0.5 });
    expect(parseNumber(rate, ".25")).toEqual({ ok: true, value: 0.25 });
    expect(parseNumber(rate, "1.5")).toEqual({
      ok: false,
      error: "rate must be a number between 0 and 1; got 1.5",
    });
    const weight = param("Output", "loss_weight");
    expect(parseNumber(weight, "")).toEqual({ ok: true, value: undefined });
    expect(parseNumber(weight, "1e-3")).toEqual({ ok: true, value: 0.001 });
  });

  it("reads None for nullable numbers", () => {
    const p = mk({ kind: "int", nullable: true, default: 3 });
    expect(parseNumber(p, "None")).toEqual({ ok: true, value: null });
    expect(parseNumber(p, "null")).toEqual({ ok: true, value: null });
  });

  it("checks int tuples axis by axis", () => {
    const kernel = param("Conv2D", "kernel_size");
    const bad = "kernel_size must be an integer or a list of 2 integers, each between 1 and 1024; got";
    expect(parseTuple(kernel, ["3", "3"])).toEqual({ ok: true, value: [3, 3] });
    expect(parseTuple(kernel, ["3", ""])).toEqual({ ok: false, error: `${bad} [3, null]` });
    expect(parseTuple(kernel, ["3", "x"])).toEqual({ ok: false, error: `${bad} [3, "x"]` });
    expect(parseTuple(kernel, ["0", "3"])).toEqual({ ok: false, error: `${bad} [0, 3]` });
    expect(parseTuple(kernel, ["", ""])).toEqual({
      ok: false,
      error: expect.stringMatching(/^needs kernel_size: /),
    });
    const strides = param("MaxPooling2D", "strides");
    expect(parseTuple(strides, ["", ""])).toEqual({ ok: true, value: undefined });
    expect(tupleValues(kernel, 3)).toEqual(["3", "3"]);
    expect(tupleValues(kernel, [1, 2])).toEqual(["1", "2"]);
    expect(tupleValues(kernel, undefined)).toEqual(["", ""]);
    expect(validateValue(kernel, 3)).toBeNull();
    expect(validateValue(kernel, [3])).toBe(`${bad} [3]`);
  });

  it("reads int lists of any length", () => {
    const p = mk({ kind: "int_tuple", min: 1 });
    expect(parseIntList({ ...p, length: 3 }, "3, 4, 5")).toEqual({ ok: true, value: [3, 4, 5] });
    expect(parseIntList({ ...p, length: 2 }, "(2, 2)")).toEqual({ ok: true, value: [2, 2] });
    expect(parseIntList(p, "7")).toEqual({ ok: true, value: 7 });
    expect(parseIntList({ ...p, length: 2 }, "3, 0")).toEqual({
      ok: false,
      error: "p must be a valid int_tuple; got [3, 0]",
    });
  });

  it("reads shapes with None for variable lengths", () => {
    const shape = param("Input", "shape");
    expect(parseShape(shape, "28, 28, 1")).toEqual({ ok: true, value: [28, 28, 1] });
    expect(parseShape(shape, "(784,)")).toEqual({ ok: true, value: [784] });
    expect(parseShape(shape, "[None, 64]")).toEqual({ ok: true, value: [null, 64] });
    expect(parseShape(shape, "None")).toEqual({ ok: true, value: [null] });
    expect(parseShape(shape, ", 64")).toEqual({ ok: true, value: [null, 64] });
    expect(parseShape(shape, "28, x")).toMatchObject({ ok: false });
    const shapeRule =
      "shape must be a list of 1 to 8 integers between 1 and 10000000 (null for a variable length)";
    expect(parseShape(shape, "0, 3")).toEqual({ ok: false, error: `${shapeRule}; got [0, 3]` });
    expect(parseShape(shape, "28, -1")).toEqual({ ok: false, error: `${shapeRule}; got [28, -1]` });
    expect(parseShape(shape, "")).toEqual({ ok: false, error: expect.stringMatching(/^needs shape: /) });
    const target = param("Reshape", "target_shape");
    expect(parseShape(target, "-1, 4")).toEqual({ ok: true, value: [-1, 4] });
    expect(parseShape(target, "-1, -1")).toMatchObject({ ok: false });
    expect(parseShape(target, "None, 4")).toMatchObject({ ok: false });
    expect(parseShape(param("Permute", "dims"), "2, 9")).toEqual({
      ok: false,
      error: "dims must be a list of 1 to 8 integers between 1 and 8; got [2, 9]",
    });
    expect(parseShape(param("Permute", "dims"), "2, 2")).toEqual({
      ok: false,
      error: "dims must be an ordering of 1..2 (each axis once, the batch axis excluded); got [2, 2]",
    });
  });

  it("reads a number or a pair for float_or_tuple", () => {
    const p = mk({ kind: "float_or_tuple", length: 2, min: -1, max: 1, required: true });
    expect(parseFloatOrTuple(p, "0.1")).toEqual({ ok: true, value: 0.1 });
    expect(parseFloatOrTuple(p, "-0.2, 0.3")).toEqual({ ok: true, value: [-0.2, 0.3] });
    expect(parseFloatOrTuple(p, "2")).toEqual({
      ok: false,
      error: "p must be a valid float_or_tuple; got 2",
    });
    expect(parseFloatOrTuple(p, "0.1, 0.2, 0.3")).toMatchObject({ ok: false });
    expect(parseFloatOrTuple(p, "a")).toMatchObject({ ok: false });
  });

  it("reads choices, None and the default entry", () => {
    const activation = param("Dense", "activation");
    expect(parseChoice(activation, "relu")).toEqual({ ok: true, value: "relu" });
    expect(parseChoice(activation, "")).toEqual({ ok: true, value: undefined });
    expect(parseChoice(activation, NONE_OPTION)).toEqual({ ok: true, value: null });
    expect(parseChoice(param("Output", "loss"), "")).toEqual({
      ok: false,
      error: expect.stringMatching(/^needs loss: one of "sparse_categorical_crossentropy", /),
    });
    expect(parseChoice(param("Conv2D", "padding"), NONE_OPTION)).toEqual({
      ok: false,
      error: 'padding must be one of "valid", "same"; got null',
    });
  });

  it("reads free lists", () => {
    const p = mk({ kind: "string_list" });
    expect(parseList(p, "a, b ,c")).toEqual({ ok: true, value: ["a", "b", "c"] });
    expect(parseList(p, "")).toEqual({ ok: true, value: undefined });
  });

  it("checks nested layers of wrappers", () => {
    const layer = param("Bidirectional", "layer");
    expect(validateValue(layer, undefined, "Bidirectional")).toMatch(/^Bidirectional needs layer: /);
    expect(validateValue(layer, { type: "GRU", params: { units: 4 } })).toBeNull();
    expect(validateValue(layer, { type: "Dense", params: {} })).toBe(
      'layer.type must be one of LSTM, GRU, SimpleRNN; got "Dense"',
    );
  });
});

describe("the server's rules and words", () => {
  it("gives the server's message for each bad value of the generated fixture", () => {
    expect(paramChecks.length).toBeGreaterThan(40);
    for (const c of paramChecks) {
      const p = param(c.type, c.param);
      const got = c.missing ? validateValue(p, undefined, c.type) : validateValue(p, c.value);
      expect(got, `${c.type}.${c.param} = ${JSON.stringify(c.value)}`).toBe(c.message);
    }
  });

  it("carries the rules of every parameter in the catalog", () => {
    for (const layer of catalog.layers)
      for (const p of layer.params) {
        const rules = (p as { rules?: { kind: string; expect: string } }).rules;
        expect(rules?.kind, `${layer.type}.${p.name}`).toBe(p.kind);
        expect(rules?.expect).toBeTruthy();
      }
  });

  it("accepts every catalog default and every example's params", () => {
    for (const layer of catalog.layers)
      for (const p of layer.params)
        if (!p.required) expect(validateValue(p, p.default), `${layer.type}.${p.name}`).toBeNull();
    expect(Object.keys(examples).length).toBeGreaterThan(5);
    // a Group's params are not a layer's: its inner blocks are checked, by path (its Input and
    // Output markers are its ports, their params may be {}: groups-format.md)
    type Doc = { id?: string; type?: string; params?: Record<string, unknown>; graph?: { nodes: Doc[] } };
    const check = (nodes: Doc[], where: string): void => {
      for (const node of nodes) {
        if (node.type === "Group") check(node.graph?.nodes ?? [], `${where}/${node.id}`);
        else if (where.includes("/") && (node.type === "Input" || node.type === "Output")) continue;
        else expect(checkParams(specs[node.type!], node.params ?? {}), `${where}/${node.id}`).toEqual({});
      }
    };
    for (const [name, doc] of Object.entries(examples)) check(doc.nodes as Doc[], name);
  });

  it("quotes values as Python's json.dumps does", () => {
    expect(show([null, 1, "a", true])).toBe('[null, 1, "a", true]');
    expect(show({ type: "GRU", params: {} })).toBe('{"type": "GRU", "params": {}}');
    expect(show(1e-5)).toBe("1e-05");
    expect(show(0.25)).toBe("0.25");
    expect(show("é")).toBe('"\\u00e9"');
    expect(show("x".repeat(100))).toHaveLength(80);
  });
});

describe("writing values", () => {
  it("leaves out values equal to the default", () => {
    const useBias = param("Dense", "use_bias");
    expect(setParam({ units: 3, use_bias: false }, useBias, true)).toEqual({ units: 3 });
    expect(setParam({ units: 3 }, useBias, false)).toEqual({ units: 3, use_bias: false });
    const strides = param("Conv2D", "strides");
    expect(setParam({ strides: [2, 2] }, strides, [1, 1])).toEqual({});
    expect(setParam({ strides: [2, 2] }, strides, 1)).toEqual({});
  });

  it("removes a value set back to undefined", () => {
    expect(setParam({ units: 3, activation: "relu" }, param("Dense", "activation"), undefined)).toEqual({
      units: 3,
    });
  });

  it("keeps required values even when they match a default", () => {
    const p = mk({ name: "layer", kind: "layer", required: true, default: { type: "GRU", params: {} } });
    expect(setParam({}, p, { type: "GRU", params: {} })).toEqual({ layer: { type: "GRU", params: {} } });
  });

  it("does not change the params it was given", () => {
    const params = { units: 3 };
    setParam(params, param("Dense", "units"), 5);
    expect(params).toEqual({ units: 3 });
  });
});
