// What differs between runs: their training settings (every one, dotted), their metrics (best, final,
// test) and their graphs (blocks added, removed or changed, and the parameters that differ, by node id).
// Pure functions; ComparePanel shows them.
import { higherIsBetter } from "../../ensembles/compare";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A nested object as dotted keys ("callbacks.early_stopping.patience"); arrays are values. */
export function flatten(value: unknown, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(value)) {
    if (prefix) out[prefix] = value;
    return out;
  }
  const keys = Object.keys(value);
  if (!keys.length && prefix) out[prefix] = {};
  for (const key of keys) {
    const path = prefix ? `${prefix}.${key}` : key;
    const v = value[key];
    if (isObject(v)) Object.assign(out, flatten(v, path));
    else out[path] = v;
  }
  return out;
}

/** Equal as JSON values (key order does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

/** A setting's value for a table cell. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "–";
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return JSON.stringify(value);
}

export interface SettingRow {
  key: string;
  /** one per run, in the runs' order (undefined: that run has no such setting) */
  values: unknown[];
  differs: boolean;
}

/** Every setting any run has, dotted and sorted, with whether the runs differ on it. */
export function settingsRows(trainings: unknown[]): SettingRow[] {
  const flat = trainings.map((t) => flatten(t));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.map((key) => {
    const values = flat.map((f) => f[key]);
    return { key, values, differs: values.some((v) => !sameValue(v, values[0])) };
  });
}

export interface MetricsSource {
  best?: { metric: string; value: number; epoch?: number | null } | null;
  history?: { epoch: number; metrics?: Record<string, number | null> }[] | null;
  test?: Record<string, number | null> | null;
}

export interface MetricRow {
  /** "best", "final" or "test" */
  kind: "best" | "final" | "test";
  metric: string;
  /** one per run (null: none) */
  values: (number | null)[];
  /** the epoch of each value ("best" and "final"), else null */
  epochs: (number | null)[];
  /** the index of the best run on this row (null when fewer than two runs have a value, or all tie) */
  best: number | null;
  differs: boolean;
}

function metricOrder(name: string): number {
  const base = name.replace(/^val_/, "");
  const rank = base === "loss" ? 0 : /acc/.test(base) ? 1 : 2;
  return rank * 2 + (name.startsWith("val_") ? 0 : 1);
}

function bestIndex(metric: string, values: (number | null)[]): number | null {
  const known = values
    .map((v, i) => [v, i] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null);
  if (known.length < 2) return null;
  const up = higherIsBetter(metric);
  let best = known[0];
  let tie = true;
  for (const p of known.slice(1)) {
    if (p[0] !== best[0]) tie = false;
    if (up ? p[0] > best[0] : p[0] < best[0]) best = p;
  }
  return tie ? null : best[1];
}

function row(
  kind: MetricRow["kind"],
  metric: string,
  values: (number | null)[],
  epochs: (number | null)[],
): MetricRow {
  return {
    kind,
    metric,
    values,
    epochs,
    best: bestIndex(metric, values),
    differs: values.some((v) => v !== values[0]),
  };
}

