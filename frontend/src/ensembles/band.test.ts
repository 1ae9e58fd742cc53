import { describe, expect, it } from "vitest";
import { bandData, curveOf, foldBand, meanStd } from "./band";

describe("meanStd", () => {
  it("is numpy's mean and std (ddof 0), or the sample's with ddof 1", () => {
    const { mean, std } = meanStd([0.8, 0.9, 1.0])!;
    expect(mean).toBeCloseTo(0.9, 12);
    expect(std).toBeCloseTo(Math.sqrt((0.1 ** 2 * 2) / 3), 12);
    expect(meanStd([0.8, 0.9, 1.0], 1)!.std).toBeCloseTo(0.1, 12);
    expect(meanStd([])).toBeNull();
    expect(meanStd([2], 1)).toEqual({ mean: 2, std: 0 });
  });
});

describe("foldBand", () => {
  const a = curveOf(
    [
      { epoch: 1, metrics: { val_loss: 1.0 } },
      { epoch: 2, metrics: { val_loss: 0.6 } },
    ],
    "val_loss",
  );
  const b = curveOf(
    [
      { epoch: 1, metrics: { val_loss: 0.8 } },
      { epoch: 2, metrics: { val_loss: 0.4 } },
      { epoch: 3, metrics: { val_loss: 0.3 } },
    ],
    "val_loss",
  );
  const c = curveOf(
    [
      { epoch: 1, metrics: { loss: 2 } },
      { epoch: 2, metrics: null },
    ],
    "val_loss",
  );

  it("averages the folds that reported each epoch; mean ± std is the band", () => {
    const band = foldBand([a, b, c]);
    expect(band.epochs).toEqual([1, 2, 3]);
    expect(band.count).toEqual([2, 2, 1]);
    expect(band.mean[0]).toBeCloseTo(0.9, 12);
    expect(band.std[0]).toBeCloseTo(0.1, 12);
    expect(band.lower[1]).toBeCloseTo(0.4, 12);
    expect(band.upper[1]).toBeCloseTo(0.6, 12);
    expect(band.mean[2]).toBeCloseTo(0.3, 12);
    expect(band.std[2]).toBe(0);
  });

  it("an epoch nobody reported is a gap, not a zero", () => {
    const band = foldBand([c]);
    expect(band.epochs).toEqual([1, 2]);
    expect(band.mean).toEqual([null, null]);
    expect(band.count).toEqual([0, 0]);
  });

  it("bandData lines the folds up on the epochs, then mean, lower, upper", () => {
    const band = foldBand([a, b]);
    const data = bandData([a, b], band);
    expect(data).toHaveLength(1 + 2 + 3);
    expect(data[0]).toEqual([1, 2, 3]);
    expect(data[1]).toEqual([1.0, 0.6, null]);
    expect(data[2]).toEqual([0.8, 0.4, 0.3]);
    expect(data[3]).toEqual(band.mean);
  });
});
