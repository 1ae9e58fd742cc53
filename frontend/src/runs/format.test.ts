import { describe, expect, it } from "vitest";
import { formatConfidence } from "./format";

describe("formatConfidence", () => {
  it("writes a whole percentage, rounded to the nearest", () => {
    expect(formatConfidence(0.973)).toBe("97%");
    expect(formatConfidence(0.97349821)).toBe("97%");
    expect(formatConfidence(0.5)).toBe("50%");
    expect(formatConfidence(0.515)).toBe("52%");
    expect(formatConfidence(0.8449)).toBe("84%");
  });

  it("claims 100% or 0% only when the model did", () => {
    expect(formatConfidence(1)).toBe("100%");
    expect(formatConfidence(0.9996)).toBe(">99%");
    expect(formatConfidence(0.995)).toBe(">99%");
    expect(formatConfidence(0.994)).toBe("99%");
    expect(formatConfidence(0)).toBe("0%");
    expect(formatConfidence(0.004)).toBe("<1%");
  });

  it("writes a dash for a missing or broken value, and clamps what is out of range", () => {
    expect(formatConfidence(null)).toBe("–");
    expect(formatConfidence(undefined)).toBe("–");
    expect(formatConfidence(Number.NaN)).toBe("–");
    expect(formatConfidence(1.2)).toBe("100%");
    expect(formatConfidence(-0.1)).toBe("0%");
  });
});
