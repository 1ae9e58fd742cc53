// The runs table: the chosen columns (click a header to sort, again to reverse), a tick box per row
// (compare, ensemble, delete several), the name, tags and note edited in place, and per-row actions.
import { Fragment } from "react";
import type { RunSummary } from "../../api/runs";
import { StatusBadge } from "../../pages/RunPage";
import { NameCell, NoteEditor, TagsCell } from "./cells";
import { display, type ColumnDef, type SortState, type TableContext } from "./columns";
import type { RunPatch } from "./api";

export interface RunsTableProps {
  runs: RunSummary[];
  columns: ColumnDef[];
  ctx: TableContext;
  sort: SortState | null;
  onSort(column: string): void;
  selected: number[];
  refused: number | null;
  onToggle(id: number, shift: boolean): void;
  onSave(id: number, body: RunPatch): Promise<void>;
  onPickTag(tag: string): void;
  onDelete(id: number): void;
  onOpenInEditor(id: number): void;
  opening: number | null;
  /** the runs whose note row is open (kept by the page: a filter that hides the table keeps them) */
  openNotes: ReadonlySet<number>;
  onToggleNote(id: number): void;
}

export function RunsTable(props: RunsTableProps) {
  const { runs, columns, ctx, sort, selected, refused } = props;
  const notes = props.openNotes;
  const toggleNote = props.onToggleNote;
  const width = columns.length + 2;

  return (
    <table className="runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th title="Tick to compare, ensemble or delete (shift-click: a range)">⇄</th>
          {columns.map((c) => {
            const on = sort?.column === c.id;
            return (
              <th
                key={c.id}
                className={c.numeric ? "numeric" : undefined}
                aria-sort={on ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
              >
                <button
                  className="sort-button"
                  title={`Sort by ${c.label}${on ? " (click again to reverse)" : ""}`}
                  onClick={() => props.onSort(c.id)}
                  data-testid={`runs-sort-${c.id}`}
                >
                  {c.label}
                  <span className="sort-mark">{on ? (sort.direction === "asc" ? " ▲" : " ▼") : ""}</span>
                </button>
              </th>
            );
          })}
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => {
          const save = (body: RunPatch) => props.onSave(r.id, body);
          const noteOpen = notes.has(r.id);
          return (
            <Fragment key={r.id}>
              <tr
                data-testid={`run-row-${r.id}`}
                className={
                  [selected.includes(r.id) && "selected", refused === r.id && "refused"]
                    .filter(Boolean)
                    .join(" ") || undefined
                }
              >
                <td>
                  <input
                    type="checkbox"
                    data-testid={`run-select-${r.id}`}
                    checked={selected.includes(r.id)}
                    onChange={(e) => props.onToggle(r.id, (e.nativeEvent as MouseEvent).shiftKey === true)}
                    aria-label={`select run ${r.id}`}
                  />
                </td>
                {columns.map((c) => (
                  <Cell
                    key={c.id}
                    column={c}
                    run={r}
                    ctx={ctx}
                    save={save}
                    noteOpen={noteOpen}
                    onToggleNote={() => toggleNote(r.id)}
                    onPickTag={props.onPickTag}
                  />
                ))}
                <td className="row-actions">
                  <button
                    className="small"
                    disabled={props.opening !== null}
                    title="Put this run's graph and training settings in the editor, as a new unsaved project"
                    onClick={() => props.onOpenInEditor(r.id)}
                    data-testid={`run-open-editor-${r.id}`}
                  >
                    {props.opening === r.id ? "Opening…" : "Open in editor"}
                  </button>
                  <button
                    className="small danger"
                    title="Delete the run and its files"
                    onClick={() => props.onDelete(r.id)}
                    data-testid={`run-delete-${r.id}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
              {noteOpen && (
                <tr className="note-row">
                  <td />
                  <td colSpan={width - 1}>
                    <NoteEditor run={r} save={save} onClose={() => toggleNote(r.id)} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

function Cell({
  column,
  run,
  ctx,
  save,
  noteOpen,
  onToggleNote,
  onPickTag,
}: {
  column: ColumnDef;
  run: RunSummary;
  ctx: TableContext;
  save(body: RunPatch): Promise<void>;
  noteOpen: boolean;
  onToggleNote(): void;
  onPickTag(tag: string): void;
}) {
  switch (column.id) {
    case "status":
      return (
        <td>
          <StatusBadge status={run.status} testId={`run-row-status-${run.id}`} />
        </td>
      );
    case "name":
      return (
        <td className="name-cell">
          <NameCell run={run} save={save} noteOpen={noteOpen} onToggleNote={onToggleNote} />
        </td>
      );
    case "tags":
      return (
        <td>
          <TagsCell run={run} save={save} onPick={onPickTag} />
        </td>
      );
    case "best":
      return <td data-testid={`run-best-${run.id}`}>{display(column, run, ctx)}</td>;
    default: {
      const value = column.value(run, ctx);
      return (
        <td
          className={
            [typeof value === "number" && "numeric", column.group !== "run" && "small"]
              .filter(Boolean)
              .join(" ") || undefined
          }
          data-column={column.id}
        >
          {display(column, run, ctx)}
        </td>
      );
    }
  }
}
