// The canvas's context menu (right-click on a block or the selection): group, ungroup, open,
// save to My blocks, delete.
import { useEffect, useRef } from "react";
import { useSession } from "../auth/session";
import { graphStore, useGraph } from "../graph/store";
import { groupSelection, openGroup, saveToMyBlocks, ungroupSelection } from "./commands";

export interface MenuAt {
  /** where, in pixels from the canvas's top-left corner */
  x: number;
  y: number;
  /** the block right-clicked (null: the selection's box) */
  nodeId: string | null;
}

export function CanvasMenu({ at, onClose }: { at: MenuAt; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const signedIn = useSession((s) => s.username !== null);
  const selected = useGraph((s) => s.nodes.filter((n) => n.selected).length);
  const node = useGraph((s) => (at.nodeId ? s.nodes.find((n) => n.id === at.nodeId) : undefined));
  const isGroup = node?.data.type === "Group";

  useEffect(() => {
    function onDown(event: PointerEvent) {
      if (!ref.current?.contains(event.target as Node)) onClose();
    }
    function onKey(event: KeyboardEvent) {
      if (event.key === "Escape") onClose();
    }
    window.addEventListener("pointerdown", onDown, true);
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("pointerdown", onDown, true);
      window.removeEventListener("keydown", onKey);
    };
  }, [onClose]);

  const act = (fn: () => void) => () => {
    onClose();
    fn();
  };

  return (
    <div
      ref={ref}
      className="canvas-menu popover"
      role="menu"
      data-testid="canvas-menu"
      style={{ left: at.x, top: at.y }}
      onContextMenu={(e) => e.preventDefault()}
    >
      <button
        type="button"
        role="menuitem"
        data-testid="menu-group"
        disabled={!selected}
        onClick={act(groupSelection)}
      >
        Group {selected > 1 ? `${selected} blocks` : "block"}
        <kbd>Ctrl+G</kbd>
      </button>
      {isGroup && (
        <>
          <button
            type="button"
            role="menuitem"
            data-testid="menu-open-group"
            onClick={act(() => openGroup(node.id))}
          >
            Open group
            <kbd>double-click</kbd>
          </button>
          <button
            type="button"
            role="menuitem"
            data-testid="menu-ungroup"
            onClick={act(() => ungroupSelection(node.id))}
          >
            Ungroup
            <kbd>Ctrl+Shift+G</kbd>
          </button>
          {signedIn && (
            <button
              type="button"
              role="menuitem"
              data-testid="menu-save-block"
              onClick={act(() => void saveToMyBlocks(node.id))}
            >
              Save to My blocks
            </button>
          )}
        </>
      )}
      <button
        type="button"
        role="menuitem"
        data-testid="menu-delete"
        disabled={!selected}
        onClick={act(() => graphStore.getState().deleteSelected())}
      >
        Delete
        <kbd>Del</kbd>
      </button>
    </div>
  );
}
