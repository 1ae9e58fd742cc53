import { useReactFlow } from "@xyflow/react";
import { memo, useRef, useState } from "react";
import { safeName } from "../api/client";
import { graphStore, useGraph } from "../graph/store";
import type { BlockNode } from "../graph/types";
import { TrainButton } from "../train/TrainButton";
import { notify } from "../ui/toast";
import { autoLayout, exportAs, importFile, newGraph, redo, saveProject, undo } from "./commands";
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

  return (
    <header className="toolbar">
      <a className="brand" href="/" title="Keras Canvas">
        <span className="logo">K</span>
        <span className="brand-name">Keras Canvas</span>
      </a>
      <GraphName />
      <div className="group">
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
      </div>
      <div className="group">
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
      <div className="group export-group" role="group" aria-label="Export">
        <span className="group-label">Export</span>
        <button
          data-testid="export-python"
          onClick={() => exportAs("python")}
          title="Download the Python script that builds this model"
        >
          .py
        </button>
        <button
          data-testid="export-keras"
          onClick={() => exportAs("keras")}
          title="Download the untrained model as a .keras file"
        >
          .keras
        </button>
        <button
          data-testid="export-json"
          onClick={() => exportAs("json")}
          title="Download the graph document (JSON)"
        >
          JSON
        </button>
        <button
          data-testid="export-png"
          onClick={() => picture("png")}
          title="Download a PNG picture of the graph"
        >
          PNG
        </button>
        <button
          data-testid="export-svg"
          onClick={() => picture("svg")}
          title="Download an SVG picture of the graph"
        >
          SVG
        </button>
        <ExportModelMenu />
      </div>
      <span className="spacer" />
      <div className="group">
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
  return <GraphNameInput key={`${revision}:${name}`} name={name} />;
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
