// Editor chrome state that is not the graph: which popover is open, fit and focus requests.
import { create } from "zustand";

export type Popover = "templates" | "projects" | "help" | "errors" | null;

interface EditorUi {
  open: Popover;
  /** Bumped to ask the canvas to fit the graph in view; `fitAnimated` says whether to glide there. */
  fitRequest: number;
  fitAnimated: boolean;
  focusRequest: { id: string; n: number } | null;
  setOpen(open: Popover): void;
  toggle(open: Exclude<Popover, null>): void;
  requestFit(options?: { animate?: boolean }): void;
  focusNode(id: string): void;
}

export const useEditorUi = create<EditorUi>()((set, get) => ({
  open: null,
  fitRequest: 0,
  fitAnimated: true,
  focusRequest: null,
  setOpen: (open) => set({ open }),
  toggle: (open) => set({ open: get().open === open ? null : open }),
  requestFit: ({ animate = true } = {}) => set({ fitRequest: get().fitRequest + 1, fitAnimated: animate }),
  focusNode: (id) => set({ focusRequest: { id, n: (get().focusRequest?.n ?? 0) + 1 } }),
}));
