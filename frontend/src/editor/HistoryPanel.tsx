// A project's history: its saved versions (number, time, block count), one of them opened read only on
// the canvas (a banner says so; nothing can be edited), back to the work in progress, or restored as the
// project's new current version. The work in progress is kept aside while a version is shown (in memory
// with its undo history, and in localStorage, so a reload mid-view brings it back).
import { useReactFlow } from "@xyflow/react";
import { useEffect, useState, type ReactNode, type SyntheticEvent } from "react";
import { create } from "zustand";
import { api, ApiError } from "../api/client";
import { callJson } from "../api/runs";
import type { GraphDocument, Project, Version, VersionSummary } from "../api/types";
import { toDocument } from "../graph/serialise";
import { graphStore, snapshotOf, type GraphState, type HistoryEntry } from "../graph/store";
import { navigate } from "../router";
import type { SpaceMap } from "../sweeps/space";
import { notify } from "../ui/toast";
import { loadDocument } from "./commands";
import { blocksText, editorUrl, viewingText } from "./history";
import { useEditorUi } from "./ui";
import "./history.css";

export const STASH_KEY = "keras-canvas:history-stash";

export interface Viewing {
  project: number;
  name: string;
  number: number;
  /** the project's current version number */
  current: number;
  created_at: string;
  nodes: number;
  note: string;
}

interface Stash extends HistoryEntry {
  past: GraphState["past"];
  future: GraphState["future"];
  projectId: number | null;
}

interface StoredStash {
  graph: GraphDocument;
  projectId: number | null;
  space?: SpaceMap;
}

interface HistoryView {
  viewing: Viewing | null;
  busy: boolean;
}

export const useHistoryView = create<HistoryView>()(() => ({ viewing: null, busy: false }));

let stash: Stash | null = null;

const versionsPath = (project: number) => `/api/projects/${project}/versions`;

function writeStash(kept: Stash) {
  const stored: StoredStash = { graph: toDocument(kept), projectId: kept.projectId, space: kept.space };
  try {
    localStorage.setItem(STASH_KEY, JSON.stringify(stored));
  } catch {
    // storage off: the work in progress is kept in memory only
  }
}

function clearStash() {
  try {
    localStorage.removeItem(STASH_KEY);
  } catch {
    // storage off
  }
}

function setAddress(path: string) {
  if (window.location.pathname === "/" && window.location.pathname + window.location.search !== path)
    navigate(path, { replace: true });
}

function problemOf(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return "log in to see the project's versions";
  if (error instanceof ApiError && error.status === 404) return "no such project or version";
  return (error as Error)?.message ?? String(error);
}

/** Shows version `number` of `project` read only; the work in progress waits aside. */
export async function viewVersion(project: number, number: number): Promise<boolean> {
  const current = useHistoryView.getState();
  if (current.busy) return false;
  if (current.viewing?.project === project && current.viewing.number === number) return true;
  useHistoryView.setState({ busy: true });
  try {
    const [info, version] = await Promise.all([
      api.project(project),
      callJson<Version>("GET", `${versionsPath(project)}/${number}`),
    ]);
    if (!stash) {
      const state = graphStore.getState();
      stash = { ...snapshotOf(state), past: state.past, future: state.future, projectId: state.projectId };
      writeStash(stash);
    }
    // not as a project opened (that would mark it saved): the saved mark stays the work's
    await loadDocument({ ...version.graph, name: info.name }, { undoable: false });
    graphStore.getState().setProject(project);
    useHistoryView.setState({
      viewing: {
        project,
        name: info.name,
        number,
        current: info.version,
        created_at: version.created_at,
        nodes: version.nodes,
        note: version.note,
      },
    });
    useEditorUi.getState().setOpen(null);
    setAddress(editorUrl(project, number));
    return true;
  } catch (error) {
    notify(`Could not open version ${number}: ${problemOf(error)}`, "error");
    const shown = useHistoryView.getState().viewing;
    setAddress(shown ? editorUrl(shown.project, shown.number) : "/"); // the address says what is shown
    return false;
  } finally {
    useHistoryView.setState({ busy: false });
  }
}

