// Cross-validation curves: each fold's history of one metric, and per epoch the mean over the folds
// with a band of one standard deviation either side.

/** One fold's values of a metric by epoch (epoch -> value; missing or null: not reported). */
export type FoldCurve = Map<number, number | null>;

export interface Band {
  epochs: number[];
  mean: (number | null)[];
  std: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  /** how many folds reported each epoch */
  count: number[];
}

/** Mean and standard deviation of some numbers (ddof 0, as numpy's std; ddof 1 for the sample's). */
export function meanStd(values: number[], ddof = 0): { mean: number; std: number } | null {
  if (!values.length) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const n = values.length - ddof;
  if (n <= 0) return { mean, std: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance) };
}

/** The band over the folds, at every epoch any fold reported (folds that lack it are left out there). */
export function foldBand(curves: FoldCurve[], ddof = 0): Band {
  const epochs = [...new Set(curves.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
  const band: Band = { epochs, mean: [], std: [], lower: [], upper: [], count: [] };
  for (const epoch of epochs) {
    const values = curves
      .map((c) => c.get(epoch))
      .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const stats = meanStd(values, ddof);
    band.count.push(values.length);
    band.mean.push(stats ? stats.mean : null);
    band.std.push(stats ? stats.std : null);
    band.lower.push(stats ? stats.mean - stats.std : null);
    band.upper.push(stats ? stats.mean + stats.std : null);
  }
  return band;
}

/** uPlot's aligned data: x = the epochs, then each fold's curve, then mean, lower and upper. */
export function bandData(curves: FoldCurve[], band: Band): (number | null)[][] {
  return [
    band.epochs,
    ...curves.map((c) => band.epochs.map((e) => c.get(e) ?? null)),
    band.mean,
    band.lower,
    band.upper,
  ];
}

/** A metric's curve from a run's history entries ({epoch, metrics}). */
export function curveOf(
  history: { epoch: number; metrics?: Record<string, number | null> | null }[] | null | undefined,
  metric: string,
): FoldCurve {
  const curve: FoldCurve = new Map();
  for (const h of history ?? []) curve.set(h.epoch, h.metrics?.[metric] ?? null);
  return curve;
}
