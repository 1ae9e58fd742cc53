import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../api/types";
import { param, spec, catalog } from "../test-fixtures";
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
  validateValue,
  widgetFor,
  NONE_OPTION,
} from "./form";

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
    expect(units).toMatchObject({ widget: "number", isSet: false, value: null, error: "required" });
    const activation = fields.find((f) => f.param.name === "activation")!;
    expect(activation).toMatchObject({ isSet: true, value: "relu", error: null });
    const useBias = fields.find((f) => f.param.name === "use_bias")!;
    expect(useBias).toMatchObject({ isSet: false, value: true, error: null });
  });

  it("reports every wrong field of a node", () => {
    expect(checkParams(spec("Dense"), { units: 0 })).toEqual({ units: "must be at least 1" });
    expect(checkParams(spec("Dense"), { units: 2.5 })).toEqual({ units: "not an integer" });
    expect(checkParams(spec("Dense"), {})).toEqual({ units: "required" });
    expect(checkParams(spec("Dense"), { units: 10, activation: "nope" })).toHaveProperty("activation");
    expect(checkParams(spec("Conv2D"), { filters: 8, kernel_size: [3, 3, 3] })).toEqual({
      kernel_size: "needs 2 values",
    });
    expect(checkParams(spec("Conv2D"), { filters: 8, kernel_size: 3 })).toEqual({});
    expect(checkParams(spec("Output"), { loss: "mse", metrics: ["accuracy", "bogus"] })).toEqual({
      metrics: 'unknown choice "bogus"',
    });
  });
});

describe("field validation", () => {
  it("checks integers with bounds", () => {
    const units = param("Dense", "units");
    expect(parseNumber(units, "512")).toEqual({ ok: true, value: 512 });
    expect(parseNumber(units, " 64 ")).toEqual({ ok: true, value: 64 });
    expect(parseNumber(units, "0")).toEqual({ ok: false, error: "must be at least 1" });
    expect(parseNumber(units, "2000000")).toEqual({ ok: false, error: "must be at most 1000000" });
    expect(parseNumber(units, "1.5")).toEqual({ ok: false, error: "not an integer" });
    expect(parseNumber(units, "abc")).toEqual({ ok: false, error: "not a number" });
    expect(parseNumber(units, "")).toEqual({ ok: false, error: "required" });
    expect(parseNumber(units, "None")).toEqual({ ok: false, error: "may not be None" });
  });

  it("checks floats with bounds, and empty means the default", () => {
    const rate = param("Dropout", "rate");
    expect(parseNumber(rate, "0.5")).toEqual({ ok: true, value: 0.5 });
    expect(parseNumber(rate, ".25")).toEqual({ ok: true, value: 0.25 });
    expect(parseNumber(rate, "1.5")).toEqual({ ok: false, error: "must be at most 1" });
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
    expect(parseTuple(kernel, ["3", "3"])).toEqual({ ok: true, value: [3, 3] });
    expect(parseTuple(kernel, ["3", ""])).toEqual({ ok: false, error: "fill every axis" });
    expect(parseTuple(kernel, ["3", "x"])).toEqual({ ok: false, error: "not an integer" });
    expect(parseTuple(kernel, ["0", "3"])).toEqual({ ok: false, error: "must be at least 1" });
    expect(parseTuple(kernel, ["", ""])).toEqual({ ok: false, error: "required" });
    const strides = param("MaxPooling2D", "strides");
    expect(parseTuple(strides, ["", ""])).toEqual({ ok: true, value: undefined });
    expect(tupleValues(kernel, 3)).toEqual(["3", "3"]);
    expect(tupleValues(kernel, [1, 2])).toEqual(["1", "2"]);
    expect(tupleValues(kernel, undefined)).toEqual(["", ""]);
    expect(validateValue(kernel, 3)).toBeNull();
    expect(validateValue(kernel, [3])).toBe("needs 2 values");
  });

  it("reads int lists of any length", () => {
    const p = mk({ kind: "int_tuple", min: 1 });
    expect(parseIntList(p, "3, 4, 5")).toEqual({ ok: true, value: [3, 4, 5] });
    expect(parseIntList(p, "(2, 2)")).toEqual({ ok: true, value: [2, 2] });
    expect(parseIntList(p, "7")).toEqual({ ok: true, value: 7 });
    expect(parseIntList(p, "3, 0")).toEqual({ ok: false, error: "must be at least 1" });
  });

  it("reads shapes with None for variable lengths", () => {
    const shape = param("Input", "shape");
    expect(parseShape(shape, "28, 28, 1")).toEqual({ ok: true, value: [28, 28, 1] });
    expect(parseShape(shape, "(784,)")).toEqual({ ok: true, value: [784] });
    expect(parseShape(shape, "[None, 64]")).toEqual({ ok: true, value: [null, 64] });
    expect(parseShape(shape, "None")).toEqual({ ok: true, value: [null] });
    expect(parseShape(shape, ", 64")).toEqual({ ok: true, value: [null, 64] });
    expect(parseShape(shape, "28, x")).toMatchObject({ ok: false });
    expect(parseShape(shape, "0, 3")).toEqual({ ok: false, error: "entries must be at least 1" });
    expect(parseShape(shape, "")).toEqual({ ok: false, error: "required" });
    expect(parseShape(param("Reshape", "target_shape"), "-1, 4")).toEqual({ ok: true, value: [-1, 4] });
    expect(parseShape(param("Permute", "dims"), "2, 9")).toEqual({
      ok: false,
      error: "entries must be at most 8",
    });
  });

  it("reads a number or a pair for float_or_tuple", () => {
    const p = mk({ kind: "float_or_tuple", length: 2, min: -1, max: 1, required: true });
    expect(parseFloatOrTuple(p, "0.1")).toEqual({ ok: true, value: 0.1 });
    expect(parseFloatOrTuple(p, "-0.2, 0.3")).toEqual({ ok: true, value: [-0.2, 0.3] });
    expect(parseFloatOrTuple(p, "2")).toEqual({ ok: false, error: "must be at most 1" });
    expect(parseFloatOrTuple(p, "0.1, 0.2, 0.3")).toEqual({ ok: false, error: "needs one number or 2" });
    expect(parseFloatOrTuple(p, "a")).toMatchObject({ ok: false });
  });

  it("reads choices, None and the default entry", () => {
    const activation = param("Dense", "activation");
    expect(parseChoice(activation, "relu")).toEqual({ ok: true, value: "relu" });
    expect(parseChoice(activation, "")).toEqual({ ok: true, value: undefined });
    expect(parseChoice(activation, NONE_OPTION)).toEqual({ ok: true, value: null });
    expect(parseChoice(param("Output", "loss"), "")).toEqual({ ok: false, error: "required" });
    expect(parseChoice(param("Conv2D", "padding"), NONE_OPTION)).toEqual({
      ok: false,
      error: "may not be None",
    });
  });

  it("reads free lists", () => {
    const p = mk({ kind: "string_list" });
    expect(parseList(p, "a, b ,c")).toEqual({ ok: true, value: ["a", "b", "c"] });
    expect(parseList(p, "")).toEqual({ ok: true, value: undefined });
  });

  it("checks nested layers of wrappers", () => {
    const layer = param("Bidirectional", "layer");
    expect(validateValue(layer, undefined)).toBe("required");
    expect(validateValue(layer, { type: "GRU", params: { units: 4 } })).toBeNull();
    expect(validateValue(layer, { type: "Dense", params: {} })).toMatch(/one of/);
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