/** Leaves the version shown: the work in progress comes back as it was, with its undo history. */
export function backToCurrent({ address = true } = {}) {
  const kept = stash;
  stash = null;
  clearStash();
  if (kept) {
    const store = graphStore.getState();
    store.loadGraph(kept, { undoable: false });
    graphStore.setState({ past: kept.past, future: kept.future });
    store.setProject(kept.projectId);
    useEditorUi.getState().requestFit({ animate: false });
  }
  useHistoryView.setState({ viewing: null });
  if (address) setAddress("/");
}

/** Makes the version shown the project's current one (a new version); the editor opens it, undoably. */
export async function restoreViewed(): Promise<void> {
  const viewing = useHistoryView.getState().viewing;
  if (!viewing || useHistoryView.getState().busy) return;
  useHistoryView.setState({ busy: true });
  try {
    const project = await callJson<Project>(
      "POST",
      `${versionsPath(viewing.project)}/${viewing.number}/restore`,
    );
    backToCurrent();
    // one undo away from the work that was in progress
    await loadDocument({ ...project.graph, name: project.name }, { projectId: project.id });
    notify(
      project.version > viewing.current
        ? `Restored version ${viewing.number} as version ${project.version}`
        : `Version ${viewing.number} is the current graph already`,
      "success",
    );
  } catch (error) {
    notify(`Restore failed: ${problemOf(error)}`, "error");
  } finally {
    useHistoryView.setState({ busy: false });
  }
}

/**
 * After a reload in the middle of viewing a version (the stored work is then that version's): brings
 * the work in progress kept aside back. Call before honouring the address.
 */
export async function recoverStash(): Promise<void> {
  if (stash || useHistoryView.getState().viewing) return;
  let stored: StoredStash | null;
  try {
    const text = localStorage.getItem(STASH_KEY);
    stored = text ? (JSON.parse(text) as StoredStash) : null;
  } catch {
    stored = null;
  }
  clearStash();
  if (!stored?.graph) return;
  try {
    await loadDocument(stored.graph, { undoable: false });
    graphStore.getState().setProject(typeof stored.projectId === "number" ? stored.projectId : null);
    if (stored.space) graphStore.getState().restoreSpace(stored.space);
  } catch {
    // unreadable: the stored work stays as it is
  }
}

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

