import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import "../editor/editor.css";
import { Inspector } from "../blocks/Inspector";
import { Palette } from "../blocks/Palette";
import { paletteParams } from "../blocks/palette";
import { Canvas } from "../editor/Canvas";
import { autoLayout, openProject, saveProject } from "../editor/commands";
import { parseEditorQuery } from "../editor/history";
import {
  ReadOnly,
  VersionBanner,
  VersionSidebar,
  backToCurrent,
  recoverStash,
  useHistoryView,
  viewVersion,
} from "../editor/HistoryPanel";
import { isTypingTarget, shortcutFor } from "../editor/shortcuts";
import { StatusBar } from "../editor/StatusBar";
import { Toolbar } from "../editor/Toolbar";
import { useEditorUi } from "../editor/ui";
import { DEFAULT_NODE_WIDTH } from "../graph/layout";
import { graphStore, useGraph } from "../graph/store";
import { startLiveValidation } from "../graph/validation";
import { INSPECTOR_ALONE_WIDTH, PALETTE_WIDTH, editorColumns, useTrainLayout } from "../train/panel/layout";
import { TrainPanel } from "../train/TrainPanel";
import { useTrain } from "../train/store";
import { navigate, useRouter } from "../router";
import { notify } from "../ui/toast";

export function EditorPage() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}

function useCatalog() {
  const catalog = useGraph((s) => s.catalog);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    api
      .layers()
      .then((c) => graphStore.getState().setCatalog(c))
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(() => {
    if (!graphStore.getState().catalog) load();
  }, [load]);
  return { catalog, error, retry: load };
}

