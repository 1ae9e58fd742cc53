// Run events -> chart series. One chart per metric ("loss" first, then the others in the order they
// appear), each in uPlot's aligned form: a shared x (epochs as a fraction: batch `step` of `steps`
// in epoch `e` sits at e - 1 + step/steps, the end of epoch e at e) and three y columns: the
// per-batch training value (thin line), the per-epoch training value and the per-epoch validation
// value (markers). Appends are in place (uPlot's setData on the same arrays); a snapshot rebuilds
// everything from the run's epoch history and the batch points the server keeps, so a reload, a
// reconnect or another browser gives the same series as watching live.
import type { BatchRecord, EpochEntry } from "../api/runs";

export type Cell = number | null;

export interface MetricSeries {
  key: string;
  x: number[];
  batch: Cell[];
  epoch: Cell[];
  val: Cell[];
}

export interface LrSeries {
  x: number[];
  y: Cell[];
}

/** A batch event as kept for a rebuild: its x and its metrics. */
export interface BatchPoint {
  x: number;
  epoch: number;
  step: number;
  metrics: Record<string, Cell>;
}

export interface Series {
  /** chart keys in display order */
  keys: string[];
  charts: Record<string, MetricSeries>;
  lr: LrSeries;
  /** the epochs seen, by number */
  epochs: Record<number, EpochEntry>;
  batches: BatchPoint[];
  /** bumped on every change */
  version: number;
  /** bumped when the arrays were replaced (charts must take the new ones) */
  generation: number;
}

export function emptySeries(): Series {
  return { keys: [], charts: {}, lr: { x: [], y: [] }, epochs: {}, batches: [], version: 0, generation: 0 };
}

/** "val_loss" -> "loss"; "loss" -> "loss". */
export function baseKey(metric: string): string {
  return metric.startsWith("val_") ? metric.slice(4) : metric;
}

function num(value: unknown): Cell {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function batchX(epoch: number, step: number, steps: number): number {
  return epoch - 1 + (steps > 0 ? Math.min(step, steps) / steps : 1);
}

function chartFor(series: Series, key: string): MetricSeries {
  let chart = series.charts[key];
  if (!chart) {
    chart = { key, x: [], batch: [], epoch: [], val: [] };
    series.charts[key] = chart;
    if (key === "loss") series.keys.unshift(key);
    else series.keys.push(key);
  }
  return chart;
}

/** The row of x in the chart: found (same x), appended at the end, or inserted in order. */
function rowAt(chart: MetricSeries, x: number): number {
  const n = chart.x.length;
  if (n === 0 || chart.x[n - 1] < x) {
    chart.x.push(x);
    chart.batch.push(null);
    chart.epoch.push(null);
    chart.val.push(null);
    return n;
  }
  // Binary search for the first x >= target.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chart.x[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (chart.x[lo] === x) return lo;
  chart.x.splice(lo, 0, x);
  chart.batch.splice(lo, 0, null);
  chart.epoch.splice(lo, 0, null);
  chart.val.splice(lo, 0, null);
  return lo;
}

function addBatch(series: Series, point: BatchPoint) {
  for (const [name, value] of Object.entries(point.metrics)) {
    if (name.startsWith("val_")) continue;
    const chart = chartFor(series, name);
    chart.batch[rowAt(chart, point.x)] = num(value);
  }
}

function addEpoch(series: Series, entry: EpochEntry) {
  series.epochs[entry.epoch] = entry;
  for (const [name, value] of Object.entries(entry.metrics ?? {})) {
    const chart = chartFor(series, baseKey(name));
    const row = rowAt(chart, entry.epoch);
    if (name.startsWith("val_")) chart.val[row] = num(value);
    else chart.epoch[row] = num(value);
  }
  // The learning rate an epoch used.
  const lr = series.lr;
  let i = lr.x.indexOf(entry.epoch);
  if (i < 0) {
    i = lr.x.findIndex((x) => x > entry.epoch);
    if (i < 0) i = lr.x.length;
    lr.x.splice(i, 0, entry.epoch);
    lr.y.splice(i, 0, null);
  }
  lr.y[i] = num(entry.lr);
}

export interface BatchEventLike {
  epoch: number;
  step: number;
  steps: number;
  metrics: Record<string, unknown>;
}

/** One batch event (live, or from the run's stored `batches`) as a chart point. */
export function batchPoint(ev: BatchEventLike): BatchPoint {
  const metrics: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(ev.metrics ?? {})) metrics[k] = num(v);
  return { x: batchX(ev.epoch, ev.step, ev.steps), epoch: ev.epoch, step: ev.step, metrics };
}

