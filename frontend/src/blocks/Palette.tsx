import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from "react";
import { useGraph } from "../graph/store";
import { categoryColor } from "./categories";
import { MyBlocks } from "./MyBlocks";
import { DRAG_MIME, paletteGroups } from "./palette";
import "./Palette.css";

export const Palette = memo(function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const catalog = useGraph((s) => s.catalog);
  const [query, setQuery] = useState("");
  const groups = useMemo(() => (catalog ? paletteGroups(catalog, query) : []), [catalog, query]);

  function onDragStart(event: DragEvent, type: string) {
    event.dataTransfer.setData(DRAG_MIME, type);
    event.dataTransfer.setData("text/plain", type);
    event.dataTransfer.effectAllowed = "copy";
  }

  function onKeyDown(event: KeyboardEvent, type: string) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onAdd(type);
    }
  }

  return (
    <aside className="palette" aria-label="Blocks">
      <div className="palette-search">
        <input
          data-testid="palette-search"
          type="search"
          placeholder="Search blocks…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && groups.length === 1 && groups[0].layers.length === 1)
              onAdd(groups[0].layers[0].type);
            if (e.key === "Escape") setQuery("");
          }}
        />
      </div>
      <div className="palette-list">
        <MyBlocks query={query} />
        {!catalog && <div className="muted pad">Loading blocks…</div>}
        {catalog && groups.length === 0 && <div className="muted pad">No block matches “{query}”.</div>}
        {groups.map((group) => (
          <section key={group.name} className="palette-group" data-testid={`palette-group-${group.name}`}>
            <h3 style={{ ["--stripe" as string]: categoryColor(group.name) }}>{group.label}</h3>
            <ul>
              {group.layers.map((spec) => (
                <li
                  key={spec.type}
                  className="palette-item"
                  data-testid={`palette-${spec.type}`}
                  draggable
                  tabIndex={0}
                  role="button"
                  title={`${spec.doc}\nDrag onto the canvas, or double-click / Enter to add.`}
                  style={{ ["--stripe" as string]: categoryColor(spec.category) }}
                  onDragStart={(e) => onDragStart(e, spec.type)}
                  onDoubleClick={() => onAdd(spec.type)}
                  onKeyDown={(e) => onKeyDown(e, spec.type)}
                >
                  {spec.type}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
});
