// Live validation: after each change to what the graph means (not where blocks
// sit, not what is selected) the document goes to /api/graphs/validate, debounced.
// Only the newest answer is kept: older requests are aborted and late answers dropped.
// A graph replaced as a whole (opened, loaded from a template, undo, redo), and the one brought
// back at start from the last visit, is sent at once: the debounce is there to let typing
// settle, and nothing is being typed.
import type { GraphDocument, ValidationResult } from "../api/types";
import { toDocument } from "./serialise";
import type { GraphState, GraphStore } from "./store";
import type { Frame } from "./types";

export type Validate = (doc: GraphDocument, signal: AbortSignal) => Promise<ValidationResult>;

export function meaningKey(
  state: Pick<GraphState, "nodes" | "edges" | "name"> & { frames?: Frame[] },
): string {
  // the whole graph, also while a group is open (opening or leaving one changes nothing it means)
  const doc = toDocument(
    { nodes: state.nodes, edges: state.edges, frames: state.frames, name: "" },
    { positions: false },
  );
  return JSON.stringify([doc.nodes, doc.edges]);
}

export function startLiveValidation(store: GraphStore, validate: Validate, delayMs = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let controller: AbortController | null = null;
  let seq = 0;
  let lastKey: string | null = null;
  let lastNodes: GraphState["nodes"] | null = null;
  let lastEdges: unknown = null;
  let lastRevision: number | null = null;

  async function run() {
    timer = null;
    const state = store.getState();
    controller?.abort();
    if (!state.nodes.length && !state.frames.length) {
      controller = null;
      state.setValidation(null);
      state.setValidating(false);
      return;
    }
    const mine = ++seq;
    controller = new AbortController();
    const doc = toDocument(state, { positions: false });
    state.setValidating(true);
    try {
      const result = await validate(doc, controller.signal);
      if (mine !== seq) return;
      store.getState().setValidation(result);
    } catch (error) {
      if (mine !== seq || (error as Error)?.name === "AbortError") return;
      store.getState().setValidation(store.getState().validation, (error as Error)?.message ?? String(error));
    } finally {
      if (mine === seq) store.getState().setValidating(false);
    }
  }

  function check(state: GraphState) {
    if (state.edges === lastEdges && sameMeaning(state.nodes, lastNodes)) return;
    lastNodes = state.nodes;
    lastEdges = state.edges;
    const replaced = state.revision !== lastRevision; // also the graph found at start (a reload)
    lastRevision = state.revision;
    const key = meaningKey(state);
    if (key === lastKey) return;
    lastKey = key;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, replaced ? 0 : delayMs);
  }

  check(store.getState());
  const unsubscribe = store.subscribe(check);
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}

/** Cheap check for drags and selection: same ids and the same data objects in the same order. */
function sameMeaning(nodes: GraphState["nodes"], before: GraphState["nodes"] | null): boolean {
  if (nodes === before) return true;
  if (!before || nodes.length !== before.length) return false;
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i].id !== before[i].id || nodes[i].data !== before[i].data) return false;
  }
  return true;
}
