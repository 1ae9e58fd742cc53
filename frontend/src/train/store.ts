// The Train panel's state: open or not, the chosen dataset, the settings set (all kept in
// localStorage), the settings' declaration once fetched, the server's answer to the latest run check, and its last refusal of a run. A refusal's per-node errors are also shown
// on the blocks: they join the editor's validation errors, tagged, until the graph changes (the next
// live validation replaces them) or another dataset is chosen.
import { create } from "zustand";
import { runsApi, type Binding, type DatasetInfo, type RunRefusal } from "../api/runs";
import type { Problem } from "../api/types";
import { useEditorUi } from "../editor/ui";
import { graphStore } from "../graph/store";
import { meaningKey } from "../graph/validation";
import { restoreValues, type SettingsErrors } from "./settings";
import type { SettingValues, SettingsDeclaration } from "./settingsSchema";

const STORAGE_KEY = "keras-canvas-train";

export interface RunProblem extends Problem {
  field?: string;
  /** set on errors that came from POST /api/runs, not from live validation */
  source?: "run";
}

/** The server's answer to POST /api/runs/check for the request `key` (the JSON of its body). */
export interface RunCheckState {
  key: string;
  /** pending: asked (or about to be); bindings and refusal are the previous answer's meanwhile */
  status: "pending" | "ok" | "failed";
  bindings: Binding[];
  refusal: RunRefusal | null;
  /** what trains but is likely a slip (more units than classes): shown, Train stays enabled */
  warnings?: { node: string; field: string; message: string }[];
}

interface TrainState {
  open: boolean;
  /** a built-in's name or an upload's id, as a string (select values) */
  dataset: string | null;
  /** the settings set, by dotted name (the others take the declaration's defaults) */
  values: SettingValues;
  /** the settings whose typed text does not parse: name -> why */
  drafts: SettingsErrors;
  /** bumped by "Defaults": the fields start again from the values */
  formKey: number;
  /** GET /api/training/settings, once fetched (panel/useSettings.ts) */
  declaration: SettingsDeclaration | null;
  declarationError: string | null;
  refusal: RunRefusal | null;
  check: RunCheckState | null;
  datasets: DatasetInfo[] | null;
  datasetsError: string | null;
  loadDatasets(): Promise<void>;
  setOpen(open: boolean): void;
  toggle(): void;
  setDataset(ref: string | null): void;
  setValue(name: string, value: unknown): void;
  setDraft(name: string, error: string | null): void;
  resetForm(): void;
  setDeclaration(declaration: SettingsDeclaration | null, error?: string | null): void;
  setRefusal(refusal: RunRefusal | null): void;
  setCheck(check: RunCheckState | null): void;
}

function readStored(): { open?: boolean; dataset?: string | null; settings?: unknown } {
  try {
    const text = typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

function writeStored(state: Pick<TrainState, "open" | "dataset" | "values">) {
  try {
    localStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ open: state.open, dataset: state.dataset, settings: state.values }),
    );
  } catch {
    // private mode or full: the panel still works
  }
}

const stored = readStored();

export const useTrain = create<TrainState>()((set, get) => ({
  open: stored.open === true,
  dataset: typeof stored.dataset === "string" ? stored.dataset : null,
  values: restoreValues(stored.settings),
  drafts: {},
  formKey: 0,
  declaration: null,
  declarationError: null,
  refusal: null,
  check: null,
  datasets: null,
  datasetsError: null,
  async loadDatasets() {
    try {
      set({ datasets: await runsApi.datasets(), datasetsError: null });
    } catch (e) {
      set({ datasetsError: (e as Error).message });
    }
  },
  setOpen(open) {
    if (open === get().open) return;
    set({ open });
    writeStored(get());
    // The canvas changed width: fit the graph in it again once the layout has settled.
    setTimeout(() => useEditorUi.getState().requestFit(), 80);
  },
  toggle() {
    get().setOpen(!get().open);
  },
  setDataset(dataset) {
    if (dataset === get().dataset) return;
    set({ dataset, refusal: null });
    clearRunErrors();
    writeStored(get());
  },
  setValue(name, value) {
    const values = { ...get().values };
    if (value === undefined) delete values[name];
    else values[name] = value;
    set({ values });
    writeStored(get());
  },
  setDraft(name, error) {
    const drafts = get().drafts;
    if ((drafts[name] ?? null) === error) return;
    const next = { ...drafts };
    if (error === null) delete next[name];
    else next[name] = error;
    set({ drafts: next });
  },
  resetForm() {
    set({ values: {}, drafts: {}, formKey: get().formKey + 1 });
    writeStored(get());
  },
  setDeclaration(declaration, error = null) {
    set({ declaration, declarationError: error });
  },
  setCheck(check) {
    set({ check });
  },
  setRefusal(refusal) {
    set({ refusal });
    if (refusal?.errors?.some((e) => e.node)) showRunErrors(refusal.errors);
    else clearRunErrors();
  },
}));

export function isRunProblem(problem: Problem): boolean {
  return (problem as RunProblem).source === "run";
}

/** The server's per-node errors on the blocks (beside the live validation's own). */
export function showRunErrors(errors: RunProblem[]) {
  const state = graphStore.getState();
  const validation = state.validation;
  if (!validation) return;
  const own = validation.errors.filter((e) => !isRunProblem(e));
  const tagged = errors
    .filter((e) => e.node)
    // The graph's own errors come back from the server too: do not show them twice.
    .filter((e) => !own.some((o) => o.node === e.node && o.message === e.message))
    .map((e) => ({ ...e, source: "run" as const }));
  state.setValidation({ ...validation, errors: [...own, ...tagged] }, state.validationFailure);
}

export function clearRunErrors() {
  const state = graphStore.getState();
  const validation = state.validation;
  if (!validation || !validation.errors.some(isRunProblem)) return;
  state.setValidation(
    { ...validation, errors: validation.errors.filter((e) => !isRunProblem(e)) },
    state.validationFailure,
  );
}

// A refusal is about the graph as it was sent: an edit that changes what the graph means retires it
// (moving or selecting blocks does not).
let refusedKey: string | null = null;
useTrain.subscribe((state, prev) => {
  if (state.refusal && state.refusal !== prev.refusal) refusedKey = meaningKey(graphStore.getState());
});
graphStore.subscribe((state, prev) => {
  if (!useTrain.getState().refusal || (state.nodes === prev.nodes && state.edges === prev.edges)) return;
  if (meaningKey(state) !== refusedKey) useTrain.setState({ refusal: null });
});
