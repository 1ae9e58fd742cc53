// The Train panel's Sweep mode: which mode is shown and the sweep's own settings (sampler, trials,
// parallel, objectives, pruner, seed), kept in localStorage; and the server's refusal of the last
// sweep started, with the dimension (target) or the form field it names. The space itself lives in
// the graph store (graph/store.ts), beside the graph and in its undo history.
import { create } from "zustand";
import { spaceField } from "./space";

const STORAGE_KEY = "keras-canvas-sweep";

export const SAMPLERS = ["tpe", "random", "grid", "nsga2", "cmaes"] as const;
export type Sampler = (typeof SAMPLERS)[number];
export const PRUNERS = ["median", "hyperband", "none"] as const;
export type Pruner = (typeof PRUNERS)[number];
/** What a trial reports, for an objective; the metrics the run reports come first. */
export const OBJECTIVE_METRICS = [
  "val_accuracy",
  "val_loss",
  "accuracy",
  "loss",
  "params",
  "macs",
  "seconds",
];

export const SAMPLER_LABELS: Record<Sampler, string> = {
  tpe: "TPE (Bayesian)",
  random: "Random",
  grid: "Grid",
  nsga2: "NSGA-II (genetic)",
  cmaes: "CMA-ES (floats only)",
};

export interface Objective {
  metric: string;
  direction: "maximize" | "minimize";
  at: "best" | "last";
}

export interface SweepRefusal {
  detail: string;
  /** the server's field: "space[1].high", "trials", "objectives[0].metric", "training.epochs" */
  field: string | null;
  /** the dimension's target when `field` names one of the space's entries */
  target: string | null;
  /** the field inside that dimension ("low", "high", "choices"), if named */
  dimensionField: string | null;
}

export interface SweepForm {
  sampler: Sampler;
  trials: number;
  parallel: number;
  objectives: Objective[];
  pruner: Pruner;
  /** null: let the sampler draw its own seed */
  seed: number | null;
}

interface SweepState extends SweepForm {
  mode: "train" | "sweep";
  refusal: SweepRefusal | null;
  setMode(mode: "train" | "sweep"): void;
  setForm(changes: Partial<SweepForm>): void;
  setObjective(index: number, changes: Partial<Objective>): void;
  addObjective(): void;
  removeObjective(index: number): void;
  setRefusal(refusal: SweepRefusal | null): void;
}

/** The metric an objective is read in the other direction of. */
export function directionFor(metric: string): Objective["direction"] {
  return /loss|error|params|macs|seconds/.test(metric) ? "minimize" : "maximize";
}

export const DEFAULT_FORM: SweepForm = {
  sampler: "tpe",
  trials: 10,
  parallel: 1,
  objectives: [{ metric: "val_accuracy", direction: "maximize", at: "best" }],
  pruner: "median",
  seed: null,
};

function readStored(): Partial<SweepState> {
  try {
    const raw = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "null") as Partial<SweepState> | null;
    if (!raw || typeof raw !== "object") return {};
    const out: Partial<SweepState> = {};
    if (raw.mode === "train" || raw.mode === "sweep") out.mode = raw.mode;
    if (SAMPLERS.includes(raw.sampler as Sampler)) out.sampler = raw.sampler;
    if (PRUNERS.includes(raw.pruner as Pruner)) out.pruner = raw.pruner;
    if (Number.isInteger(raw.trials)) out.trials = raw.trials;
    if (Number.isInteger(raw.parallel)) out.parallel = raw.parallel;
    if (raw.seed === null || Number.isInteger(raw.seed)) out.seed = raw.seed;
    if (Array.isArray(raw.objectives) && raw.objectives.length >= 1 && raw.objectives.length <= 2)
      out.objectives = raw.objectives.filter((o) => o && typeof o.metric === "string");
    return out;
  } catch {
    return {};
  }
}

function writeStored(state: SweepState) {
  const { mode, sampler, trials, parallel, objectives, pruner, seed } = state;
  try {
    window.localStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ mode, sampler, trials, parallel, objectives, pruner, seed }),
    );
  } catch {
    // storage full or disabled
  }
}

export const useSweep = create<SweepState>()((set, get) => ({
  ...DEFAULT_FORM,
  mode: "train",
  refusal: null,
  ...(typeof window !== "undefined" ? readStored() : {}),
  setMode(mode) {
    set({ mode });
    writeStored(get());
  },
  setForm(changes) {
    set({ ...changes, refusal: null });
    writeStored(get());
  },
  setObjective(index, changes) {
    const objectives = get().objectives.map((o, i) => (i === index ? { ...o, ...changes } : o));
    get().setForm({ objectives });
  },
  addObjective() {
    const objectives = get().objectives;
    if (objectives.length >= 2) return;
    const used = new Set(objectives.map((o) => o.metric));
    const metric = ["params", "seconds", "val_loss"].find((m) => !used.has(m)) ?? "loss";
    get().setForm({ objectives: [...objectives, { metric, direction: directionFor(metric), at: "best" }] });
  },
  removeObjective(index) {
    const objectives = get().objectives;
    if (objectives.length <= 1) return;
    get().setForm({ objectives: objectives.filter((_, i) => i !== index) });
  },
  setRefusal(refusal) {
    set({ refusal });
  },
}));

/** The server's 400 as a refusal: `space[i]` named by the target that was sent at index i. */
export function sweepRefusal(detail: string, field: string | null | undefined, sent: string[]): SweepRefusal {
  const at = spaceField(field);
  return {
    detail,
    field: field ?? null,
    target: at ? (sent[at.index] ?? null) : null,
    dimensionField: at?.field ?? null,
  };
}
