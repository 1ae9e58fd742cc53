// Pure helpers of the sweep page: the live state reducer (snapshot, trial and sweep events), sorting
// the trials table, the best-so-far curve, the Pareto front, the axes of the parallel-coordinates
// chart, and progress with an estimate of the time left.
import type { BlockNode } from "../graph/types";
import type { SettingsDeclaration } from "../train/settingsSchema";
import type { Counts, Sweep, SweepEvent, Trial } from "./api";
import type { DimensionLike } from "./space";
import { OBJECTIVE_METRICS, type Objective } from "./store";

// ---- live state ---------------------------------------------------------------

/** The sweep after one websocket message (a snapshot replaces it whole). */
export function applyEvent(sweep: Sweep | null, event: SweepEvent): Sweep | null {
  switch (event.type) {
    case "snapshot":
      return event.sweep;
    case "trial": {
      if (!sweep) return sweep;
      const trials = sweep.trials.slice();
      const at = trials.findIndex((t) => t.number === event.trial.number);
      if (at >= 0) trials[at] = event.trial;
      else trials.push(event.trial);
      trials.sort((a, b) => a.number - b.number);
      return { ...sweep, trials, counts: event.counts ?? sweep.counts };
    }
    case "sweep":
      if (!sweep) return sweep;
      return {
        ...sweep,
        status: event.status,
        counts: event.counts ?? sweep.counts,
        best: event.best ?? sweep.best,
        importances: event.importances === undefined ? sweep.importances : event.importances,
      };
    case "done":
      return sweep ? { ...sweep, status: event.status } : sweep;
    default:
      return sweep;
  }
}

// ---- values -------------------------------------------------------------------

/** A trial's value for objective i, or null while it has none. */
export function valueOf(trial: Trial, index = 0): number | null {
  const v = trial.values?.[index];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Whether a is better than b in this direction. */
export function better(a: number, b: number, direction: Objective["direction"]): boolean {
  return direction === "maximize" ? a > b : a < b;
}

/** The best trial of one objective among those with a value, or null. */
export function bestTrial(trials: Trial[], direction: Objective["direction"], index = 0): Trial | null {
  let best: Trial | null = null;
  for (const t of trials) {
    const v = valueOf(t, index);
    if (v === null) continue;
    if (best === null || better(v, valueOf(best, index)!, direction)) best = t;
  }
  return best;
}

/** The `k` best succeeded trials with a run, by the first objective: the members of "Ensemble the top k". */
export function topTrials(sweep: Sweep, k: number): Trial[] {
  const direction = sweep.spec.objectives[0]?.direction ?? "maximize";
  return sweep.trials
    .filter((t) => t.status === "succeeded" && t.run !== null && valueOf(t) !== null)
    .sort((a, b) =>
      better(valueOf(a)!, valueOf(b)!, direction)
        ? -1
        : better(valueOf(b)!, valueOf(a)!, direction)
          ? 1
          : a.number - b.number,
    )
    .slice(0, k);
}

export interface BestCurve {
  /** trial numbers, in order, of the trials with a value */
  x: number[];
  /** each trial's own value */
  value: number[];
  /** the best value so far at that trial */
  best: number[];
}

/** The best-so-far curve of one objective, trial by trial. */
export function bestSoFar(trials: Trial[], direction: Objective["direction"], index = 0): BestCurve {
  const out: BestCurve = { x: [], value: [], best: [] };
  const ordered = trials.slice().sort((a, b) => a.number - b.number);
  let best: number | null = null;
  for (const t of ordered) {
    const v = valueOf(t, index);
    if (v === null) continue;
    if (best === null || better(v, best, direction)) best = v;
    out.x.push(t.number);
    out.value.push(v);
    out.best.push(best);
  }
  return out;
}

/** Whether a dominates b: no worse in every objective, better in one. */
export function dominates(a: number[], b: number[], directions: Objective["direction"][]): boolean {
  let strictly = false;
  for (let i = 0; i < directions.length; i++) {
    if (better(b[i], a[i], directions[i])) return false;
    if (better(a[i], b[i], directions[i])) strictly = true;
  }
  return strictly;
}

/** The indices of the points no other point dominates (the Pareto front), in the input's order. */
export function paretoFront(points: number[][], directions: Objective["direction"][]): number[] {
  const front: number[] = [];
  points.forEach((p, i) => {
    if (!points.some((q, j) => j !== i && dominates(q, p, directions))) front.push(i);
  });
  return front;
}

// ---- sorting ------------------------------------------------------------------

/** A column of the trials table: "number", "status", "duration", "epochs", "param:<target>", "value:<i>". */
export type Column = string;

function cellOf(trial: Trial, column: Column): unknown {
  if (column.startsWith("param:")) return trial.params[column.slice(6)];
  if (column.startsWith("value:")) return valueOf(trial, Number(column.slice(6)));
  switch (column) {
    case "status":
      return trial.status;
    case "duration":
      return trial.duration;
    case "epochs":
      return trial.epochs_done;
    default:
      return trial.number;
  }
}

function compareCells(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** The trials sorted by a column; a trial without a value there comes last either way; ties by number. */
export function sortTrials(trials: Trial[], column: Column, descending = false): Trial[] {
  const missing = (v: unknown) =>
    v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v));
  return trials.slice().sort((x, y) => {
    const a = cellOf(x, column);
    const b = cellOf(y, column);
    if (missing(a) || missing(b)) {
      if (missing(a) && missing(b)) return x.number - y.number;
      return missing(a) ? 1 : -1;
    }
    const order = compareCells(a, b);
    return (descending ? -order : order) || x.number - y.number;
  });
}

// ---- parallel coordinates -----------------------------------------------------

