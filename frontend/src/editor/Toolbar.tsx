import { useReactFlow } from "@xyflow/react";
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { safeName } from "../api/client";
import { graphStore, useGraph } from "../graph/store";
import type { BlockNode } from "../graph/types";
import { TrainButton } from "../train/TrainButton";
import { notify } from "../ui/toast";
import { autoLayout, exportAs, importFile, newGraph, redo, saveProject, undo } from "./commands";
import { isDirty, useSaved } from "./dirty";
import { ExportModelMenu } from "./ExportMenu";
import { HelpPopover } from "./HelpPopover";
import { exportPicture } from "./image";
import { ProjectsMenu } from "./ProjectsPanel";
import { TemplatesMenu } from "./TemplatesMenu";

export const Toolbar = memo(function Toolbar() {
  const canUndo = useGraph((s) => s.past.length > 0);
  const canRedo = useGraph((s) => s.future.length > 0);
  const fileInput = useRef<HTMLInputElement>(null);
  const { fitView, getNodes, getNodesBounds } = useReactFlow<BlockNode>();

  async function picture(format: "png" | "svg") {
    const nodes = getNodes();
    if (!nodes.length) {
      notify("Nothing to export: the canvas is empty.", "error");
      return;
    }
    try {
      await exportPicture(format, getNodesBounds(nodes), `${safeName(graphStore.getState().name)}.${format}`);
    } catch (e) {
      notify(`Picture export failed: ${(e as Error).message}`, "error");
    }
  }

  const fileGroup = (
    <div className="group" key="file">
      <button data-testid="new-graph" onClick={newGraph} title="Start an empty graph (undoable)">
        New
      </button>
      <TemplatesMenu />
      <button
        data-testid="import"
        onClick={() => fileInput.current?.click()}
        title="Import a .keras file, Keras model JSON or a graph JSON"
      >
        Import…
      </button>
    </div>
  );
  const viewGroup = (
    <div className="group" key="view">
      <button
        className="icon"
        data-testid="undo"
        onClick={undo}
        disabled={!canUndo}
        title="Undo (Ctrl+Z)"
        aria-label="Undo"
      >
        ↶
      </button>
      <button
        className="icon"
        data-testid="redo"
        onClick={redo}
        disabled={!canRedo}
        title="Redo (Ctrl+Shift+Z / Ctrl+Y)"
        aria-label="Redo"
      >
        ↷
      </button>
      <button
        data-testid="layout"
        onClick={() => autoLayout()}
        title="Lay the graph out top to bottom (Ctrl+Shift+L)"
      >
        Auto layout
      </button>
      <button
        data-testid="fit-view"
        onClick={() => fitView({ padding: 0.15, duration: 250, maxZoom: 1.2 })}
        title="Fit the graph in view"
      >
        Fit
      </button>
    </div>
  );
  const exportGroup = (
    <div className="group export-group" role="group" aria-label="Export" key="export">
      <span className="group-label">Export</span>
      {[
        {
          id: "python",
          label: ".py",
          run: () => exportAs("python"),
          title: "Download the Python script that builds this model",
        },
        {
          id: "keras",
          label: ".keras",
          run: () => exportAs("keras"),
          title: "Download the untrained model as a .keras file",
        },
        {
          id: "json",
          label: "JSON",
          run: () => exportAs("json"),
          title: "Download the graph document (JSON)",
        },
        { id: "png", label: "PNG", run: () => picture("png"), title: "Download a PNG picture of the graph" },
        { id: "svg", label: "SVG", run: () => picture("svg"), title: "Download an SVG picture of the graph" },
      ].map((e) => (
        <button key={e.id} data-testid={`export-${e.id}`} onClick={e.run} title={e.title}>
          {e.label}
        </button>
      ))}
      <ExportModelMenu />
    </div>
  );
  // As the toolbar narrows: first compact (no brand name, no "Export" label), then the groups fold
  // into the "⋯" menu, least used first.
  const foldable = [exportGroup, viewGroup, fileGroup];
  const { ref, level } = useFoldLevel(foldable.length + 1);
  const folded = foldable.slice(0, Math.max(0, level - 1));
  const shown = foldable.filter((g) => !folded.includes(g));
  const order = [fileGroup, viewGroup, exportGroup];

  return (
    <header className={level > 0 ? "toolbar compact" : "toolbar"} ref={ref} data-fold={level}>
      <a className="brand" href="/" title="Keras Canvas">
        <span className="logo">K</span>
        <span className="brand-name">Keras Canvas</span>
      </a>
      <GraphName />
      {order.filter((g) => shown.includes(g))}
      {folded.length > 0 && <OverflowMenu>{order.filter((g) => folded.includes(g))}</OverflowMenu>}
      <input
        ref={fileInput}
        type="file"
        accept=".keras,.json,.h5,application/json"
        data-testid="import-file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) importFile(file);
        }}
      />
      <span className="spacer" />
      <div className="group toolbar-end">
        <TrainButton />
        <button
          className="primary"
          data-testid="save"
          onClick={() => saveProject()}
          title="Save the project (Ctrl+S)"
        >
          Save
        </button>
        <ProjectsMenu />
        <HelpPopover />
      </div>
    </header>
  );
});

