import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type FinalConnectionState,
  type IsValidConnection,
  type OnConnect,
} from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
} from "react";
import { BlockNode } from "../blocks/BlockNode";
import { categoryColor } from "../blocks/categories";
import { DRAG_MIME, paletteParams } from "../blocks/palette";
import { MY_BLOCK_MIME } from "../blocks/savedBlocks";
import { ShapeEdge } from "../blocks/ShapeEdge";
import { checkWire } from "../graph/groups";
import { DEFAULT_NODE_WIDTH } from "../graph/layout";
import { graphStore, useGraph } from "../graph/store";
import type { BlockNode as BlockNodeType, GraphEdge } from "../graph/types";
import { notify } from "../ui/toast";
import { CanvasMenu, type MenuAt } from "./CanvasMenu";
import { groupSelection, openGroup, savedBlockById, ungroupSelection } from "./commands";
import { GroupBreadcrumb } from "./GroupBreadcrumb";
import "./groups.css";
import { isTypingTarget, shortcutFor } from "./shortcuts";
import { useEditorUi } from "./ui";

// Declared once, outside components, so React Flow never sees a new map.
const nodeTypes = { block: BlockNode };
const edgeTypes = { shape: ShapeEdge };
const defaultEdgeOptions = { type: "shape" as const };
// Shift+click adds to the selection as Ctrl/Cmd+click does; Shift+drag on the pane draws a rubber band.
const MULTI_SELECTION_KEYS = ["Meta", "Control", "Shift"];

const checkValid: IsValidConnection = (connection) => {
  const { nodes, edges, specs } = graphStore.getState();
  return checkWire(connection, nodes, edges, specs) === null;
};

const onConnect: OnConnect = (connection) => {
  const problem = graphStore.getState().connect(connection);
  if (problem) notify(problem, "error");
};

function onConnectEnd(_: MouseEvent | TouchEvent, state: FinalConnectionState) {
  // Say why a drop on a handle was refused (a cycle, a port already used...).
  if (state.isValid || !state.fromHandle || !state.toHandle || !state.toNode) return;
  const from = state.fromHandle;
  const to = state.toHandle;
  const connection =
    from.type === "source"
      ? { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id }
      : { source: to.nodeId, sourceHandle: to.id, target: from.nodeId, targetHandle: from.id };
  const { nodes, edges, specs } = graphStore.getState();
  const problem = checkWire(connection, nodes, edges, specs);
  if (problem) notify(`Cannot connect: ${problem}`, "error");
}

function onNodeDoubleClick(_: ReactMouseEvent, node: BlockNodeType) {
  if (node.data.type === "Group") openGroup(node.id);
}

/** Ctrl+G and Ctrl+Shift+G (the editor page's handler leaves them to the canvas). */
function onGroupKeys(event: KeyboardEvent) {
  const action = shortcutFor(event);
  if ((action !== "group" && action !== "ungroup") || isTypingTarget(event.target)) return;
  event.preventDefault(); // else the browser's "find next"
  if (action === "group") groupSelection();
  else ungroupSelection();
}

/** Below this canvas width the minimap would cover blocks: it hides. */
export const MINIMAP_MIN_CANVAS = 640;

const beginDrag = () => graphStore.getState().beginDrag();
const endDrag = () => graphStore.getState().endDrag();

