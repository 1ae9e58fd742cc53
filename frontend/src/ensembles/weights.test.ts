import { describe, expect, it } from "vitest";
import { formatWeights, isUniform, parseWeights, weightShares } from "./weights";

describe("weightShares", () => {
  it("three equal weights show as percentages that add up to 100", () => {
    const shares = weightShares([1, 1, 1]);
    expect(shares).toEqual([33.4, 33.3, 33.3]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
  });

  it("normalises any scale and gives leftover units to the largest remainders", () => {
    expect(weightShares([2, 1, 1])).toEqual([50, 25, 25]);
    expect(weightShares([0.6, 0.3, 0.1], 0)).toEqual([60, 30, 10]);
    expect(weightShares([1, 1, 1, 1, 1, 1, 1], 0)).toEqual([15, 15, 14, 14, 14, 14, 14]);
  });

  it("nothing to share: no weights, or all zero", () => {
    expect(weightShares([])).toEqual([]);
    expect(weightShares([0, 0])).toEqual([]);
  });

  it("formats with the unit", () => {
    expect(formatWeights([0.75, 0.25])).toEqual(["75.0 %", "25.0 %"]);
  });
});

describe("isUniform", () => {
  it("tells equal weights from fitted ones", () => {
    expect(isUniform([1 / 3, 1 / 3, 1 / 3])).toBe(true);
    expect(isUniform([0.5, 0.3, 0.2])).toBe(false);
    expect(isUniform([])).toBe(false);
  });
});

describe("parseWeights", () => {
  it("reads commas, spaces or semicolons", () => {
    expect(parseWeights("1, 2 ;0.5", 3)).toEqual({ weights: [1, 2, 0.5], error: null });
  });

  it("says what is wrong", () => {
    expect(parseWeights("1, 2", 3).error).toBe("one weight per run: 3 expected, 2 given");
    expect(parseWeights("1, x", 2).error).toBe('weight 2 is not a number: "x"');
    expect(parseWeights("1, -1", 2).error).toBe("weight 2 is negative");
    expect(parseWeights("0 0", 2).error).toBe("the weights cannot all be zero");
  });
});