function GraphName() {
  const name = useGraph((s) => s.name);
  const revision = useGraph((s) => s.revision);
  const savedKey = useSaved((s) => s.savedKey);
  const dirty = useGraph((s) => isDirty(s, savedKey));
  useEffect(() => {
    if (!dirty) return;
    // leaving the page (reload, close, another site) with unsaved changes asks first
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  return (
    <span className="graph-name-wrap">
      <GraphNameInput key={`${revision}:${name}`} name={name} />
      {dirty && (
        <span
          className="unsaved-mark"
          data-testid="unsaved-mark"
          title="Unsaved changes (Ctrl+S saves)"
          aria-label="Unsaved changes"
        >
          ●
        </span>
      )}
    </span>
  );
}

function GraphNameInput({ name }: { name: string }) {
  const [draft, setDraft] = useState(name);
  const commit = () => {
    const trimmed = draft.trim();
    if (trimmed && trimmed !== name) graphStore.getState().setName(trimmed);
    else setDraft(name);
  };
  return (
    <input
      className="graph-name"
      data-testid="graph-name"
      aria-label="Graph name"
      value={draft}
      spellCheck={false}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") (e.target as HTMLInputElement).blur();
        if (e.key === "Escape") {
          setDraft(name);
          (e.target as HTMLInputElement).blur();
        }
      }}
    />
  );
}

/**
 * How many groups the toolbar folds away: none at first, then one more each time its last control
 * runs past its right edge, measured (ResizeObserver) whenever the toolbar's width changes.
 */
function useFoldLevel(max: number) {
  const ref = useRef<HTMLElement>(null);
  const [level, setLevel] = useState(0);
  // bumped when the toolbar or its end group (the login shows there) changes size: measure again
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const el = ref.current;
    const end = el?.lastElementChild;
    if (!el || !end) return;
    let width = -1;
    let endWidth = -1;
    const observer = new ResizeObserver(() => {
      const now = Math.round(el.clientWidth);
      const endNow = Math.round(end.getBoundingClientRect().width);
      if (now === width && endNow === endWidth) return;
      width = now;
      endWidth = endNow;
      setLevel(0);
      setTick((t) => t + 1);
    });
    observer.observe(el);
    observer.observe(end);
    return () => observer.disconnect();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    const last = el?.lastElementChild;
    if (!el || !last || level >= max) return;
    const right = el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight);
    if (last.getBoundingClientRect().right > right + 0.5) setLevel(level + 1);
  }, [level, max, tick]);
  return { ref, level };
}

/** The toolbar's "⋯" menu: the groups folded away when the window is narrow. */
function OverflowMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const target = e.target as HTMLElement;
      // the Templates and Projects popovers open from inside; a click in theirs keeps this one open
      if (!wrap.current?.contains(target)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div className="menu-wrap toolbar-more" ref={wrap}>
      <button
        className="icon"
        data-testid="toolbar-more"
        aria-label="More tools"
        aria-haspopup="true"
        aria-expanded={open}
        title="More tools"
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div
          className="popover toolbar-more-panel"
          data-testid="toolbar-more-panel"
          onClick={(e) => {
            // a plain action closes the menu; a button that opens its own menu keeps it open
            const button = (e.target as HTMLElement).closest("button");
            if (button && !button.hasAttribute("aria-expanded") && !button.closest(".popover .popover"))
              setOpen(false);
          }}
        >
          {children}
        </div>
      )}
    </div>
  );
}