function Editor() {
  const { error: catalogError, retry } = useCatalog();
  const { screenToFlowPosition } = useReactFlow();
  const trainOpen = useTrain((s) => s.open);
  const main = useRef<HTMLDivElement>(null);
  const mainWidth = useWidth(main);
  const trainWidth = useTrainLayout((s) => s.width);
  const trainCollapsed = useTrainLayout((s) => s.collapsed);
  const layout = editorColumns(mainWidth, trainOpen, trainWidth, trainCollapsed);
  const viewing = useHistoryView((s) => s.viewing !== null);

  useEffect(() => startLiveValidation(graphStore, (doc, signal) => api.validate(doc, signal)), []);
  useAddress();

  const addAtCenter = useCallback(
    (type: string) => {
      const canvas = document.querySelector(".canvas");
      const rect = canvas?.getBoundingClientRect() ?? { left: 0, top: 0, width: 800, height: 600 };
      const centre = screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
      let position = { x: centre.x - DEFAULT_NODE_WIDTH / 2, y: centre.y - 40 };
      const nodes = graphStore.getState().nodes;
      const occupied = (p: { x: number; y: number }) =>
        nodes.some((n) => Math.abs(n.position.x - p.x) < 24 && Math.abs(n.position.y - p.y) < 24);
      for (let i = 0; i < 30 && occupied(position); i++)
        position = { x: position.x + 30, y: position.y + 30 };
      graphStore.getState().addNode(type, position, paletteParams(type));
    },
    [screenToFlowPosition],
  );

  // the pointer's last place over the canvas (screen coordinates), where a paste lands
  const pointer = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const action = shortcutFor(event);
      if (!action) return;
      // Ctrl+S saves from a text field too (else the browser's "Save page" dialog opens).
      if (isTypingTarget(event.target) && action !== "save") {
        if (action === "escape") (event.target as HTMLElement).blur();
        return;
      }
      const store = graphStore.getState();
      const ui = useEditorUi.getState();
      const textSelected = () => (window.getSelection()?.toString() ?? "") !== "";
      if (useHistoryView.getState().viewing) {
        // a version shown read only: no edits from the keyboard (and Ctrl+S is no "Save page" dialog)
        if (action === "save") event.preventDefault();
        if (action === "escape") store.selectOnly(null);
        if (action === "copy" && !textSelected()) store.copySelection();
        return;
      }
      switch (action) {
        case "undo":
          event.preventDefault();
          store.undo();
          break;
        case "redo":
          event.preventDefault();
          store.redo();
          break;
        case "copy":
          if (textSelected()) return;
          if (store.copySelection()) event.preventDefault();
          break;
        case "cut":
          if (textSelected()) return;
          if (store.cutSelection()) event.preventDefault();
          break;
        case "paste":
          if (store.clipboard) {
            event.preventDefault();
            // at the pointer when it is over the canvas, else offset from the originals
            store.paste(pointer.current ? screenToFlowPosition(pointer.current) : undefined);
          }
          break;
        case "selectAll":
          event.preventDefault();
          store.selectAll();
          break;
        case "delete":
          event.preventDefault();
          store.deleteSelected();
          break;
        case "help":
          event.preventDefault();
          ui.toggle("help");
          break;
        case "escape":
          if (ui.open) ui.setOpen(null);
          else store.selectOnly(null);
          break;
        case "save":
          event.preventDefault();
          saveProject();
          break;
        case "layout":
          event.preventDefault();
          autoLayout();
          break;
      }
    }
    function onPointerMove(event: PointerEvent) {
      const overCanvas = (event.target as HTMLElement | null)?.closest(
        ".react-flow__pane, .react-flow__node",
      );
      pointer.current = overCanvas ? { x: event.clientX, y: event.clientY } : null;
    }
    function onPointerDown(event: PointerEvent) {
      const target = event.target as HTMLElement | null;
      if (!useEditorUi.getState().open) return;
      if (target?.closest(".menu-wrap, .status-errors-wrap")) return;
      useEditorUi.getState().setOpen(null);
    }
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("pointerdown", onPointerDown, true);
    window.addEventListener("pointermove", onPointerMove, true);
    return () => {
      window.removeEventListener("pointermove", onPointerMove, true);
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("pointerdown", onPointerDown, true);
    };
  }, [screenToFlowPosition]);

  useEffect(() => {
    if (catalogError) notify(`Could not load the layer catalog: ${catalogError}`, "error");
  }, [catalogError]);

  if (viewing)
    return (
      <div className="editor viewing" data-testid="editor-viewing">
        <VersionBanner />
        <div
          className="editor-main"
          style={{ gridTemplateColumns: `${PALETTE_WIDTH}px minmax(0, 1fr) ${INSPECTOR_ALONE_WIDTH}px` }}
        >
          <VersionSidebar />
          <ReadOnly>
            <Canvas />
          </ReadOnly>
          <fieldset className="read-only-inspector" disabled aria-label="Read only">
            <Inspector />
          </fieldset>
        </div>
        <StatusBar />
      </div>
    );

  return (
    <div className="editor">
      <Toolbar />
      {catalogError && (
        <div className="banner" role="alert" data-testid="catalog-error">
          Could not load the layer catalog ({catalogError}).{" "}
          <button className="link" onClick={retry}>
            Retry
          </button>
        </div>
      )}
      <div
        ref={main}
        className={
          "editor-main" + (trainOpen ? " with-train" : "") + (trainOpen && layout.stacked ? " stacked" : "")
        }
        style={{ gridTemplateColumns: layout.columns }}
      >
        <Palette onAdd={addAtCenter} />
        <Canvas />
        <Inspector />
        {trainOpen && <TrainPanel width={layout.train} maxWidth={layout.maxTrain} />}
      </div>
      <StatusBar />
    </div>
  );
}

/**
 * The editor's address: `/?project=ID&version=N` shows that version read only, `/?project=ID` opens the
 * project (undoably). A version shown is left when the editor is (its work in progress comes back).
 */
function useAddress() {
  const path = useRouter((s) => s.path);
  useEffect(() => {
    let live = true;
    const query = parseEditorQuery(window.location.search);
    (async () => {
      await recoverStash();
      if (!live || !query) return;
      if (query.version !== null) await viewVersion(query.project, query.version);
      else {
        if (useHistoryView.getState().viewing) backToCurrent({ address: false });
        if (graphStore.getState().projectId !== query.project) await openProject(query.project);
        navigate("/", { replace: true });
      }
    })();
    return () => {
      live = false;
    };
  }, [path]);
  useEffect(
    () => () => {
      if (useHistoryView.getState().viewing) backToCurrent({ address: false });
    },
    [],
  );
}

/** An element's width, kept up to date by a ResizeObserver (the window's until it is measured). */
function useWidth(ref: React.RefObject<HTMLElement | null>) {
  const [width, setWidth] = useState(() => window.innerWidth);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
