import { describe, expect, it } from "vitest";
import type { SamplePrediction } from "../api/runs";
import { cellColor, classStats, normalise, orderSamples } from "./confusion";

const M = [
  [8, 2, 0],
  [1, 3, 0],
  [0, 0, 0],
];

describe("confusion matrix", () => {
  it("normalises by true class: rows sum to 1, an empty row stays 0", () => {
    const rows = normalise(M, "true");
    expect(rows[0]).toEqual([0.8, 0.2, 0]);
    expect(rows[1]).toEqual([0.25, 0.75, 0]);
    expect(rows[2]).toEqual([0, 0, 0]);
  });

  it("normalises by predicted class: columns sum to 1", () => {
    const cols = normalise(M, "pred");
    expect(cols[0][0] + cols[1][0] + cols[2][0]).toBeCloseTo(1);
    expect(cols[0][1]).toBeCloseTo(0.4);
    expect(cols[0][2]).toBe(0);
  });

  it("normalises over all samples", () => {
    const all = normalise(M, "none");
    expect(all.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(all[0][0]).toBeCloseTo(8 / 14);
    expect(normalise([[0]], "none")).toEqual([[0]]);
  });

  it("gives recall per class and accuracy", () => {
    const stats = classStats(M);
    expect(stats.total).toBe(14);
    expect(stats.accuracy).toBeCloseTo(11 / 14);
    expect(stats.recall).toEqual([0.8, 0.75, 0]);
  });

  it("colours cells by fraction", () => {
    expect(cellColor(0, true)).toContain(", 0.000)");
    expect(cellColor(1, false)).toContain("0.930");
    expect(cellColor(2, true)).toBe(cellColor(1, true));
  });

  it("orders sample predictions wrong first, the most confident mistakes first", () => {
    const s = (index: number, correct: boolean, confidence: number): SamplePrediction => ({
      index,
      correct,
      confidence,
      true: "a",
      pred: correct ? "a" : "b",
      image: null,
    });
    const ordered = orderSamples([s(0, true, 0.9), s(1, false, 0.5), s(2, true, 0.99), s(3, false, 0.95)]);
    expect(ordered.map((x) => x.index)).toEqual([3, 1, 0, 2]);
  });
});
