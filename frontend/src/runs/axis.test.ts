import { describe, expect, it } from "vitest";
import { axisLabels } from "./axis";

describe("chart tick labels", () => {
  it("keeps ticks short", () => {
    expect(axisLabels([0, 0.25, 0.5, 1.23456])).toEqual(["0", "0.25", "0.5", "1.235"]);
    expect(axisLabels([20000, null, 0.0001])).toEqual(["2.0e+4", "", "1.0e-4"]);
  });

  it("shows enough digits when the values differ only past four", () => {
    const labels = axisLabels([0.98712, 0.98714, 0.98716, 0.98718]);
    expect(new Set(labels).size).toBe(4);
    expect(labels).toEqual(["0.98712", "0.98714", "0.98716", "0.98718"]);
    expect(new Set(axisLabels([12000.5, 12001, 12001.5])).size).toBe(3);
  });
});