export interface Axis {
  key: string;
  label: string;
  /** where a value sits, 0 (bottom) to 1 (top); null when it cannot be placed */
  place(value: unknown): number | null;
  /** labelled positions */
  ticks: { at: number; label: string }[];
}

/** A number in a few characters: 0.0031, 128, 1.2e-5. */
export function short(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(1).replace("e+", "e");
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}

/** A numeric axis over [low, high] (linear or log), or a categorical one over the choices. */
export function axisFor(
  key: string,
  label: string,
  dim: Pick<DimensionLike, "kind" | "low" | "high" | "log" | "choices">,
  seen: unknown[] = [],
): Axis {
  if (dim.kind === "choice") {
    const choices = dim.choices?.length ? dim.choices : [...new Set(seen)];
    const n = choices.length;
    const at = (i: number) => (n <= 1 ? 0.5 : i / (n - 1));
    return {
      key,
      label,
      place: (v) => {
        const i = choices.findIndex((c) => c === v);
        return i < 0 ? null : at(i);
      },
      ticks: choices.map((c, i) => ({ at: at(i), label: c === null ? "None" : String(c) })),
    };
  }
  const numbers = seen.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  let low = dim.low ?? Math.min(...numbers);
  let high = dim.high ?? Math.max(...numbers);
  if (numbers.length) {
    low = Math.min(low, ...numbers);
    high = Math.max(high, ...numbers);
  }
  return numericAxis(key, label, low, high, !!dim.log && low > 0);
}

export function numericAxis(key: string, label: string, low: number, high: number, log = false): Axis {
  const f = log ? Math.log : (v: number) => v;
  const a = f(low);
  const b = f(high);
  const place = (v: unknown) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (log && v <= 0)) return null;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    return b === a ? 0.5 : Math.min(1, Math.max(0, (f(v) - a) / (b - a)));
  };
  const ticks =
    low === high || !Number.isFinite(low) || !Number.isFinite(high)
      ? Number.isFinite(low)
        ? [{ at: 0.5, label: short(low) }]
        : []
      : [
          { at: 0, label: short(low) },
          { at: 0.5, label: short(log ? Math.sqrt(low * high) : (low + high) / 2) },
          { at: 1, label: short(high) },
        ];
  return { key, label, place, ticks };
}

// ---- progress -----------------------------------------------------------------

export interface SweepProgress {
  total: number;
  done: number;
  running: number;
  queued: number;
  succeeded: number;
  pruned: number;
  failed: number;
  cancelled: number;
  /** seconds left, estimated from the finished trials' mean duration and the trials at once; null without one */
  eta: number | null;
}

export function progressOf(
  counts: Partial<Counts>,
  planned: number,
  parallel: number,
  durations: number[],
): SweepProgress {
  const n = (k: keyof Counts) => counts[k] ?? 0;
  const done = n("succeeded") + n("pruned") + n("failed") + n("cancelled");
  const total = Math.max(planned, n("total"));
  const left = Math.max(0, total - done);
  const known = durations.filter((d) => Number.isFinite(d) && d > 0);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  return {
    total,
    done,
    running: n("running"),
    queued: n("queued"),
    succeeded: n("succeeded"),
    pruned: n("pruned"),
    failed: n("failed"),
    cancelled: n("cancelled"),
    eta: mean === null || left === 0 ? (left === 0 ? 0 : null) : (mean * left) / Math.max(1, parallel),
  };
}

// ---- the best trial, back in the editor ---------------------------------------

/** The trial to open: the best one, or with two objectives the front's best on the first objective. */
export function pickBest(sweep: Sweep): Trial | null {
  const objective = sweep.spec.objectives[0];
  const front = sweep.trials.filter((t) => sweep.best.includes(t.number) && t.run !== null);
  if (front.length) return bestTrial(front, objective?.direction ?? "maximize") ?? front[0];
  return bestTrial(
    sweep.trials.filter((t) => t.run !== null && valueOf(t) !== null),
    objective?.direction ?? "maximize",
  );
}

/** A run's nested `training` as the settings form's values by dotted name (only those off their default). */
export function flattenSettings(declaration: SettingsDeclaration, training: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  for (const decl of declaration.fields) {
    let node: unknown = training;
    for (const key of decl.name.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
    if (node !== undefined && node !== decl.default) values[decl.name] = node;
  }
  return values;
}

// ---- objectives ----------------------------------------------------------------

/** What a run of this graph reports, for the objective's metric: loss and each Output's metrics, with val_. */
export function reportedMetrics(nodes: BlockNode[]): string[] {
  const outputs = nodes.filter((n) => n.data.type === "Output");
  const epoch: string[] = [];
  const several = outputs.length > 1;
  for (const out of outputs) {
    const metrics = Array.isArray(out.data.params.metrics) ? (out.data.params.metrics as unknown[]) : [];
    const names = ["loss", ...metrics.filter((m): m is string => typeof m === "string")];
    for (const m of names) epoch.push(several ? `${out.id}_${m}` : m);
  }
  if (several) epoch.unshift("loss");
  const withVal = epoch.flatMap((m) => [`val_${m}`, m]);
  const ordered = [
    ...new Set([
      ...withVal,
      ...OBJECTIVE_METRICS.filter((m) => !m.includes("accuracy") && !m.includes("loss")),
    ]),
  ];
  // val_accuracy first when it is there (the usual objective).
  return ordered.sort((a, b) => rank(a) - rank(b));
}

function rank(metric: string): number {
  if (metric.startsWith("val_") && /acc/.test(metric)) return 0;
  if (metric.startsWith("val_")) return 1;
  if (["params", "macs", "seconds"].includes(metric)) return 3;
  return 2;
}
