// The search space of a sweep, as the editor keeps it: one dimension per tuned number or choice,
// keyed by its target ("nodes.<id>.<param>", "nodes.<id>.layer.<param>", "training.<setting>").
// Pure helpers: a dimension's sensible default from the parameter's rules (the catalog's min/max/
// choices, or a training setting's declaration), its checks in the server's terms, and the list
// POST /api/sweeps takes. Nothing here knows a parameter by name.
import type { ParamSpec } from "../api/types";
import { rulesOf } from "../blocks/form";
import type { SettingDecl } from "../train/settingsSchema";

export type DimensionKind = "int" | "float" | "choice";

/** One dimension of the space, as POST /api/sweeps takes it. */
export interface Dimension {
  target: string;
  kind: DimensionKind;
  low?: number;
  high?: number;
  log?: boolean;
  step?: number;
  choices?: unknown[];
}

/** A dimension as the editor keeps it or as the server answers it (null where a kind has no use for a key). */
export interface DimensionLike {
  target: string;
  kind: DimensionKind;
  low?: number | null;
  high?: number | null;
  log?: boolean | null;
  step?: number | null;
  choices?: unknown[] | null;
}

/** The space by target, in the order the dimensions were added. */
export type SpaceMap = Record<string, Dimension>;

/** What the tuned value may be: the parameter's (or setting's) own bounds and choices. */
export interface Bounds {
  kind: DimensionKind;
  min: number | null;
  max: number | null;
  /** min / max themselves are refused */
  minOpen?: boolean;
  maxOpen?: boolean;
  /** the value is searched on a log scale by nature (a learning rate) */
  log?: boolean;
  choices: unknown[] | null;
}

export const NODE_PREFIX = "nodes.";
export const TRAINING_PREFIX = "training.";

/** "nodes.dense1.units" for a block param; `path` is "" or a wrapper's "layer.". */
export function nodeTarget(nodeId: string, path: string, param: string): string {
  return `${NODE_PREFIX}${nodeId}.${path}${param}`;
}

export function trainingTarget(setting: string): string {
  return `${TRAINING_PREFIX}${setting}`;
}

/** The block a target tunes, or null for a training setting. Node ids never hold a dot. */
export function targetNode(target: string): string | null {
  if (!target.startsWith(NODE_PREFIX)) return null;
  const rest = target.slice(NODE_PREFIX.length);
  const dot = rest.indexOf(".");
  return dot > 0 ? rest.slice(0, dot) : null;
}

/** How a target reads in a list: "dense1 · units", "training · learning_rate". */
export function targetLabel(target: string): { owner: string; name: string } {
  const node = targetNode(target);
  if (node !== null) return { owner: node, name: target.slice(NODE_PREFIX.length + node.length + 1) };
  if (target.startsWith(TRAINING_PREFIX))
    return { owner: "training", name: target.slice(TRAINING_PREFIX.length) };
  return { owner: "", name: target };
}

/** The tunable bounds of a block param, or null when it is neither a number nor a choice. */
export function paramBounds(param: ParamSpec): Bounds | null {
  const rules = rulesOf(param);
  if (param.kind === "int" || param.kind === "float")
    return { kind: param.kind, min: rules.min, max: rules.max, choices: null };
  // A tuple (kernel_size, strides): one number for every entry.
  if (param.kind === "int_tuple") return { kind: "int", min: rules.min, max: rules.max, choices: null };
  if (param.kind === "bool") return { kind: "choice", min: null, max: null, choices: [false, true] };
  if (param.kind === "choice") {
    const choices = rules.choices ?? param.choices ?? [];
    return choices.length ? { kind: "choice", min: null, max: null, choices } : null;
  }
  return null;
}

/** The tunable bounds of a training setting, or null when it may not be searched. */
export function settingBounds(decl: SettingDecl): Bounds | null {
  if (!decl.searchable) return null;
  if (decl.kind === "int" || decl.kind === "float")
    return {
      kind: decl.kind,
      min: decl.min,
      max: decl.max,
      minOpen: decl.min_open,
      maxOpen: decl.max_open,
      log: decl.log,
      choices: null,
    };
  if (decl.kind === "choice" && decl.choices?.length)
    return { kind: "choice", min: null, max: null, choices: decl.choices };
  return null;
}

