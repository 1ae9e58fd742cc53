import { describe, expect, it } from "vitest";
import { phaseBoundary } from "./charts";

const entry = (epoch: number, phase?: number) => ({ epoch, metrics: {}, ...(phase ? { phase } : {}) });

describe("phaseBoundary", () => {
  it("is the end of the last frozen epoch when fine-tuning's second phase has begun", () => {
    const epochs = { 1: entry(1, 1), 2: entry(2, 1), 3: entry(3, 2), 4: entry(4, 2) };
    expect(phaseBoundary({ epochs })).toBe(2);
  });

  it("is null for a run of one phase, or before the second phase", () => {
    expect(phaseBoundary({ epochs: { 1: entry(1), 2: entry(2) } })).toBeNull();
    expect(phaseBoundary({ epochs: { 1: entry(1, 1) } })).toBeNull();
  });
});