/** The saved versions of a project, newest first; `selected` is highlighted. */
export function VersionList({
  project,
  selected,
  onPick,
}: {
  project: number;
  selected?: number | null;
  onPick(version: VersionSummary, current: number): void;
}) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    callJson<VersionSummary[]>("GET", versionsPath(project))
      .then((list) => live && setVersions(list))
      .catch((e: unknown) => live && setError(problemOf(e)));
    return () => {
      live = false;
    };
  }, [project]);
  const current = versions?.[0]?.number ?? 0;
  return (
    <ul className="version-list" data-testid="version-list">
      {error && <li className="form-error">{error}</li>}
      {!versions && !error && <li className="muted small">Loading versions…</li>}
      {versions?.map((v) => (
        <li
          key={v.number}
          data-testid={`version-${v.number}`}
          className={v.number === selected ? "selected" : undefined}
        >
          <button
            className="version-open link"
            data-testid={`version-open-${v.number}`}
            onClick={() => onPick(v, current)}
            title={`Open version ${v.number} read only`}
          >
            Version {v.number}
          </button>
          {v.number === current && <span className="version-tag">current</span>}
          <span className="muted small version-meta">
            <span data-testid={`version-time-${v.number}`}>{when(v.created_at)}</span> ·{" "}
            <span data-testid={`version-blocks-${v.number}`}>{blocksText(v.nodes)}</span>
            {v.note && <> · {v.note}</>}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The History view of the Projects popover: a project's versions, each opened read only on a click. */
export function HistoryPanel({ project, name, onBack }: { project: number; name: string; onBack(): void }) {
  return (
    <div className="history-panel" data-testid="history-panel">
      <div className="pad history-head">
        <button className="link" data-testid="history-back" onClick={onBack}>
          ← Projects
        </button>
        <h3>History of “{name}”</h3>
        <p className="muted small">Every save that changed the graph is a version. Open one to look at it.</p>
      </div>
      <VersionList project={project} onPick={(v) => viewVersion(project, v.number)} />
    </div>
  );
}

/** The editor's header while a version is shown: what it is, back to the work, restore it. */
export function VersionBanner() {
  const viewing = useHistoryView((s) => s.viewing);
  const busy = useHistoryView((s) => s.busy);
  const { fitView } = useReactFlow();
  if (!viewing) return null;
  const isCurrent = viewing.number === viewing.current;
  return (
    <header className="toolbar version-bar" data-testid="version-banner" role="status">
      <span className="brand" title="Keras Canvas">
        <span className="logo">K</span>
      </span>
      <strong className="version-title" data-testid="version-banner-text">
        {viewingText(viewing.number)}
      </strong>
      <span className="version-about muted">
        “{viewing.name}” · saved {when(viewing.created_at)} · {blocksText(viewing.nodes)}
        {isCurrent ? " · the current version" : ` · the current one is version ${viewing.current}`}
      </span>
      <span className="spacer" />
      <button
        data-testid="version-fit"
        onClick={() => fitView({ padding: 0.15, duration: 250, maxZoom: 1.2 })}
      >
        Fit
      </button>
      <button data-testid="version-back" onClick={() => backToCurrent()} disabled={busy}>
        Back to current
      </button>
      <button
        className="primary"
        data-testid="version-restore"
        onClick={() => restoreViewed()}
        disabled={busy || isCurrent}
        title={
          isCurrent
            ? "This is the project's current version"
            : `Make version ${viewing.number}'s graph the current one (saved as version ${viewing.current + 1})`
        }
      >
        Restore this version
      </button>
    </header>
  );
}

/** The left column while a version is shown: the project's versions, to step between them. */
export function VersionSidebar() {
  const viewing = useHistoryView((s) => s.viewing);
  if (!viewing) return null;
  return (
    <aside className="palette version-side" data-testid="version-side">
      <div className="pad">
        <h3>History</h3>
        <p className="muted small">Read only: go back to current to edit, or restore this version.</p>
      </div>
      <VersionList
        project={viewing.project}
        selected={viewing.number}
        onPick={(v) => viewVersion(viewing.project, v.number)}
      />
    </aside>
  );
}

const EDIT_KEYS = new Set([
  "ArrowUp",
  "ArrowDown",
  "ArrowLeft",
  "ArrowRight",
  "Delete",
  "Backspace",
  "Enter",
]);

function inBlock(event: SyntheticEvent): HTMLElement | null {
  return (event.target as HTMLElement | null)?.closest?.(".react-flow__node") ?? null;
}

/**
 * The canvas, read only: blocks cannot be dragged, wired, dropped, opened or changed from the keyboard
 * (the events stop here, before React Flow's and the blocks' own handlers); a click only selects, so the
 * inspector (read only too) shows the block's parameters; the view still pans and zooms.
 */
export function ReadOnly({ children }: { children: ReactNode }) {
  const stop = (event: SyntheticEvent) => {
    if (!inBlock(event)) return;
    event.stopPropagation();
    event.preventDefault();
  };
  return (
    <div
      className="read-only"
      data-testid="read-only"
      onPointerDownCapture={stop}
      onMouseDownCapture={stop}
      onTouchStartCapture={stop}
      onDoubleClickCapture={stop}
      onClickCapture={(event) => {
        const block = inBlock(event);
        if (!block) return;
        event.stopPropagation();
        event.preventDefault();
        graphStore.getState().selectOnly(block.dataset.id ?? null);
      }}
      onKeyDownCapture={(event) => {
        if (EDIT_KEYS.has(event.key) && inBlock(event)) {
          event.stopPropagation();
          event.preventDefault();
        }
      }}
      onDragOverCapture={(event) => event.stopPropagation()}
      onDropCapture={(event) => {
        event.stopPropagation();
        event.preventDefault();
      }}
    >
      {children}
    </div>
  );
}
