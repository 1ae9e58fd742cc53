// Work in progress survives a reload or a closed tab: the current graph and the
// project it belongs to are written to localStorage shortly after every change.
import type { GraphDocument } from "../api/types";
import { toDocument } from "./serialise";
import type { GraphState, GraphStore } from "./store";

export const WORK_KEY = "keras-canvas:work";

export interface SavedWork {
  graph: GraphDocument;
  projectId: number | null;
}

export function readWork(storage: Pick<Storage, "getItem">): SavedWork | null {
  try {
    const text = storage.getItem(WORK_KEY);
    if (!text) return null;
    const work = JSON.parse(text) as SavedWork;
    if (!work || typeof work !== "object" || !work.graph) return null;
    return { graph: work.graph, projectId: typeof work.projectId === "number" ? work.projectId : null };
  } catch {
    return null;
  }
}

export function writeWork(storage: Pick<Storage, "setItem">, state: GraphState): void {
  const work: SavedWork = { graph: toDocument(state), projectId: state.projectId };
  try {
    storage.setItem(WORK_KEY, JSON.stringify(work));
  } catch {
    // storage full or disabled: nothing more to do
  }
}

export function startPersistence(store: GraphStore, storage: Storage, delayMs = 300): () => void {
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
      state.projectId === last.projectId
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
