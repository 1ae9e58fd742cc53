// The runs table's columns: the run's own (status, name, tags, dataset, ...), every training setting
// found in the runs (by dotted name) and every best/final/test metric they report. Which ones show is
// the person's choice, kept in localStorage with the sort. Sorting and filtering are pure functions here.
import type { RunStatus, RunSummary } from "../../api/runs";
import { formatDuration } from "../progress";
import { formatMetric } from "../results";
import { summariseSettings } from "../../train/settings";

export type CellValue = string | number | boolean | null;

export interface TableContext {
  /** a project's name by id ("" for none) */
  projectName(id: number | null): string;
}

export type ColumnGroup = "run" | "settings" | "metrics";

export interface ColumnDef {
  /** "status", "training.optimizer", "best.val_accuracy", "final.loss", "test.accuracy" */
  id: string;
  label: string;
  group: ColumnGroup;
  /** the value sorted on (and shown, through `format`) */
  value(run: RunSummary, ctx: TableContext): CellValue;
  format?(value: CellValue, run: RunSummary): string;
  /** right-aligned */
  numeric?: boolean;
}

const text = (v: CellValue) => (v === null || v === "" ? "–" : String(v));
const metric = (v: CellValue) => (typeof v === "number" ? formatMetric(v) : text(v));

export function testSummary(test: Record<string, number | null> | null | undefined): string {
  if (!test) return "–";
  const acc = Object.entries(test).find(([k]) => /acc/.test(k));
  if (acc && acc[1] !== null) return `${acc[0]} ${(acc[1] * 100).toFixed(1)}%`;
  return test.loss !== undefined && test.loss !== null ? `loss ${formatMetric(test.loss)}` : "–";
}

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" }) : "–";
}

/** The run's own columns, in the table's order. */
export const BASE_COLUMNS: ColumnDef[] = [
  { id: "status", label: "Status", group: "run", value: (r) => r.status },
  { id: "name", label: "Run", group: "run", value: (r) => r.name || "run" },
  { id: "tags", label: "Tags", group: "run", value: (r) => (r.tags ?? []).join(", ") },
  {
    id: "project",
    label: "Project",
    group: "run",
    value: (r, ctx) => ctx.projectName(r.project),
  },
  {
    id: "dataset",
    label: "Dataset",
    group: "run",
    value: (r) => r.dataset?.title || r.dataset?.name || "",
  },
  {
    id: "settings",
    label: "Settings",
    group: "run",
    value: (r) => summariseSettings(r.training),
  },
  {
    id: "best",
    label: "Best",
    group: "run",
    value: (r) => r.best?.value ?? null,
    format: (_v, r) =>
      r.best
        ? `${r.best.metric} ${formatMetric(r.best.value)}${r.best.epoch != null ? ` (ep ${r.best.epoch})` : ""}`
        : "–",
  },
  {
    id: "test",
    label: "Test",
    group: "run",
    value: (r) => testSummary(r.test),
  },
  {
    id: "epochs",
    label: "Epochs",
    group: "run",
    value: (r) => r.epochs_done,
    numeric: true,
  },
  {
    id: "duration",
    label: "Duration",
    group: "run",
    value: (r) => r.duration ?? null,
    format: (v) => (typeof v === "number" ? formatDuration(v) : "–"),
    numeric: true,
  },
  { id: "worker", label: "Worker", group: "run", value: (r) => r.worker ?? "" },
  {
    id: "created",
    label: "Created",
    group: "run",
    value: (r) => r.created_at ?? null,
    format: (v) => when(typeof v === "string" ? v : null),
  },
  {
    id: "started",
    label: "Started",
    group: "run",
    value: (r) => r.started_at ?? null,
    format: (v) => when(typeof v === "string" ? v : null),
  },
];

/** Shown until the person chooses. */
export const DEFAULT_COLUMNS = [
  "status",
  "name",
  "tags",
  "project",
  "dataset",
  "settings",
  "best",
  "test",
  "duration",
  "created",
];

/** A nested settings object as dotted leaves: {callbacks: {early_stopping: {patience: 3}}} -> callbacks.early_stopping.patience. */
export function flatten(value: unknown, prefix = ""): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    if (prefix) out[prefix] = leaf(value);
    return out;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    Object.assign(out, flatten(inner, prefix ? `${prefix}.${key}` : key));
  }
  return out;
}