export function Canvas() {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const onNodesChange = useGraph((s) => s.onNodesChange);
  const onEdgesChange = useGraph((s) => s.onEdgesChange);
  const specs = useGraph((s) => s.specs);
  const fitRequest = useEditorUi((s) => s.fitRequest);
  const depth = useGraph((s) => s.frames.length);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const focusRequest = useEditorUi((s) => s.focusRequest);
  const { screenToFlowPosition, fitView, setCenter, getInternalNode } = useReactFlow<BlockNodeType>();
  // Fit on mount only when there is something to fit; otherwise React Flow would
  // zoom onto the first block dropped, moving the canvas under the next drop.
  const [fitOnMount] = useState(() => graphStore.getState().nodes.length > 0);
  const box = useRef<HTMLDivElement>(null);
  const [wide, setWide] = useState(true);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWide(el.clientWidth >= MINIMAP_MIN_CANVAS));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!fitRequest) return;
    // React Flow holds a fit until every node is measured, so new nodes need no wait here.
    // A graph just opened appears fitted at once; a re-layout glides to its new bounds.
    const animate = useEditorUi.getState().fitAnimated;
    fitView({ padding: 0.15, duration: animate ? 250 : 0, maxZoom: 1.2 });
  }, [fitRequest, fitView]);

  useEffect(() => {
    window.addEventListener("keydown", onGroupKeys);
    return () => window.removeEventListener("keydown", onGroupKeys);
  }, []);

  // a group opened or left (also by undo): the menu's block is gone, the new level is fitted in view
  const level = useGraph((s) => s.frames.map((f) => f.groupId).join("/"));
  const shownLevel = useRef(level);
  useEffect(() => {
    setMenu(null);
    if (shownLevel.current === level) return;
    shownLevel.current = level;
    useEditorUi.getState().requestFit({ animate: false });
  }, [level]);

  const openMenu = useCallback((event: ReactMouseEvent, nodeId: string | null) => {
    event.preventDefault();
    const rect = box.current?.getBoundingClientRect();
    const store = graphStore.getState();
    // a right-click on a block outside the selection selects it alone, as a desktop app does
    if (nodeId && !store.nodes.find((n) => n.id === nodeId)?.selected) store.selectOnly(nodeId);
    setMenu({ x: event.clientX - (rect?.left ?? 0), y: event.clientY - (rect?.top ?? 0), nodeId });
  }, []);
  const onNodeContextMenu = useCallback(
    (event: ReactMouseEvent, node: BlockNodeType) => openMenu(event, node.id),
    [openMenu],
  );
  const onSelectionContextMenu = useCallback((event: ReactMouseEvent) => openMenu(event, null), [openMenu]);
  const closeMenu = useCallback(() => setMenu(null), []);

  useEffect(() => {
    if (!focusRequest) return;
    const node = getInternalNode(focusRequest.id);
    if (!node) return;
    const { x, y } = node.internals.positionAbsolute;
    const width = node.measured.width ?? DEFAULT_NODE_WIDTH;
    const height = node.measured.height ?? 80;
    setCenter(x + width / 2, y + height / 2, { zoom: 1.1, duration: 300 });
  }, [focusRequest, getInternalNode, setCenter]);

  const onDragOver = useCallback((event: DragEvent) => {
    const types = event.dataTransfer.types;
    if (types.includes(DRAG_MIME) || types.includes(MY_BLOCK_MIME) || types.includes("text/plain")) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const saved = event.dataTransfer.getData(MY_BLOCK_MIME);
      if (saved) {
        // a block from My blocks: a copy (with a fresh id where its own is taken)
        const node = savedBlockById(saved);
        if (!node) return;
        event.preventDefault();
        const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
        graphStore.getState().placeBlock(node, { x: point.x - DEFAULT_NODE_WIDTH / 2, y: point.y - 20 });
        return;
      }
      const type = event.dataTransfer.getData(DRAG_MIME) || event.dataTransfer.getData("text/plain");
      if (!type || !graphStore.getState().specs[type]) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      graphStore
        .getState()
        .addNode(type, { x: point.x - DEFAULT_NODE_WIDTH / 2, y: point.y - 20 }, paletteParams(type));
    },
    [screenToFlowPosition],
  );

  const minimapColor = useCallback(
    (node: BlockNodeType) => categoryColor(specs[node.data.type]?.category),
    [specs],
  );

  return (
    <div className="canvas" data-testid="canvas" ref={box}>
      <ReactFlow<BlockNodeType, GraphEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={checkValid}
        onNodeDragStart={beginDrag}
        onNodeDragStop={endDrag}
        onSelectionDragStart={beginDrag}
        onSelectionDragStop={endDrag}
        onNodeDoubleClick={onNodeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        onSelectionContextMenu={onSelectionContextMenu}
        onPaneClick={closeMenu}
        onPaneContextMenu={closeMenu}
        onMoveStart={closeMenu}
        zoomOnDoubleClick={false}
        onDrop={onDrop}
        onDragOver={onDragOver}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        fitView={fitOnMount}
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.1}
        maxZoom={2.5}
        snapToGrid
        snapGrid={[10, 10]}
        connectionRadius={28}
        onlyRenderVisibleElements={nodes.length > 150}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
        {wide && (
          <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} ariaLabel="Mini map" />
        )}
        <Controls showInteractive={false} />
      </ReactFlow>
      <GroupBreadcrumb />
      {menu && <CanvasMenu at={menu} onClose={closeMenu} />}
      {nodes.length === 0 && depth === 0 && (
        <div className="canvas-empty">
          <div>
            <strong>Start building</strong>
            <p>Drag blocks from the palette, double-click one, or pick a template above.</p>
          </div>
        </div>
      )}
    </div>
  );
}
