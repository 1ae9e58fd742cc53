import { describe, expect, it } from "vitest";
import { csvHeader, kindOf } from "./upload";

describe("upload helpers", () => {
  it("reads a CSV header with quotes and other delimiters", () => {
    expect(csvHeader('a,b,"c, d",species\n1,2,3,x')).toEqual(["a", "b", "c, d", "species"]);
    expect(csvHeader('x;y;"say ""hi"""\r\n1;2;3')).toEqual(["x", "y", 'say "hi"']);
    expect(csvHeader("x\ty\n")).toEqual(["x", "y"]);
  });

  it("knows the upload kinds", () => {
    expect(kindOf("Data.CSV")).toBe("csv");
    expect(kindOf("arrays.npz")).toBe("npz");
    expect(kindOf("flowers.zip")).toBe("zip");
    expect(kindOf("model.keras")).toBeNull();
  });
});
