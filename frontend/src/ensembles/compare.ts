// Members against the ensemble on one test metric: which is best, and the ensemble's gain over the
// best member (positive: the ensemble is better, whichever way the metric points).

/** Higher is better for accuracy-like metrics; lower for losses and errors. */
export function higherIsBetter(metric: string): boolean {
  const name = metric.replace(/^(test_|val_)/, "");
  if (/loss|error|mse|mae|mape|msle|hinge|crossentropy|kl_divergence|poisson|cosh/.test(name)) return false;
  return true;
}

export interface Bar {
  key: string;
  label: string;
  value: number | null;
  ensemble: boolean;
  best: boolean;
}

export interface Comparison {
  bars: Bar[];
  /** the best member's value */
  bestMember: number | null;
  /** ensemble minus best member, signed so that > 0 means the ensemble is better */
  gain: number | null;
}

/** Accuracy-like metrics are fractions: their gain is shown in percentage points. */
export function isFraction(metric: string): boolean {
  return /acc|auc|precision|recall/.test(metric);
}

export function compareMetric(
  metric: string,
  members: { key: string; label: string; value: number | null }[],
  ensemble: number | null,
): Comparison {
  const up = higherIsBetter(metric);
  const better = (a: number, b: number) => (up ? a > b : a < b);
  const known = members.filter((m): m is typeof m & { value: number } => typeof m.value === "number");
  let bestMember: number | null = null;
  for (const m of known) if (bestMember === null || better(m.value, bestMember)) bestMember = m.value;
  let best: number | null = bestMember;
  if (ensemble !== null && (best === null || better(ensemble, best))) best = ensemble;
  const bars: Bar[] = [
    ...members.map((m) => ({ ...m, ensemble: false, best: m.value !== null && m.value === best })),
    {
      key: "ensemble",
      label: "Ensemble",
      value: ensemble,
      ensemble: true,
      best: ensemble !== null && ensemble === best,
    },
  ];
  const gain =
    ensemble === null || bestMember === null ? null : up ? ensemble - bestMember : bestMember - ensemble;
  return { bars, bestMember, gain };
}

/** "+1.20 pp" for fractions, "+0.0123" otherwise; the sign always shown. */
export function formatGain(metric: string, gain: number | null): string {
  if (gain === null || !Number.isFinite(gain)) return "–";
  const sign = gain > 0 ? "+" : gain < 0 ? "−" : "±";
  const a = Math.abs(gain);
  return isFraction(metric) ? `${sign}${(a * 100).toFixed(2)} pp` : `${sign}${a.toPrecision(3)}`;
}

/** A metric's value as the results show it: fractions in percent, the rest to four decimals. */
export function formatValue(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (isFraction(metric)) return `${(value * 100).toFixed(2)}%`;
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(3);
  return value.toFixed(4);
}

/** The bar's length (0..1) on a scale from the lowest to the highest value, never quite empty. */
export function barLength(value: number | null, values: (number | null)[]): number {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (value === null || !known.length) return 0;
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  if (hi === lo) return 1;
  // From a floor below the lowest value, so the lowest bar still shows.
  const floor = lo - (hi - lo) * 0.5;
  return (value - floor) / (hi - floor);
}
