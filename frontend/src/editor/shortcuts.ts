// Keyboard shortcuts of the editor (pure mapping; EditorPage wires it to window keydown).
export type ShortcutAction =
  | "undo"
  | "redo"
  | "copy"
  | "cut"
  | "paste"
  | "selectAll"
  | "delete"
  | "help"
  | "escape"
  | "save"
  | "layout"
  | "group"
  | "ungroup";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function shortcutFor(e: KeyLike): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (key === "z") return e.shiftKey ? "redo" : "undo";
    if (key === "y") return "redo";
    if (key === "c" && !e.shiftKey) return "copy";
    if (key === "x" && !e.shiftKey) return "cut";
    if (key === "v" && !e.shiftKey) return "paste";
    if (key === "a" && !e.shiftKey) return "selectAll";
    if (key === "s" && !e.shiftKey) return "save";
    if (key === "l" && e.shiftKey) return "layout";
    if (key === "g") return e.shiftKey ? "ungroup" : "group";
    return null;
  }
  if (e.altKey) return null;
  if (key === "Delete" || key === "Backspace") return "delete";
  if (key === "?") return "help";
  if (key === "Escape") return "escape";
  return null;
}

/** True when keys go to a text field, so shortcuts must leave them alone. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== "string") return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") {
    const type = ((el as HTMLInputElement).type || "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
  }
  return el.isContentEditable === true;
}

export const SHORTCUT_HELP: { keys: string; what: string }[] = [
  { keys: "Drag / double-click / Enter", what: "add a block from the palette" },
  { keys: "Drag handle → handle", what: "connect two blocks" },
  { keys: "Ctrl+Z", what: "undo" },
  { keys: "Ctrl+Shift+Z, Ctrl+Y", what: "redo" },
  { keys: "Ctrl+C / Ctrl+X / Ctrl+V", what: "copy / cut / paste blocks" },
  { keys: "Ctrl+A", what: "select all" },
  { keys: "Delete, Backspace", what: "delete the selection" },
  { keys: "Shift+drag", what: "select an area" },
  { keys: "Ctrl+click", what: "add to the selection" },
  { keys: "Ctrl+Shift+L", what: "lay the graph out" },
  { keys: "Ctrl+G / Ctrl+Shift+G", what: "group the selection / ungroup a group" },
  { keys: "Double-click a group", what: "open it in place (the breadcrumb goes back out)" },
  { keys: "Ctrl+S", what: "save the project" },
  { keys: "?", what: "show or hide this help" },
  { keys: "Esc", what: "close menus, clear the selection" },
];
