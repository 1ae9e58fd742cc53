// "My blocks": the groups a signed-in person saved (GET/POST/DELETE /api/blocks), and placing a copy.
import { create } from "zustand";
import { callJson } from "../api/runs";
import type { components } from "../api/schema.gen";
import { fromDocument, type DocNodeV2 } from "../graph/serialise";
import type { BlockNode } from "../graph/types";

export const MY_BLOCK_MIME = "application/x-keras-my-block";

/** An entry of My blocks (the server's LibraryBlock), its node a Group node of the document. */
export type SavedBlock = Omit<components["schemas"]["LibraryBlock"], "node"> & { node: DocNodeV2 };

export const blocksApi = {
  list: () => callJson<SavedBlock[]>("GET", "/api/blocks"),
  create: (name: string, node: DocNodeV2) => callJson<SavedBlock>("POST", "/api/blocks", { name, node }),
  remove: (id: number) => callJson<void>("DELETE", `/api/blocks/${id}`),
};

interface MyBlocksState {
  entries: SavedBlock[];
  loaded: boolean;
  failure: string | null;
  load(): Promise<void>;
  save(name: string, node: DocNodeV2): Promise<SavedBlock>;
  remove(id: number): Promise<void>;
  clear(): void;
}

export const useMyBlocks = create<MyBlocksState>()((set, get) => ({
  entries: [],
  loaded: false,
  failure: null,
  async load() {
    try {
      set({ entries: await blocksApi.list(), loaded: true, failure: null });
    } catch (error) {
      set({ loaded: true, failure: (error as Error)?.message ?? String(error) });
    }
  },
  async save(name, node) {
    const entry = await blocksApi.create(name, node);
    set({ entries: [...get().entries.filter((e) => e.id !== entry.id), entry] });
    return entry;
  },
  async remove(id) {
    await blocksApi.remove(id);
    set({ entries: get().entries.filter((e) => e.id !== id) });
  },
  clear() {
    set({ entries: [], loaded: false, failure: null });
  },
}));

/** The block a saved entry places (the store gives it a fresh id where its own is taken). */
export function blockOf(entry: SavedBlock): BlockNode {
  const { nodes } = fromDocument({ nodes: [{ ...entry.node, position: { x: 0, y: 0 } }], edges: [] });
  return nodes[0];
}

/** The id a saved block's copy starts from: its name made an id ("My encoder" -> "my_encoder"). */
export function idForName(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 56);
  return id || "group";
}
