// The comparison chart's data: each run's per-epoch values of one metric against epochs, training steps
// or wall time, optionally smoothed (TensorBoard's debiased exponential moving average), aligned for uPlot.

export type XMode = "epoch" | "step" | "time";

export interface CurveSource {
  history?:
    { epoch: number; t?: number; seconds?: number | null; metrics?: Record<string, number | null> }[] | null;
  batches?: { steps: number }[] | null;
  started_at?: string | null;
}

export interface Curve {
  x: number[];
  y: (number | null)[];
}

/** The training steps of one epoch (from the kept batch points), or null when none was kept yet. */
export function stepsPerEpoch(run: CurveSource): number | null {
  const last = run.batches?.length ? run.batches[run.batches.length - 1] : null;
  return last && last.steps > 0 ? last.steps : null;
}

/** One run's values of `metric`, one per epoch, at the x the mode asks for (epochs sorted). */
export function runCurve(run: CurveSource, metric: string, mode: XMode): Curve {
  const history = [...(run.history ?? [])].sort((a, b) => a.epoch - b.epoch);
  const steps = stepsPerEpoch(run);
  const start = run.started_at ? Date.parse(run.started_at) / 1000 : NaN;
  const x: number[] = [];
  const y: (number | null)[] = [];
  let elapsed = 0;
  for (const h of history) {
    elapsed += h.seconds ?? 0;
    let at: number;
    if (mode === "epoch") at = h.epoch;
    else if (mode === "step") {
      if (steps === null) continue;
      at = h.epoch * steps;
    } else at = typeof h.t === "number" && Number.isFinite(start) ? Math.max(0, h.t - start) : elapsed;
    const v = h.metrics?.[metric];
    x.push(at);
    y.push(typeof v === "number" && Number.isFinite(v) ? v : null);
  }
  return { x, y };
}

/** TensorBoard's smoothing: an exponential moving average, debiased so the start is not pulled to 0.
 * weight 0 is the raw values; nulls stay null and do not count. */
export function ema(values: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * w + (1 - w) * v;
    n += 1;
    return last / (1 - Math.pow(w, n));
  });
}

/** uPlot's aligned data: x = the union of the curves' x, one row of y per curve (null where a curve has none). */
export function alignCurves(curves: Curve[]): (number | null)[][] {
  const xs = [...new Set(curves.flatMap((c) => c.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return [
    xs,
    ...curves.map((c) => {
      const row: (number | null)[] = xs.map(() => null);
      c.x.forEach((x, i) => {
        row[index.get(x)!] = c.y[i];
      });
      return row;
    }),
  ];
}

/** Tick increments for an axis of whole numbers (epochs, steps): 1, 2, 5, 10, 20, 50, ... */
export const INTEGER_INCREMENTS: number[] = Array.from({ length: 10 }, (_, k) =>
  [1, 2, 5].map((m) => m * 10 ** k),
).flat();

/** "1:05" or "12 s" for wall-time ticks (seconds since the run started). */
export function formatElapsed(seconds: number): string {
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** How many values each curve shows (for tests, as a data attribute). */
export function pointCounts(curves: Curve[]): number[] {
  return curves.map((c) => c.y.filter((v) => v !== null).length);
}