function leaf(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

function settingColumn(path: string): ColumnDef {
  const keys = path.split(".");
  return {
    id: `training.${path}`,
    label: path,
    group: "settings",
    value: (r) => {
      let node: unknown = r.training;
      for (const key of keys) node = (node as Record<string, unknown> | null | undefined)?.[key];
      return node === undefined ? null : leaf(node);
    },
  };
}

const METRIC_KINDS = ["best", "final", "test"] as const;
type MetricKind = (typeof METRIC_KINDS)[number];

function metricColumn(kind: MetricKind, name: string): ColumnDef {
  const value = (r: RunSummary): CellValue => {
    if (kind === "best") return r.best && r.best.metric === name ? r.best.value : null;
    const values = kind === "final" ? r.final : r.test;
    return values?.[name] ?? null;
  };
  return {
    id: `${kind}.${name}`,
    label: `${kind} ${name}`,
    group: "metrics",
    value,
    format: metric,
    numeric: true,
  };
}

/** Every column the runs have: the base ones, each setting (dotted) and each best/final/test metric. */
export function discoverColumns(runs: RunSummary[]): ColumnDef[] {
  const settings = new Set<string>();
  const metrics: Record<MetricKind, Set<string>> = { best: new Set(), final: new Set(), test: new Set() };
  for (const run of runs) {
    for (const key of Object.keys(flatten(run.training ?? {}))) settings.add(key);
    if (run.best) metrics.best.add(run.best.metric);
    for (const key of Object.keys(run.final ?? {})) metrics.final.add(key);
    for (const key of Object.keys(run.test ?? {})) metrics.test.add(key);
  }
  const byName = (a: string, b: string) => metricOrder(a) - metricOrder(b) || a.localeCompare(b);
  return [
    ...BASE_COLUMNS,
    ...[...settings].sort().map(settingColumn),
    ...METRIC_KINDS.flatMap((kind) =>
      [...metrics[kind]].sort(byName).map((name) => metricColumn(kind, name)),
    ),
  ];
}

function metricOrder(name: string): number {
  if (name.startsWith("val_") && /acc/.test(name)) return 0;
  if (name === "val_loss") return 1;
  if (name.startsWith("val_")) return 2;
  if (/acc/.test(name)) return 3;
  if (name === "loss") return 4;
  return 5;
}

/** The cell's text. */
export function display(column: ColumnDef, run: RunSummary, ctx: TableContext): string {
  const value = column.value(run, ctx);
  if (column.format) return column.format(value, run);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return String(value);
  return text(value);
}

// ---- sorting -------------------------------------------------------------------------------------

export type SortDirection = "asc" | "desc";
export interface SortState {
  column: string;
  direction: SortDirection;
}

/** Click a header: sort by it ascending; click it again: descending (and back). */
export function nextSort(current: SortState | null, column: string): SortState {
  if (current?.column === column) return { column, direction: current.direction === "asc" ? "desc" : "asc" };
  return { column, direction: "asc" };
}

function empty(v: CellValue): boolean {
  return v === null || v === "";
}

/** Compares two non-empty values: numbers as numbers, the rest as text with numbers in it read as numbers. */
export function compareValues(a: CellValue, b: CellValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "number" && typeof b !== "number") return -1; // numbers before text in a mixed column
  if (typeof b === "number" && typeof a !== "number") return 1;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

/** The runs sorted by a column (stable: ties keep their order); runs without a value last, either way. */
export function sortRuns(
  runs: RunSummary[],
  sort: SortState | null,
  columns: ColumnDef[],
  ctx: TableContext,
): RunSummary[] {
  const column = sort && columns.find((c) => c.id === sort.column);
  if (!sort || !column) return runs;
  const sign = sort.direction === "asc" ? 1 : -1;
  return runs
    .map((run, index) => ({ run, index, value: column.value(run, ctx) }))
    .sort((x, y) => {
      const ex = empty(x.value);
      const ey = empty(y.value);
      if (ex || ey) return ex === ey ? x.index - y.index : ex ? 1 : -1;
      return sign * compareValues(x.value, y.value) || x.index - y.index;
    })
    .map((x) => x.run);
}

// ---- filtering -----------------------------------------------------------------------------------

export interface Filters {
  /** text in the run's name, its graph's, its project's or its dataset's (any case): GET /api/runs?q= */
  text: string;
  status: RunStatus | "";
  /** a tag, whole: GET /api/runs?tag= */
  tag: string;
}

export const NO_FILTERS: Filters = { text: "", status: "", tag: "" };

/** The runs the filters keep: the same rules as GET /api/runs's status, tag and q. */
export function filterRuns(runs: RunSummary[], filters: Filters, ctx: TableContext): RunSummary[] {
  const needle = filters.text.trim().toLowerCase();
  const tag = filters.tag.trim();
  return runs.filter((r) => {
    if (filters.status && r.status !== filters.status) return false;
    if (tag && !(r.tags ?? []).includes(tag)) return false;
    if (!needle) return true;
    const haystack = [r.name, r.graph_name, ctx.projectName(r.project), r.dataset?.name, r.dataset?.title];
    return haystack.some((h) => (h ?? "").toLowerCase().includes(needle));
  });
}

/** Every tag of the runs, sorted. */
export function allTags(runs: RunSummary[]): string[] {
  return [...new Set(runs.flatMap((r) => r.tags ?? []))].sort((a, b) => a.localeCompare(b));
}

// ---- the person's choice, in localStorage -------------------------------------------------------

export const PREFS_KEY = "keras-canvas-runs-table";

export interface TablePrefs {
  columns: string[];
  sort: SortState | null;
}

export function readPrefs(storage: Pick<Storage, "getItem"> | undefined): TablePrefs {
  const fallback: TablePrefs = { columns: DEFAULT_COLUMNS, sort: null };
  try {
    const raw = storage?.getItem(PREFS_KEY);
    if (!raw) return fallback;
    const parsed = JSON.parse(raw) as Partial<TablePrefs>;
    const columns =
      Array.isArray(parsed.columns) && parsed.columns.every((c) => typeof c === "string")
        ? parsed.columns
        : DEFAULT_COLUMNS;
    const s = parsed.sort;
    const sort =
      s && typeof s.column === "string" && (s.direction === "asc" || s.direction === "desc")
        ? { column: s.column, direction: s.direction }
        : null;
    return { columns, sort };
  } catch {
    return fallback;
  }
}

export function writePrefs(storage: Pick<Storage, "setItem"> | undefined, prefs: TablePrefs): void {
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // private mode or full: the choice lasts for the visit
  }
}

/** The chosen columns that these runs have, in the table's order (base, settings, metrics). */
export function shownColumns(all: ColumnDef[], chosen: string[]): ColumnDef[] {
  const wanted = new Set(chosen);
  return all.filter((c) => wanted.has(c.id));
}

/** Show or hide a column. */
export function toggleColumn(chosen: string[], id: string): string[] {
  return chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id];
}
