// /runs: a person's runs as a workspace (filter, sort, choose columns, rename, tag, note, delete, open in
// the editor), several selected to overlay their curves, ensemble or delete them.
import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "../api/client";
import { FINISHED, type RunStatus, type RunSummary } from "../api/runs";
import type { ProjectSummary } from "../api/types";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { EnsembleBuilder } from "../ensembles/EnsembleBuilder";
import { EnsemblesList } from "../ensembles/EnsemblesList";
import { clickRow, EMPTY_SELECTION, keepShown, type Selection } from "../ensembles/selection";
import { ComparePanel } from "../runs/compare/ComparePanel";
import "../runs/runs.css";
import { workspaceApi, type RunPatch } from "../runs/table/api";
import { ColumnPicker, FIXED_COLUMNS } from "../runs/table/ColumnPicker";
import {
  allTags,
  DEFAULT_COLUMNS,
  discoverColumns,
  filterRuns,
  type Filters,
  nextSort,
  NO_FILTERS,
  readPrefs,
  shownColumns,
  sortRuns,
  type TableContext,
  type TablePrefs,
  toggleColumn,
  writePrefs,
} from "../runs/table/columns";
import { ConfirmDialog } from "../runs/table/ConfirmDialog";
import { openRunInEditor } from "../runs/table/open";
import { RunsTable } from "../runs/table/RunsTable";
import "../sweeps/sweep.css";
import { notify } from "../ui/toast";
import { linkTo } from "./RunPage";

