// Editor chrome state that is not the graph: which popover is open, fit and focus requests.
import { create } from 'zustand';

export type Popover = 'templates' | 'projects' | 'help' | 'errors' | null;

interface EditorUi {
  open: Popover;
  fitRequest: number;
  focusRequest: { id: string; n: number } | null;
  setOpen(open: Popover): void;
  toggle(open: Exclude<Popover, null>): void;
  requestFit(): void;
  focusNode(id: string): void;
}

export const useEditorUi = create<EditorUi>()((set, get) => ({
  open: null,
  fitRequest: 0,
  focusRequest: null,
  setOpen: (open) => set({ open }),
  toggle: (open) => set({ open: get().open === open ? null : open }),
  requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
  focusNode: (id) => set({ focusRequest: { id, n: (get().focusRequest?.n ?? 0) + 1 } }),
}));
