import { describe, expect, it } from "vitest";
import { barLength, compareMetric, formatGain, formatValue, higherIsBetter } from "./compare";

describe("higherIsBetter", () => {
  it("accuracy up, losses and errors down", () => {
    expect(higherIsBetter("accuracy")).toBe(true);
    expect(higherIsBetter("label_accuracy")).toBe(true);
    expect(higherIsBetter("loss")).toBe(false);
    expect(higherIsBetter("val_mae")).toBe(false);
    expect(higherIsBetter("mean_squared_error")).toBe(false);
  });
});

describe("compareMetric", () => {
  const members = [
    { key: "1", label: "#1", value: 0.91 },
    { key: "2", label: "#2", value: 0.94 },
    { key: "3", label: "#3", value: null },
  ];

  it("marks the best and says the gain over the best member", () => {
    const c = compareMetric("accuracy", members, 0.955);
    expect(c.bestMember).toBe(0.94);
    expect(c.gain).toBeCloseTo(0.015, 12);
    expect(c.bars.map((b) => b.best)).toEqual([false, false, false, true]);
    expect(c.bars[3]).toMatchObject({ key: "ensemble", ensemble: true });
  });

  it("a member can beat the ensemble: the gain is negative", () => {
    const c = compareMetric("accuracy", members, 0.93);
    expect(c.gain).toBeCloseTo(-0.01, 12);
    expect(c.bars.filter((b) => b.best).map((b) => b.key)).toEqual(["2"]);
  });

  it("for a loss lower wins, and a lower ensemble loss is a positive gain", () => {
    const c = compareMetric(
      "loss",
      [
        { key: "1", label: "#1", value: 0.3 },
        { key: "2", label: "#2", value: 0.25 },
      ],
      0.2,
    );
    expect(c.bestMember).toBe(0.25);
    expect(c.gain).toBeCloseTo(0.05, 12);
    expect(c.bars.find((b) => b.best)?.key).toBe("ensemble");
  });

  it("no ensemble value yet: no gain", () => {
    expect(compareMetric("accuracy", members, null).gain).toBeNull();
  });
});

describe("formatting", () => {
  it("gains of fractions in percentage points, others as numbers, always signed", () => {
    expect(formatGain("accuracy", 0.0123)).toBe("+1.23 pp");
    expect(formatGain("accuracy", -0.005)).toBe("−0.50 pp");
    expect(formatGain("loss", 0.0123)).toBe("+0.0123");
    expect(formatGain("loss", null)).toBe("–");
    expect(formatValue("accuracy", 0.9512)).toBe("95.12%");
    expect(formatValue("loss", 0.123456)).toBe("0.1235");
  });

  it("bar lengths span lowest to highest, the lowest still visible", () => {
    const values = [0.9, 0.95, 1.0];
    expect(barLength(1.0, values)).toBe(1);
    expect(barLength(0.9, values)).toBeCloseTo(1 / 3, 12);
    expect(barLength(0.5, [0.5, 0.5])).toBe(1);
    expect(barLength(null, values)).toBe(0);
  });
});
