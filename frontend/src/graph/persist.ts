// Work in progress survives a reload or a closed tab: the current graph and the
// project it belongs to are written to localStorage shortly after every change, and beside them
// (never inside the graph document) the sweep's search space.
import type { GraphDocument } from "../api/types";
import type { Dimension, SpaceMap } from "../sweeps/space";
import { toDocument } from "./serialise";
import type { GraphState, GraphStore } from "./store";

export const WORK_KEY = "keras-canvas:work";

export interface SavedWork {
  graph: GraphDocument;
  projectId: number | null;
  /** The tuned dimensions by target (absent in work saved before sweeps). */
  space?: SpaceMap;
}

const KINDS = new Set(["int", "float", "choice"]);

/** The stored space, keeping only entries that look like dimensions. */
function readSpace(raw: unknown): SpaceMap | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const out: SpaceMap = {};
  for (const [target, dim] of Object.entries(raw as Record<string, Dimension>)) {
    if (dim && typeof dim === "object" && KINDS.has(dim.kind)) out[target] = { ...dim, target };
  }
  return out;
}

export function readWork(storage: Pick<Storage, "getItem">): SavedWork | null {
  try {
    const text = storage.getItem(WORK_KEY);
    if (!text) return null;
    const work = JSON.parse(text) as SavedWork;
    if (!work || typeof work !== "object" || !work.graph) return null;
    const space = readSpace(work.space);
    return {
      graph: work.graph,
      projectId: typeof work.projectId === "number" ? work.projectId : null,
      ...(space ? { space } : {}),
    };
  } catch {
    return null;
  }
}

export function writeWork(storage: Pick<Storage, "setItem">, state: GraphState): void {
  const work: SavedWork = { graph: toDocument(state), projectId: state.projectId, space: state.space };
  try {
    storage.setItem(WORK_KEY, JSON.stringify(work));
  } catch {
    // storage full or disabled: nothing more to do
  }
}

/**
 * Keeps the work saved. The graph is loaded by the caller first (main.tsx); the space saved with it
 * comes back here, for the blocks that are there.
 */
export function startPersistence(store: GraphStore, storage: Storage, delayMs = 300): () => void {
  const saved = readWork(storage);
  if (saved?.space && !Object.keys(store.getState().space).length) store.getState().restoreSpace(saved.space);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: GraphState | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    writeWork(storage, store.getState());
  };
  const unsubscribe = store.subscribe((state) => {
    if (
      last &&
      state.nodes === last.nodes &&
      state.edges === last.edges &&
      state.name === last.name &&
      state.projectId === last.projectId &&
      state.space === last.space
    ) {
      return;
    }
    last = state;
    if (!timer) timer = setTimeout(flush, delayMs);
  });
  window.addEventListener("beforeunload", flush);
  window.addEventListener("pagehide", flush);
  return () => {
    unsubscribe();
    window.removeEventListener("beforeunload", flush);
    window.removeEventListener("pagehide", flush);
    if (timer) flush();
  };
}