function projectFromUrl(): number | null {
  const value = new URLSearchParams(window.location.search).get("project");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

export function RunsPage() {
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  useEffect(() => {
    document.title = "Runs · Keras Canvas";
  }, []);
  return (
    <div className="run-page">
      <header className="toolbar run-toolbar">
        <a className="brand" href="/" onClick={linkTo("/")}>
          <span className="logo">K</span>
          <span className="brand-name">Keras Canvas</span>
        </a>
        <nav className="crumbs">
          <a href="/" onClick={linkTo("/")}>
            Editor
          </a>
          <span className="muted">/</span>
          <strong>Runs</strong>
        </nav>
        <span className="spacer" />
        <a className="header-link" href="/sweeps" onClick={linkTo("/sweeps")} data-testid="runs-sweeps-link">
          Sweeps
        </a>
        {username && <span className="user-chip">{username}</span>}
      </header>
      <main className="run-main">
        {!checked ? null : username ? (
          <RunsList />
        ) : (
          <div className="panel-card narrow">
            <h2>Log in to see your runs</h2>
            <AuthForm />
          </div>
        )}
      </main>
    </div>
  );
}

function RunsList() {
  const [project, setProject] = useState<number | null>(projectFromUrl);
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const selected = selection.ids;
  // The run a refused ensemble names, marked in the table.
  const [refused, setRefused] = useState<number | null>(null);
  // The filters (the table filters at once; the server is asked with them, a moment after typing).
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [query, setQuery] = useState<Filters>(NO_FILTERS);
  const [knownTags, setKnownTags] = useState<string[]>([]);
  const [prefs, setPrefs] = useState<TablePrefs>(() => readPrefs(window.localStorage));
  const [deleting, setDeleting] = useState<number[] | null>(null);
  const [busyDeleting, setBusyDeleting] = useState(false);
  const [opening, setOpening] = useState<number | null>(null);
  const [openNotes, setOpenNotes] = useState<ReadonlySet<number>>(new Set());
  const toggleNote = useCallback(
    (id: number) =>
      setOpenNotes((open) => {
        const next = new Set(open);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );

  useEffect(() => {
    const timer = setTimeout(() => setQuery(filters), filters.text === query.text ? 0 : 250);
    return () => clearTimeout(timer);
  }, [filters, query.text]);

  const load = useCallback(() => {
    workspaceApi
      .list({ project, status: query.status, tag: query.tag, q: query.text })
      .then((list) => {
        setRuns(list);
        setKnownTags((known) =>
          [...new Set([...known, ...allTags(list)])].sort((a, b) => a.localeCompare(b)),
        );
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [project, query]);

  useEffect(load, [load]);
  useEffect(() => {
    api
      .projects()
      .then(setProjects)
      .catch(() => setProjects([]));
  }, []);

  // Refresh while something is still going on.
  const busy = runs?.some((r) => !FINISHED.has(r.status)) ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [busy, load]);

  const ctx: TableContext = useMemo(
    () => ({
      projectName: (id: number | null) =>
        id === null ? "" : (projects.find((p) => p.id === id)?.name ?? `#${id}`),
    }),
    [projects],
  );
  const allColumns = useMemo(() => discoverColumns(runs ?? []), [runs]);
  const columns = useMemo(
    () => shownColumns(allColumns, [...FIXED_COLUMNS, ...prefs.columns]),
    [allColumns, prefs.columns],
  );
  const shown = useMemo(
    () => sortRuns(filterRuns(runs ?? [], filters, ctx), prefs.sort, allColumns, ctx),
    [runs, filters, ctx, prefs.sort, allColumns],
  );
  const order = shown.map((r) => r.id).join(",");
  // The selection keeps only the rows shown (a filter changed, a run was deleted).
  useEffect(() => {
    const ids = order ? order.split(",").map(Number) : [];
    setSelection((s) => keepShown(s, ids));
  }, [order]);

  function changePrefs(next: Partial<TablePrefs>) {
    setPrefs((p) => {
      const merged = { ...p, ...next };
      writePrefs(window.localStorage, merged);
      return merged;
    });
  }

  function chooseProject(value: string) {
    const next = value ? Number(value) : null;
    setProject(next);
    setSelection(EMPTY_SELECTION);
    setRefused(null);
    const url = next === null ? "/runs" : `/runs?project=${next}`;
    window.history.replaceState(null, "", url);
  }

  // Shift-click ticks (or unticks) every row from the last one clicked, in the order shown.
  function toggle(id: number, shift: boolean) {
    setSelection((s) =>
      clickRow(
        s,
        id,
        shown.map((r) => r.id),
        shift,
      ),
    );
  }

  async function save(id: number, body: RunPatch) {
    try {
      const run = await workspaceApi.patch(id, body);
      setRuns((list) =>
        (list ?? []).map((r) => (r.id === id ? { ...r, name: run.name, tags: run.tags, note: run.note } : r)),
      );
      if (body.tags)
        setKnownTags((known) =>
          [...new Set([...known, ...(run.tags ?? [])])].sort((a, b) => a.localeCompare(b)),
        );
    } catch (e) {
      notify(`Could not save run #${id}: ${(e as Error).message}`, "error");
      throw e;
    }
  }

  async function confirmDelete() {
    if (!deleting) return;
    setBusyDeleting(true);
    try {
      const answer = await workspaceApi.deleteMany(deleting);
      const gone = new Set([...answer.deleted, ...answer.not_found]);
      setRuns((list) => (list ?? []).filter((r) => !gone.has(r.id)));
      setSelection((s) => ({ ids: s.ids.filter((x) => !gone.has(x)), anchor: null }));
      const n = answer.deleted.length;
      notify(
        answer.not_found.length
          ? `Deleted ${n} run${n === 1 ? "" : "s"}; ${answer.not_found.join(", ")} no longer existed.`
          : `Deleted ${n} run${n === 1 ? "" : "s"}.`,
      );
      setDeleting(null);
    } catch (e) {
      notify(`Could not delete: ${(e as Error).message}`, "error");
    } finally {
      setBusyDeleting(false);
    }
  }

  async function openInEditor(id: number) {
    setOpening(id);
    try {
      await openRunInEditor(id);
    } catch (e) {
      notify(`Could not open run #${id} in the editor: ${(e as Error).message}`, "error");
      setOpening(null);
    }
  }

  const toDelete = (deleting ?? [])
    .map((id) => runs?.find((r) => r.id === id))
    .filter((r) => r !== undefined);
  const stillGoing = toDelete.filter((r) => !FINISHED.has(r.status)).length;
  const filtered = filters.text.trim() !== "" || filters.status !== "" || filters.tag !== "";

  return (
    <>
      <section className="panel-card">
        <header className="chart-head">
          <h2>Runs</h2>
          <label className="small">
            Project{" "}
            <select
              data-testid="runs-project"
              value={project ?? ""}
              onChange={(e) => chooseProject(e.target.value)}
            >
              <option value="">all projects</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button onClick={load} data-testid="runs-refresh">
            Refresh
          </button>
        </header>
        <div className="runs-filters">
          <input
            type="search"
            className="runs-filter-text"
            placeholder="Filter by name, project or dataset…"
            value={filters.text}
            onChange={(e) => setFilters({ ...filters, text: e.target.value })}
            data-testid="runs-filter"
            aria-label="Filter runs"
          />
          <select
            value={filters.status}
            onChange={(e) => setFilters({ ...filters, status: e.target.value as Filters["status"] })}
            data-testid="runs-filter-status"
            aria-label="Status"
          >
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <select
            value={filters.tag}
            onChange={(e) => setFilters({ ...filters, tag: e.target.value })}
            data-testid="runs-filter-tag"
            aria-label="Tag"
          >
            <option value="">any tag</option>
            {[...new Set([...knownTags, ...(filters.tag ? [filters.tag] : [])])].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          {filtered && (
            <button
              className="link small"
              onClick={() => setFilters(NO_FILTERS)}
              data-testid="runs-filter-clear"
            >
              Clear filters
            </button>
          )}
          <span className="spacer" />
          {selected.length > 0 && (
            <button
              className="danger"
              onClick={() => setDeleting([...selected])}
              data-testid="runs-delete-selected"
            >
              Delete selected ({selected.length})
            </button>
          )}
          <ColumnPicker
            columns={allColumns}
            chosen={prefs.columns}
            onToggle={(id) => changePrefs({ columns: toggleColumn(prefs.columns, id) })}
            onReset={() => changePrefs({ columns: DEFAULT_COLUMNS })}
          />
        </div>
        {error && <p className="form-error">{error}</p>}
        {runs === null && !error && <p className="muted">Loading…</p>}
        {runs && runs.length === 0 && !filtered && (
          <p className="muted" data-testid="runs-empty">
            No runs yet. Open the Train panel in the{" "}
            <a href="/" onClick={linkTo("/")}>
              editor
            </a>{" "}
            to start one.
          </p>
        )}
        {runs && shown.length === 0 && filtered && (
          <p className="muted" data-testid="runs-none-match">
            No run matches the filters.
          </p>
        )}
        {shown.length > 0 && (
          <div className="table-scroll">
            <RunsTable
              runs={shown}
              columns={columns}
              ctx={ctx}
              sort={prefs.sort}
              onSort={(column) => changePrefs({ sort: nextSort(prefs.sort, column) })}
              selected={selected}
              refused={refused}
              onToggle={toggle}
              onSave={save}
              onPickTag={(tag) => setFilters({ ...filters, tag })}
              onDelete={(id) => setDeleting([id])}
              onOpenInEditor={(id) => void openInEditor(id)}
              opening={opening}
              openNotes={openNotes}
              onToggleNote={toggleNote}
            />
          </div>
        )}
        {runs && selected.length > 0 && (
          <EnsembleBuilder
            ids={selected}
            runs={runs}
            onRefused={setRefused}
            onClear={() => (setSelection(EMPTY_SELECTION), setRefused(null))}
          />
        )}
      </section>
      {deleting && (
        <ConfirmDialog
          title={deleting.length === 1 ? `Delete run #${deleting[0]}?` : `Delete ${deleting.length} runs?`}
          confirmLabel={deleting.length === 1 ? "Delete run" : `Delete ${deleting.length} runs`}
          busy={busyDeleting}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(null)}
        >
          <p className="small">{toDelete.map((r) => `${r.name || "run"} #${r.id}`).join(", ")}</p>
          <p className="small">
            Their trained models, logs and exported files are deleted too. This cannot be undone.
            {stillGoing > 0 &&
              ` ${stillGoing} of them ${stillGoing === 1 ? "is" : "are"} still queued or running: stopped first.`}
          </p>
        </ConfirmDialog>
      )}
      {selected.length > 0 && <ComparePanel ids={selected} />}
      {selected.length === 0 && runs && runs.length > 1 && (
        <p className="muted pad">
          Tick several runs to overlay their curves, ensemble them or delete them (shift-click ticks a range).
        </p>
      )}
      <EnsemblesList />
    </>
  );
}

const STATUSES: RunStatus[] = ["queued", "running", "succeeded", "failed", "cancelled", "pruned"];
