// The "Columns" menu: tick the columns to show (the run's own, its settings, its metrics); kept in localStorage.
import { useEffect, useRef, useState } from "react";
import { DEFAULT_COLUMNS, type ColumnDef, type ColumnGroup } from "./columns";

const GROUPS: [ColumnGroup, string][] = [
  ["run", "Run"],
  ["settings", "Training settings"],
  ["metrics", "Metrics (best, last epoch, test)"],
];

/** Always shown: the run's link (and its rename, note and sweep marks). */
export const FIXED_COLUMNS = new Set(["name"]);

export function ColumnPicker({
  columns,
  chosen,
  onToggle,
  onReset,
}: {
  columns: ColumnDef[];
  chosen: string[];
  onToggle(id: string): void;
  onReset(): void;
}) {
  const [open, setOpen] = useState(false);
  const [find, setFind] = useState("");
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => box.current && !box.current.contains(e.target as Node) && setOpen(false);
    const key = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", key);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", key);
    };
  }, [open]);
  const needle = find.trim().toLowerCase();
  const shown = columns.filter(
    (c) => !FIXED_COLUMNS.has(c.id) && (!needle || `${c.label} ${c.id}`.toLowerCase().includes(needle)),
  );
  const same = chosen.length === DEFAULT_COLUMNS.length && DEFAULT_COLUMNS.every((c) => chosen.includes(c));
  return (
    <div className="column-picker" ref={box}>
      <button aria-expanded={open} onClick={() => setOpen(!open)} data-testid="runs-columns">
        Columns ▾
      </button>
      {open && (
        <div className="column-menu" data-testid="runs-columns-menu">
          <div className="column-menu-head">
            <input
              placeholder="Find a column…"
              value={find}
              autoFocus
              onChange={(e) => setFind(e.target.value)}
              data-testid="runs-columns-find"
              aria-label="Find a column"
            />
            <button className="link small" disabled={same} onClick={onReset} data-testid="runs-columns-reset">
              Defaults
            </button>
          </div>
          {GROUPS.map(([group, title]) => {
            const inGroup = shown.filter((c) => c.group === group);
            if (!inGroup.length) return null;
            return (
              <fieldset key={group}>
                <legend>{title}</legend>
                {inGroup.map((c) => (
                  <label key={c.id} className="column-option">
                    <input
                      type="checkbox"
                      checked={chosen.includes(c.id)}
                      onChange={() => onToggle(c.id)}
                      data-testid={`runs-column-${c.id}`}
                    />{" "}
                    {c.label}
                  </label>
                ))}
              </fieldset>
            );
          })}
          {!shown.length && <p className="muted small">No column matches.</p>}
        </div>
      )}
    </div>
  );
}
