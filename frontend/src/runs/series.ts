// Run events -> chart series. One chart per metric ("loss" first, then the others in the order they
// appear), each in uPlot's aligned form: a shared x (epochs as a fraction: batch `step` of `steps`
// in epoch `e` sits at e - 1 + step/steps, the end of epoch e at e) and three y columns: the
// per-batch training value (thin line), the per-epoch training value and the per-epoch validation
// value (markers). Appends are in place (uPlot's setData on the same arrays); a snapshot rebuilds
// everything, so a reload or a reconnect gives the same series as watching live.
import type { EpochEntry } from '../api/runs';

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
  return metric.startsWith('val_') ? metric.slice(4) : metric;
}

function num(value: unknown): Cell {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function batchX(epoch: number, step: number, steps: number): number {
  return epoch - 1 + (steps > 0 ? Math.min(step, steps) / steps : 1);
}

function chartFor(series: Series, key: string): MetricSeries {
  let chart = series.charts[key];
  if (!chart) {
    chart = { key, x: [], batch: [], epoch: [], val: [] };
    series.charts[key] = chart;
    if (key === 'loss') series.keys.unshift(key);
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
    if (name.startsWith('val_')) continue;
    const chart = chartFor(series, name);
    chart.batch[rowAt(chart, point.x)] = num(value);
  }
}

function addEpoch(series: Series, entry: EpochEntry) {
  series.epochs[entry.epoch] = entry;
  for (const [name, value] of Object.entries(entry.metrics ?? {})) {
    const chart = chartFor(series, baseKey(name));
    const row = rowAt(chart, entry.epoch);
    if (name.startsWith('val_')) chart.val[row] = num(value);
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

/** Live: one batch event, appended in place. */
export function applyBatch(series: Series, ev: BatchEventLike): BatchPoint {
  const metrics: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(ev.metrics ?? {})) metrics[k] = num(v);
  const point: BatchPoint = { x: batchX(ev.epoch, ev.step, ev.steps), epoch: ev.epoch, metrics };
  series.batches.push(point);
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
 * A snapshot: the series rebuilt whole from the run's epoch history, plus the batch points kept from
 * before (this page's, or the cache's after a reload) up to the run's progress.
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

// --- the batch points of a run, kept in sessionStorage so a reload keeps the thin line too ---------

const CACHE_PREFIX = 'run-batches:';
const CACHE_LIMIT = 20_000;

export interface BatchCache {
  /** the run's created_at, so that a cache never lands on another run with the same id */
  created: string | null;
  points: BatchPoint[];
}

export function loadBatchCache(runId: string | number, storage: Pick<Storage, 'getItem'> | null = safeSession()): BatchCache {
  const empty: BatchCache = { created: null, points: [] };
  if (!storage) return empty;
  try {
    const parsed = JSON.parse(storage.getItem(CACHE_PREFIX + runId) ?? 'null');
    if (!parsed || !Array.isArray(parsed.points)) return empty;
    const points = (parsed.points as unknown[]).filter(
      (p): p is BatchPoint =>
        !!p && typeof (p as BatchPoint).x === 'number' && typeof (p as BatchPoint).epoch === 'number' && typeof (p as BatchPoint).metrics === 'object',
    );
    return { created: typeof parsed.created === 'string' ? parsed.created : null, points };
  } catch {
    return empty;
  }
}

export function saveBatchCache(
  runId: string | number,
  cache: BatchCache,
  storage: Pick<Storage, 'setItem' | 'removeItem' | 'key' | 'length'> | null = safeSession(),
) {
  if (!storage) return;
  const points = cache.points.length > CACHE_LIMIT ? thin(cache.points, CACHE_LIMIT) : cache.points;
  const text = JSON.stringify({ created: cache.created, points });
  try {
    storage.setItem(CACHE_PREFIX + runId, text);
  } catch {
    // Full: forget the other runs' points and try once more (the epochs come back from the server anyway).
    try {
      const others: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key && key.startsWith(CACHE_PREFIX) && key !== CACHE_PREFIX + runId) others.push(key);
      }
      for (const key of others) storage.removeItem(key);
      storage.setItem(CACHE_PREFIX + runId, text);
    } catch {
      // give up quietly
    }
  }
}

/** Batch points from two sources (the cache, this page), one per x, the later source winning. */
export function mergeBatches(a: BatchPoint[], b: BatchPoint[]): BatchPoint[] {
  const byX = new Map<number, BatchPoint>();
  for (const p of a) byX.set(p.x, p);
  for (const p of b) byX.set(p.x, p);
  return [...byX.values()].sort((p, q) => p.x - q.x);
}

/** At most `limit` points, evenly spread, the last one kept. */
export function thin<T>(items: T[], limit: number): T[] {
  if (items.length <= limit) return items;
  const out: T[] = [];
  const step = items.length / limit;
  for (let i = 0; i < limit - 1; i++) out.push(items[Math.floor(i * step)]);
  out.push(items[items.length - 1]);
  return out;
}

function safeSession(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
