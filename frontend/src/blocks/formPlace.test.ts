import { describe, expect, it } from "vitest";
import { param, spec } from "../test-fixtures";
import { checkParams, formFor, paramAt, parseShape } from "./form";

describe("a form inside a group", () => {
  it("needs no shape on an Input port nor a loss on an Output port", () => {
    expect(checkParams(spec("Input"), {})).toHaveProperty("shape");
    expect(checkParams(spec("Output"), {})).toHaveProperty("loss");
    expect(checkParams(spec("Input"), {}, { inGroup: true })).toEqual({});
    expect(checkParams(spec("Output"), {}, { inGroup: true })).toEqual({});
    const shape = formFor(spec("Input"), {}, { inGroup: true }).find((f) => f.param.name === "shape")!;
    expect(shape.param.required).toBe(false);
    // a cleared shape field is "not set" there, not an error
    expect(parseShape(shape.param, "")).toEqual({ ok: true, value: undefined });
    expect(parseShape(param("Input", "shape"), "").ok).toBe(false);
  });

  it("still checks a shape that is given, and every other block's required params", () => {
    expect(checkParams(spec("Input"), { shape: [0] }, { inGroup: true })).toHaveProperty("shape");
    expect(checkParams(spec("Dense"), {}, { inGroup: true })).toHaveProperty("units");
    expect(paramAt(spec("Dense"), param("Dense", "units"), { inGroup: true })).toBe(param("Dense", "units"));
  });
});
