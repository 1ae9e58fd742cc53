// Short messages in the corner: a refused connection, a failed export, a saved project.
import { create } from "zustand";

export type ToastKind = "info" | "error" | "success";
export interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}

interface ToastState {
  toasts: Toast[];
  push(message: string, kind?: ToastKind): void;
  dismiss(id: number): void;
}

let counter = 0;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(message, kind = "info") {
    const id = ++counter;
    set({ toasts: [...get().toasts.filter((t) => t.message !== message), { id, message, kind }].slice(-4) });
    setTimeout(() => get().dismiss(id), kind === "error" ? 6000 : 3000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export function notify(message: string, kind: ToastKind = "info") {
  useToasts.getState().push(message, kind);
}
