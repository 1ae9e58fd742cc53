import { describe, expect, it } from "vitest";
import { chartData } from "./CompareChart";
import {
  alignCurves,
  ema,
  formatElapsed,
  INTEGER_INCREMENTS,
  pointCounts,
  runCurve,
  stepsPerEpoch,
} from "./series";

const run = {
  started_at: "2026-01-01T00:00:00Z",
  batches: [{ steps: 30 }, { steps: 30 }],
  history: [
    {
      epoch: 2,
      t: Date.parse("2026-01-01T00:00:07Z") / 1000,
      seconds: 3,
      metrics: { loss: 0.5, val_loss: null },
    },
    {
      epoch: 1,
      t: Date.parse("2026-01-01T00:00:04Z") / 1000,
      seconds: 4,
      metrics: { loss: 0.8, val_loss: 0.9 },
    },
  ],
};

describe("runCurve", () => {
  it("puts one value per epoch at the epoch, the step or the seconds since the start", () => {
    expect(runCurve(run, "loss", "epoch")).toEqual({ x: [1, 2], y: [0.8, 0.5] });
    expect(runCurve(run, "loss", "step")).toEqual({ x: [30, 60], y: [0.8, 0.5] });
    expect(runCurve(run, "loss", "time")).toEqual({ x: [4, 7], y: [0.8, 0.5] });
    expect(runCurve(run, "val_loss", "epoch").y).toEqual([0.9, null]);
  });

  it("falls back to the summed epoch durations without times, and shows no steps before any batch", () => {
    const bare = { history: run.history.map(({ t: _t, ...h }) => h) };
    expect(runCurve(bare, "loss", "time").x).toEqual([4, 7]);
    expect(runCurve(bare, "loss", "step")).toEqual({ x: [], y: [] });
    expect(stepsPerEpoch(bare)).toBeNull();
    expect(stepsPerEpoch(run)).toBe(30);
  });
});

describe("ema", () => {
  it("is TensorBoard's debiased moving average, the raw values at weight 0", () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = ema([1, 3, null, 5], 0.5);
    expect(s[0]).toBeCloseTo(1); // debiased: the first value is itself
    expect(s[1]).toBeCloseTo((0.25 + 1.5) / 0.75); // (0.5*0.5 + 0.5*3) / (1 - 0.5^2)
    expect(s[2]).toBeNull();
    expect(s[3]).toBeCloseTo((0.5 * (0.25 + 1.5) + 2.5) / 0.875);
  });

  it("smooths a noisy line: less spread than the raw values, the same level", () => {
    const raw = Array.from({ length: 200 }, (_, i) => 1 + (i % 2 ? 0.5 : -0.5));
    const smooth = ema(raw, 0.9).slice(50) as number[];
    expect(Math.max(...smooth) - Math.min(...smooth)).toBeLessThan(0.2);
    expect(smooth.reduce((a, b) => a + b, 0) / smooth.length).toBeCloseTo(1, 1);
  });
});

describe("alignCurves and chartData", () => {
  it("aligns the curves on the union of their x, nulls where a run has none", () => {
    const a = { x: [1, 2, 3], y: [0.9, 0.8, 0.7] };
    const b = { x: [2, 4], y: [0.5, 0.4] };
    expect(alignCurves([a, b])).toEqual([
      [1, 2, 3, 4],
      [0.9, 0.8, 0.7, null],
      [null, 0.5, null, 0.4],
    ]);
    expect(pointCounts([a, b, { x: [1], y: [null] }])).toEqual([3, 2, 0]);
  });

  it("adds each run's smoothed line after its raw one when smoothing is on", () => {
    const lines = [{ label: "a", curve: { x: [1, 2], y: [1, 3] } }];
    expect(chartData(lines, 0)).toEqual([
      [1, 2],
      [1, 3],
    ]);
    const smoothed = chartData(lines, 0.5);
    expect(smoothed).toHaveLength(3);
    expect(smoothed[1]).toEqual([1, 3]);
    expect(smoothed[2][0]).toBeCloseTo(1);
    expect(smoothed[2][1]).toBeCloseTo(1.75 / 0.75);
  });
});

describe("axis helpers", () => {
  it("ticks whole numbers only, and writes wall time short", () => {
    expect(INTEGER_INCREMENTS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(INTEGER_INCREMENTS.every(Number.isInteger)).toBe(true);
    expect(formatElapsed(4.25)).toBe("4.3 s");
    expect(formatElapsed(42)).toBe("42 s");
    expect(formatElapsed(65)).toBe("1:05");
    expect(formatElapsed(3725)).toBe("1:02:05");
  });
});