function finite(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Each run's best monitored metric, every metric of its last epoch, and every test metric. */
export function metricRows(runs: MetricsSource[]): MetricRow[] {
  const rows: MetricRow[] = [];
  const bestMetrics = [...new Set(runs.map((r) => r.best?.metric).filter((m): m is string => !!m))];
  for (const metric of bestMetrics) {
    rows.push(
      row(
        "best",
        metric,
        runs.map((r) => (r.best?.metric === metric ? finite(r.best.value) : null)),
        runs.map((r) => (r.best?.metric === metric ? (r.best.epoch ?? null) : null)),
      ),
    );
  }
  const last = runs.map((r) => {
    const h = r.history ?? [];
    return h.length ? h.reduce((a, b) => (b.epoch > a.epoch ? b : a)) : null;
  });
  const finals = [...new Set(last.flatMap((h) => Object.keys(h?.metrics ?? {})))].sort(
    (a, b) => metricOrder(a) - metricOrder(b) || a.localeCompare(b),
  );
  for (const metric of finals) {
    rows.push(
      row(
        "final",
        metric,
        last.map((h) => finite(h?.metrics?.[metric])),
        last.map((h) => (h && h.metrics && metric in h.metrics ? h.epoch : null)),
      ),
    );
  }
  const tests = [...new Set(runs.flatMap((r) => Object.keys(r.test ?? {})))].sort(
    (a, b) => metricOrder(a) - metricOrder(b) || a.localeCompare(b),
  );
  for (const metric of tests) {
    rows.push(
      row(
        "test",
        metric,
        runs.map((r) => finite(r.test?.[metric])),
        runs.map(() => null),
      ),
    );
  }
  return rows;
}

// --- graphs ----------------------------------------------------------------------------------------

interface DocNode {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

export interface ParamChange {
  name: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  /** the node's id ("encoder/lstm_1" inside a group) */
  id: string;
  type: string;
  /** the baseline's type where it changed */
  typeBefore?: string;
  params: ParamChange[];
}

export interface GraphDiff {
  added: { id: string; type: string }[];
  removed: { id: string; type: string }[];
  changed: NodeChange[];
  edgesAdded: string[];
  edgesRemoved: string[];
  /** nothing differs */
  same: boolean;
}

function edgeKey(prefix: string, e: Record<string, unknown>): string {
  const port = typeof e.port === "number" && e.port > 0 ? ` (input ${e.port})` : "";
  const out = typeof e.source_port === "number" && e.source_port > 0 ? `:${e.source_port}` : "";
  return `${prefix}${String(e.source)}${out} → ${prefix}${String(e.target)}${port}`;
}

/** The blocks and wires of a graph document by path ("group/inner" inside Groups, nested). */
function collect(
  graph: unknown,
  prefix = "",
  nodes: Map<string, DocNode> = new Map(),
  edges: Set<string> = new Set(),
): { nodes: Map<string, DocNode>; edges: Set<string> } {
  if (!isObject(graph)) return { nodes, edges };
  const list = Array.isArray(graph.nodes) ? graph.nodes : [];
  for (const n of list) {
    if (!isObject(n) || typeof n.id !== "string") continue;
    const id = `${prefix}${n.id}`;
    nodes.set(id, { id, type: String(n.type ?? "?"), params: isObject(n.params) ? n.params : {} });
    if (isObject(n.graph)) collect(n.graph, `${id}/`, nodes, edges);
  }
  for (const e of Array.isArray(graph.edges) ? graph.edges : [])
    if (isObject(e)) edges.add(edgeKey(prefix, e));
  return { nodes, edges };
}

/** What changed from `before` (the baseline) to `after`: blocks by id, their parameters (dotted), wires. */
export function graphDiff(before: unknown, after: unknown): GraphDiff {
  const a = collect(before);
  const b = collect(after);
  const added = [...b.nodes.values()].filter((n) => !a.nodes.has(n.id)).map(({ id, type }) => ({ id, type }));
  const removed = [...a.nodes.values()]
    .filter((n) => !b.nodes.has(n.id))
    .map(({ id, type }) => ({ id, type }));
  const changed: NodeChange[] = [];
  for (const [id, nb] of b.nodes) {
    const na = a.nodes.get(id);
    if (!na) continue;
    const pa = flatten(na.params);
    const pb = flatten(nb.params);
    const names = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
    const params = names
      .filter((name) => !sameValue(pa[name], pb[name]))
      .map((name) => ({ name, before: pa[name], after: pb[name] }));
    if (params.length || na.type !== nb.type) {
      changed.push({ id, type: nb.type, ...(na.type !== nb.type ? { typeBefore: na.type } : {}), params });
    }
  }
  const edgesAdded = [...b.edges].filter((e) => !a.edges.has(e)).sort();
  const edgesRemoved = [...a.edges].filter((e) => !b.edges.has(e)).sort();
  return {
    added,
    removed,
    changed,
    edgesAdded,
    edgesRemoved,
    same: !added.length && !removed.length && !changed.length && !edgesAdded.length && !edgesRemoved.length,
  };
}