/** A float to four significant digits (0.30000000000000004 -> 0.3). */
export function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(4));
}

function clamp(value: number, bounds: Bounds): number {
  let v = value;
  if (bounds.min !== null && v < bounds.min) v = bounds.min;
  if (bounds.max !== null && v > bounds.max) v = bounds.max;
  return v;
}

/**
 * The dimension a "tune" toggle starts with: around the value in effect (half to double it; a
 * tenth to ten times it on a log scale; ±0.2 for a fraction), inside the bounds, never on an open
 * bound; for a choice, the value in effect and the next two choices.
 */
export function defaultDimension(target: string, bounds: Bounds, value: unknown): Dimension {
  if (bounds.kind === "choice") {
    const all = bounds.choices ?? [];
    const current = all.some((c) => c === value) ? value : undefined;
    // None is a choice to try only when it is the value in effect (an activation left unset).
    const others = all.filter((c) => c !== current && c !== null);
    const picked = current === undefined ? others.slice(0, 3) : [current, ...others.slice(0, 2)];
    return { target, kind: "choice", choices: picked };
  }
  const { min, max } = bounds;
  const first = Array.isArray(value) ? value[0] : value;
  const number = typeof first === "number" && Number.isFinite(first) ? first : null;
  const start = number ?? (min !== null && min > 0 ? min : bounds.kind === "int" ? 1 : (min ?? 0));
  let low: number;
  let high: number;
  let log = false;
  const fraction = bounds.kind === "float" && min !== null && max !== null && min >= 0 && max <= 1;
  if (bounds.log && start > 0) {
    low = start / 10;
    high = start * 10;
    log = true;
  } else if (fraction) {
    low = start - 0.2;
    high = start + 0.2;
  } else if (start > 0) {
    low = start / 2;
    high = start * 2;
  } else {
    low = start;
    high = start + (bounds.kind === "int" ? 10 : 1);
  }
  low = clamp(low, bounds);
  high = clamp(high, bounds);
  // An open bound is refused itself: step inside it by a hundredth of the range.
  const span = Math.max(high - low, bounds.kind === "int" ? 1 : 1e-6);
  if (bounds.minOpen && min !== null && low <= min) low = min + span / 100;
  if (bounds.maxOpen && max !== null && high >= max) high = max - span / 100;
  if (bounds.kind === "int") {
    low = Math.ceil(low);
    high = Math.floor(high);
    if (high <= low && (max === null || low + 1 <= max)) high = low + 1;
    // Sizes (units, filters) are searched on a log scale when they span a factor of four or more.
    log = low > 0 && high / low >= 4;
    return { target, kind: "int", low, high, log };
  }
  return { target, kind: "float", low: tidy(low), high: tidy(high), log: log && low > 0 };
}