/** Where a point of this x is (or goes) in the sorted batch points. */
function batchIndex(points: BatchPoint[], x: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Live: one batch event, appended in place. One the snapshot already had (same epoch and step) takes
 * its place instead of doubling it; a late one goes in order.
 */
export function applyBatch(series: Series, ev: BatchEventLike): BatchPoint {
  const point = batchPoint(ev);
  const points = series.batches;
  const n = points.length;
  if (n === 0 || points[n - 1].x < point.x) points.push(point);
  else {
    const i = batchIndex(points, point.x);
    if (i < n && points[i].epoch === point.epoch && points[i].step === point.step) points[i] = point;
    else points.splice(i, 0, point);
  }
  addBatch(series, point);
  series.version++;
  return point;
}

/** Live: one epoch event (an epoch seen before, from the snapshot, is updated, not doubled). */
export function applyEpoch(series: Series, ev: EpochEntry) {
  addEpoch(series, ev);
  series.version++;
}

/**
 * A snapshot: the series rebuilt whole from the run's epoch history and batch points (the server's,
 * merged with the ones this page saw before a reconnect: see mergeBatches).
 */
export function rebuild(history: EpochEntry[], batches: BatchPoint[] = [], previous?: Series): Series {
  const series = emptySeries();
  series.generation = (previous?.generation ?? 0) + 1;
  series.version = (previous?.version ?? 0) + 1;
  const sorted = [...batches].sort((a, b) => a.x - b.x);
  for (const point of sorted) {
    series.batches.push(point);
    addBatch(series, point);
  }
  for (const entry of [...history].sort((a, b) => a.epoch - b.epoch)) addEpoch(series, entry);
  return series;
}

/** uPlot's aligned data of one chart: [x, batch, epoch, val]. */
export function alignedData(chart: MetricSeries): [number[], Cell[], Cell[], Cell[]] {
  return [chart.x, chart.batch, chart.epoch, chart.val];
}

/** How many points a chart shows (non-null cells). */
export function pointCount(chart: MetricSeries | undefined): { batch: number; epoch: number; val: number } {
  const count = (col: Cell[]) => col.reduce<number>((n, v) => (v === null ? n : n + 1), 0);
  if (!chart) return { batch: 0, epoch: 0, val: 0 };
  return { batch: count(chart.batch), epoch: count(chart.epoch), val: count(chart.val) };
}

/** The server's batch records (run.batches) as chart points; malformed ones are skipped. */
export function batchPoints(records: BatchRecord[] | null | undefined): BatchPoint[] {
  if (!Array.isArray(records)) return [];
  return records
    .filter(
      (r) => !!r && typeof r.epoch === "number" && typeof r.step === "number" && typeof r.steps === "number",
    )
    .map((r) => batchPoint(r));
}

/** Batch points from two sources (the server's, this page's), one per (epoch, step), the later source winning. */
export function mergeBatches(a: BatchPoint[], b: BatchPoint[]): BatchPoint[] {
  const byKey = new Map<string, BatchPoint>();
  for (const p of a) byKey.set(`${p.epoch}:${p.step}`, p);
  for (const p of b) byKey.set(`${p.epoch}:${p.step}`, p);
  return [...byKey.values()].sort((p, q) => p.x - q.x);
}
