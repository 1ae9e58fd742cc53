// The palette's "My blocks" section: the person's saved groups, placed by a drop or a click
// (a copy with a fresh id), deleted with their × button. Signed-out people see no section.
import { useReactFlow } from "@xyflow/react";
import { memo, useEffect, type DragEvent } from "react";
import { useSession } from "../auth/session";
import { DEFAULT_NODE_WIDTH } from "../graph/layout";
import { graphStore } from "../graph/store";
import { notify } from "../ui/toast";
import "./MyBlocks.css";
import { blockOf, idForName, MY_BLOCK_MIME, useMyBlocks, type SavedBlock } from "./savedBlocks";

/** Places a copy of a saved block at `at` (flow coordinates) and selects it. */
export function placeSaved(entry: SavedBlock, at: { x: number; y: number }): string {
  const node = { ...blockOf(entry), id: idForName(entry.name) };
  return graphStore.getState().placeBlock(node, at);
}

export const MyBlocks = memo(function MyBlocks({ query }: { query: string }) {
  const username = useSession((s) => s.username);
  const entries = useMyBlocks((s) => s.entries);
  const loaded = useMyBlocks((s) => s.loaded);
  const failure = useMyBlocks((s) => s.failure);
  const { screenToFlowPosition } = useReactFlow();

  useEffect(() => {
    if (username) useMyBlocks.getState().load();
    else useMyBlocks.getState().clear();
  }, [username]);

  if (!username) return null;
  const q = query.trim().toLowerCase();
  const shown = entries.filter((e) => !q || e.name.toLowerCase().includes(q));
  if (q && !shown.length) return null;

  function place(entry: SavedBlock) {
    const canvas = document.querySelector(".canvas");
    const rect = canvas?.getBoundingClientRect() ?? { left: 0, top: 0, width: 800, height: 600 };
    const centre = screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    placeSaved(entry, { x: centre.x - DEFAULT_NODE_WIDTH / 2, y: centre.y - 40 });
  }

  function onDragStart(event: DragEvent, entry: SavedBlock) {
    event.dataTransfer.setData(MY_BLOCK_MIME, String(entry.id));
    event.dataTransfer.effectAllowed = "copy";
  }

  async function remove(entry: SavedBlock) {
    try {
      await useMyBlocks.getState().remove(entry.id);
      notify(`Deleted “${entry.name}” from My blocks`, "success");
    } catch (error) {
      notify(`Could not delete “${entry.name}”: ${(error as Error).message}`, "error");
    }
  }

  return (
    <section className="palette-group palette-my-blocks" data-testid="palette-my-blocks">
      <h3 style={{ ["--stripe" as string]: "#475569" }}>My blocks</h3>
      {!loaded && <div className="muted pad">Loading…</div>}
      {loaded && failure && <div className="muted pad">My blocks are not available: {failure}</div>}
      {loaded && !failure && entries.length === 0 && (
        <div className="muted palette-hint">Right-click a group and “Save to My blocks” to keep it here.</div>
      )}
      <ul>
        {shown.map((entry) => (
          <li
            key={entry.id}
            className="palette-item palette-my-block"
            data-testid={`my-block-${entry.id}`}
            draggable
            tabIndex={0}
            aria-label={`${entry.name} (My blocks): click or Enter to add a copy`}
            title={`${entry.name}: drag onto the canvas, or click / Enter to add a copy.`}
            style={{ ["--stripe" as string]: "#475569" }}
            onDragStart={(e) => onDragStart(e, entry)}
            onClick={() => place(entry)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                place(entry);
              }
            }}
          >
            <span className="palette-my-block-name">▣ {entry.name}</span>
            <button
              type="button"
              className="palette-my-block-delete"
              data-testid={`my-block-delete-${entry.id}`}
              title={`Delete “${entry.name}” from My blocks`}
              aria-label={`Delete ${entry.name}`}
              onClick={(e) => {
                e.stopPropagation();
                remove(entry);
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
});