/** The problems of a dimension against its bounds, by its field ("low", "high", "step", "choices"). */
export function checkDimension(dim: Dimension, bounds: Bounds | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!bounds) return errors;
  if (dim.kind === "choice") {
    const choices = dim.choices ?? [];
    if (!choices.length) errors.choices = "pick at least one choice";
    else if (bounds.choices && choices.some((c) => !bounds.choices!.some((b) => b === c)))
      errors.choices = `each one of ${bounds.choices.map(String).join(", ")}`;
    return errors;
  }
  const whole = dim.kind === "int";
  const within = (v: number): string | null => {
    const { min, max } = bounds;
    const below = min !== null && (bounds.minOpen ? v <= min : v < min);
    const above = max !== null && (bounds.maxOpen ? v >= max : v > max);
    if (!below && !above) return null;
    const lo = min === null ? "" : `${bounds.minOpen ? "above" : "at least"} ${min}`;
    const hi = max === null ? "" : `${bounds.maxOpen ? "below" : "at most"} ${max}`;
    return [lo, hi].filter(Boolean).join(" and ");
  };
  for (const key of ["low", "high"] as const) {
    const v = dim[key];
    if (typeof v !== "number" || !Number.isFinite(v)) errors[key] = "a number";
    else if (whole && !Number.isInteger(v)) errors[key] = "a whole number";
    else {
      const problem = within(v);
      if (problem) errors[key] = problem;
    }
  }
  if (!errors.low && !errors.high && dim.low! > dim.high!) errors.high = "at least low";
  if (dim.log && !errors.low && dim.low! <= 0) errors.low = "above 0 on a log scale";
  if (dim.step !== undefined) {
    if (!(typeof dim.step === "number" && dim.step > 0)) errors.step = "a number above 0";
    else if (whole && !Number.isInteger(dim.step)) errors.step = "a whole number";
    else if (dim.log && (!whole || dim.step !== 1)) errors.step = "no step on a log scale";
  }
  return errors;
}

/** The dimension as POST /api/sweeps takes it: only the keys its kind uses. */
export function cleanDimension(dim: Dimension): Dimension {
  if (dim.kind === "choice") return { target: dim.target, kind: "choice", choices: dim.choices ?? [] };
  const out: Dimension = { target: dim.target, kind: dim.kind, low: dim.low, high: dim.high };
  if (dim.log) out.log = true;
  if (dim.step !== undefined) out.step = dim.step;
  return out;
}

/** The space's list for the request: the dimensions whose target still exists, in order. */
export function spaceList(space: SpaceMap, exists: (target: string) => boolean = () => true): Dimension[] {
  return Object.values(space)
    .filter((d) => exists(d.target))
    .map(cleanDimension);
}

/** The space with a block renamed: its dimensions follow it. */
export function renameInSpace(space: SpaceMap, from: string, to: string): SpaceMap {
  const prefix = `${NODE_PREFIX}${from}.`;
  if (!Object.keys(space).some((t) => t.startsWith(prefix))) return space;
  const out: SpaceMap = {};
  for (const [target, dim] of Object.entries(space)) {
    const next = target.startsWith(prefix) ? `${NODE_PREFIX}${to}.${target.slice(prefix.length)}` : target;
    out[next] = { ...dim, target: next };
  }
  return out;
}

/** The space without the dimensions of blocks that are gone. */
export function keepNodes(space: SpaceMap, ids: ReadonlySet<string>): SpaceMap {
  const gone = Object.keys(space).filter((t) => {
    const node = targetNode(t);
    return node !== null && !ids.has(node);
  });
  if (!gone.length) return space;
  const out = { ...space };
  for (const t of gone) delete out[t];
  return out;
}

/** How many dimensions tune a block. */
export function tunedCount(space: SpaceMap, nodeId: string): number {
  const prefix = `${NODE_PREFIX}${nodeId}.`;
  let n = 0;
  for (const t in space) if (t.startsWith(prefix)) n++;
  return n;
}

/** A dimension in a few words: "32 – 256 (log)", "relu | tanh". */
export function describeDimension(dim: DimensionLike): string {
  if (dim.kind === "choice")
    return (dim.choices ?? []).map((c) => (c === null ? "None" : String(c))).join(" | ");
  const range = `${dim.low ?? "?"} – ${dim.high ?? "?"}`;
  const extras = [
    dim.log ? "log" : "",
    dim.step !== undefined && dim.step !== null ? `step ${dim.step}` : "",
  ].filter(Boolean);
  return extras.length ? `${range} (${extras.join(", ")})` : range;
}

/** "space[2].high" -> {index: 2, field: "high"}; "space[0]" -> {index: 0, field: null}. */
export function spaceField(field: string | null | undefined): { index: number; field: string | null } | null {
  const m = /^space\[(\d+)\](?:\.(\w+))?/.exec(field ?? "");
  return m ? { index: Number(m[1]), field: m[2] ?? null } : null;
}
