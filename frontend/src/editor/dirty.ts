// Unsaved changes: the graph differs from the project as last saved or opened (kept in localStorage,
// as the work itself is, so a reload keeps the mark). An empty canvas never counts: nothing to lose.
import { create } from "zustand";
import { toDocument } from "../graph/serialise";
import type { GraphSnapshot } from "../graph/types";

const STORAGE_KEY = "keras-canvas-saved";

/** The form compared: the graph document (names, blocks, parameters, wires, positions). */
export function documentKey(graph: GraphSnapshot): string {
  return JSON.stringify(toDocument(graph));
}

export function isDirty(graph: GraphSnapshot, savedKey: string | null): boolean {
  if (graph.nodes.length === 0) return false;
  return documentKey(graph) !== savedKey;
}

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

interface SavedState {
  savedKey: string | null;
  markSaved(graph: GraphSnapshot | null): void;
}

export const useSaved = create<SavedState>()((set) => ({
  savedKey: readSaved(),
  markSaved(graph) {
    const savedKey = graph ? documentKey(graph) : null;
    set({ savedKey });
    try {
      if (savedKey === null) localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, savedKey);
    } catch {
      // storage off: the mark only does not survive a reload
    }
  },
}));
