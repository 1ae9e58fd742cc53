// One zustand store for the canvas: nodes, edges, the graph's name, history,
// clipboard and the latest validation answer. Undo/redo keeps {nodes, edges, name}
// snapshots; a drag is one step (snapshot at drag start, pushed at drag stop when
// something moved) and typing into one field within a moment is one step.
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { createStore, useStore } from "zustand";
import type { Catalog, Params, ValidationResult } from "../api/types";
import { keepNodes, renameInSpace, type Dimension, type SpaceMap } from "../sweeps/space";
import { portOf, type ConnectionLike } from "./connections";
import { checkWire, groupBlocks, pathPrefix, portsOf, rewirePorts, ungroupBlock } from "./groups";
import { baseForType, checkNodeId, nextId, renameCopy } from "./ids";
import { DEFAULT_NODE_WIDTH } from "./layout";
import { edgeId, makeEdge, withInnerGraph } from "./serialise";
import {
  sourcePortOf,
  type BlockNode,
  type Frame,
  type GraphEdge,
  type GraphSnapshot,
  type SpecMap,
} from "./types";

export const HISTORY_LIMIT = 200;
const COALESCE_MS = 1500;
const PASTE_OFFSET = 40;
// a block's size before React Flow measured it
const DEFAULT_NODE_HEIGHT = 80;

export interface Clipboard {
  nodes: BlockNode[];
  edges: GraphEdge[];
}

/**
 * A step of the undo history: the graph and the sweep's search space (kept apart from the graph
 * document: it is never sent to validation, and a graph loaded from a document has none).
 */
export interface HistoryEntry extends GraphSnapshot {
  space?: SpaceMap;
}

const NO_SPACE: SpaceMap = {};
const NO_FRAMES: Frame[] = [];

export interface GraphState extends GraphSnapshot {
  /**
   * The groups opened in place, outermost first; `nodes` and `edges` are then the innermost
   * group's graph (every edit works on the level shown), and `toDocument` folds them back.
   */
  frames: Frame[];
  specs: SpecMap;
  catalog: Catalog | null;
  /** The sweep's search space: the tuned numbers and choices by target ("nodes.<id>.<param>", "training.<setting>"). */
  space: SpaceMap;
  past: HistoryEntry[];
  future: HistoryEntry[];
  clipboard: Clipboard | null;
  pasteCount: number;
  lastEditKey: string | null;
  lastEditAt: number;
  dragOrigin: HistoryEntry | null;
  validation: ValidationResult | null;
  validating: boolean;
  validationFailure: string | null;
  projectId: number | null;
  /** Bumped when the graph is replaced from outside the forms (undo, redo, load): inspector drafts reset. */
  revision: number;

  setCatalog(catalog: Catalog): void;
  onNodesChange(changes: NodeChange<BlockNode>[]): void;
  onEdgesChange(changes: EdgeChange<GraphEdge>[]): void;
  beginDrag(): void;
  endDrag(): void;
  addNode(type: string, position: XYPosition, params?: Params): string;
  connect(connection: ConnectionLike): string | null;
  updateParams(id: string, params: Params, editKey?: string): void;
  renameNode(id: string, newId: string): string | null;
  setName(name: string): void;
  deleteSelected(): void;
  deleteElements(nodeIds: string[], edgeIds?: string[]): void;
  selectAll(): void;
  selectOnly(id: string | null): void;
  copySelection(): number;
  cutSelection(): number;
  /**
   * Pastes the clipboard with its top-left corner at `at` (the pointer, in flow coordinates; moved
   * down and right off the blocks already there), or else offset from where it was copied.
   */
  paste(at?: XYPosition): string[];
  undo(): void;
  redo(): void;
  loadGraph(graph: HistoryEntry, options?: { undoable?: boolean }): void;
  /** Tunes a target (a dimension), or stops tuning it (null); typing into one within a moment is one undo step. */
  setDimension(target: string, dimension: Dimension | null, editKey?: string): void;
  /** Replaces the whole space (a restore from storage: not undoable). */
  restoreSpace(space: SpaceMap): void;
  setPositions(positions: Record<string, XYPosition>): void;
  setValidation(result: ValidationResult | null, failure?: string | null): void;
  setValidating(validating: boolean): void;
  setProject(id: number | null): void;
  /** Groups the selected blocks into one Group block (one undo step); a string says why not. */
  groupSelected(): string | null;
  /** Puts the selected Group's blocks (or `id`'s) back in its place; a string says why not. */
  ungroupSelected(id?: string): string | null;
  /** Shows group `id`'s inner graph in place of this level (false when `id` is no Group with blocks). */
  openGroup(id: string): boolean;
  /** Goes back out to `depth` groups open (0: the whole graph), writing each level back into its group. */
  closeTo(depth: number): void;
  /** Adds a copy of `node` (a block from My blocks) with a fresh id, selected; its id. */
  placeBlock(node: BlockNode, position: XYPosition): string;
}

const box = (node: BlockNode, dx = 0, dy = 0) => ({
  x: node.position.x + dx,
  y: node.position.y + dy,
  w: node.measured?.width ?? node.width ?? DEFAULT_NODE_WIDTH,
  h: node.measured?.height ?? node.height ?? DEFAULT_NODE_HEIGHT,
});

/** Whether `nodes` moved by `delta` overlap any of `others` by more than a sliver. */
function overlapsAny(nodes: BlockNode[], delta: XYPosition, others: BlockNode[]) {
  return nodes.some((node) => {
    const a = box(node, delta.x, delta.y);
    return others.some((other) => {
      const b = box(other);
      const wide = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const high = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      return wide > 4 && high > 4;
    });
  });
}

export function snapshotOf(state: HistoryEntry): HistoryEntry {
  return {
    nodes: state.nodes,
    edges: state.edges,
    name: state.name,
    description: state.description,
    space: state.space ?? NO_SPACE,
    frames: state.frames ?? NO_FRAMES,
  };
}

/**
 * A snapshot carrying the present selection: undo and redo restore the graph, never an old
 * selection, and what is selected now stays selected where it still exists (undoing a parameter
 * change keeps its block in the inspector).
 */
function withSelectionOf(snapshot: HistoryEntry, present: GraphSnapshot): HistoryEntry & { space: SpaceMap } {
  const nodes = new Set(present.nodes.filter((n) => n.selected).map((n) => n.id));
  const edges = new Set(present.edges.filter((e) => e.selected).map((e) => e.id));
  return {
    ...snapshot,
    space: snapshot.space ?? NO_SPACE,
    nodes: snapshot.nodes.map((n) =>
      !!n.selected === nodes.has(n.id) ? n : { ...n, selected: nodes.has(n.id) },
    ),
    edges: snapshot.edges.map((e) =>
      !!e.selected === edges.has(e.id) ? e : { ...e, selected: edges.has(e.id) },
    ),
  };
}

function specsOf(catalog: Catalog): SpecMap {
  const specs: SpecMap = {};
  for (const spec of catalog.layers) specs[spec.type] = spec;
  return specs;
}

export function createGraphStore(initial: Partial<GraphSnapshot> = {}) {
  return createStore<GraphState>()((set, get) => {
    /** The history fields for a change about to happen: push the present unless it continues the same edit. */
    function record(editKey: string | null = null): Partial<GraphState> {
      const state = get();
      const now = Date.now();
      if (editKey && editKey === state.lastEditKey && now - state.lastEditAt < COALESCE_MS) {
        return { lastEditAt: now, future: [] };
      }
      const past = [...state.past, snapshotOf(state)].slice(-HISTORY_LIMIT);
      return { past, future: [], lastEditKey: editKey, lastEditAt: now };
    }

    function takenIds(): Set<string> {
      return new Set(get().nodes.map((n) => n.id));
    }

    function selectedClipboard(): Clipboard | null {
      const { nodes, edges } = get();
      const picked = nodes.filter((n) => n.selected);
      if (!picked.length) return null;
      const ids = new Set(picked.map((n) => n.id));
      return {
        nodes: picked.map((n) => ({ ...n, data: { ...n.data, params: structuredClone(n.data.params) } })),
        // a Group keeps its inner graph (ids inside a group are its own: a copy needs no new ones)
        edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
      };
    }

    return {
      nodes: initial.nodes ?? [],
      edges: initial.edges ?? [],
      name: initial.name ?? "untitled",
      description: initial.description,
      frames: initial.frames ?? NO_FRAMES,
      specs: {},
      catalog: null,
      space: NO_SPACE,
      past: [],
      future: [],
      clipboard: null,
      pasteCount: 0,
      lastEditKey: null,
      lastEditAt: 0,
      dragOrigin: null,
      validation: null,
      validating: false,
      validationFailure: null,
      projectId: null,
      revision: 0,

      setCatalog(catalog) {
        set({ catalog, specs: specsOf(catalog) });
      },

      onNodesChange(changes) {
        // Removal goes through deleteElements so it is recorded; React Flow's own delete key is off.
        const kept = changes.filter((c) => c.type !== "remove");
        if (!kept.length) return;
        set({ nodes: applyNodeChanges(kept, get().nodes) });
      },

      onEdgesChange(changes) {
        const kept = changes.filter((c) => c.type !== "remove");
        if (!kept.length) return;
        set({ edges: applyEdgeChanges(kept, get().edges) });
      },

      beginDrag() {
        if (!get().dragOrigin) set({ dragOrigin: snapshotOf(get()) });
      },

      endDrag() {
        const origin = get().dragOrigin;
        if (!origin) return;
        const before = new Map(origin.nodes.map((n) => [n.id, n.position]));
        const moved = get().nodes.some((n) => {
          const was = before.get(n.id);
          return !was || was.x !== n.position.x || was.y !== n.position.y;
        });
        if (!moved) {
          set({ dragOrigin: null });
          return;
        }
        set({
          dragOrigin: null,
          past: [...get().past, origin].slice(-HISTORY_LIMIT),
          future: [],
          lastEditKey: null,
        });
      },

      addNode(type, position, params = {}) {
        const id = nextId(baseForType(type), takenIds());
        const node: BlockNode = {
          id,
          type: "block",
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          data: { type, params },
          selected: true,
        };
        set({
          ...record(),
          nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
        return id;
      },

      connect(connection) {
        const { nodes, edges, specs } = get();
        const problem = checkWire(connection, nodes, edges, specs);
        if (problem) return problem;
        const port = portOf(connection.targetHandle) ?? 0;
        const from = sourcePortOf(connection.sourceHandle) ?? 0;
        set({ ...record(), edges: [...edges, makeEdge(connection.source!, connection.target!, port, from)] });
        return null;
      },

      updateParams(id, params, editKey) {
        const nodes = get().nodes;
        const index = nodes.findIndex((n) => n.id === id);
        if (index < 0) return;
        const next = nodes.slice();
        next[index] = { ...nodes[index], data: { ...nodes[index].data, params } };
        set({ ...record(editKey ?? `params:${id}`), nodes: next });
      },

      renameNode(id, newId) {
        if (id === newId) return null;
        const problem = checkNodeId(newId, takenIds(), id);
        if (problem) return problem;
        const { nodes, edges, validation, frames } = get();
        const rename = (value: string) => (value === id ? newId : value);
        const nextEdges = edges.map((e) => {
          if (e.source !== id && e.target !== id) return e;
          const source = rename(e.source);
          const target = rename(e.target);
          return { ...e, id: edgeId(source, target, e.targetHandle ?? "in-0"), source, target };
        });
        const prefix = pathPrefix(frames);
        let nextValidation = validation;
        if (validation && validation.nodes[prefix + id]) {
          const { [prefix + id]: report, ...rest } = validation.nodes;
          nextValidation = { ...validation, nodes: { ...rest, [prefix + newId]: report } };
        }
        set({
          ...record(),
          nodes: nodes.map((n) => {
            if (n.id === id) return { ...n, id: newId };
            // a group sharing the renamed one's weights follows it
            if (n.data.params.shares === id)
              return { ...n, data: { ...n.data, params: { ...n.data.params, shares: newId } } };
            return n;
          }),
          edges: nextEdges,
          validation: nextValidation,
          // the sweep's targets name blocks of the top level
          space: frames.length ? get().space : renameInSpace(get().space, id, newId),
        });
        return null;
      },

      setName(name) {
        if (name === get().name) return;
        set({ ...record("name"), name });
      },

      deleteSelected() {
        const { nodes, edges } = get();
        get().deleteElements(
          nodes.filter((n) => n.selected).map((n) => n.id),
          edges.filter((e) => e.selected).map((e) => e.id),
        );
      },

      deleteElements(nodeIds, edgeIds = []) {
        const gone = new Set(nodeIds);
        const goneEdges = new Set(edgeIds);
        const { nodes, edges } = get();
        const nextNodes = nodes.filter((n) => !gone.has(n.id));
        const nextEdges = edges.filter(
          (e) => !goneEdges.has(e.id) && !gone.has(e.source) && !gone.has(e.target),
        );
        if (nextNodes.length === nodes.length && nextEdges.length === edges.length) return;
        set({
          ...record(),
          nodes: nextNodes,
          edges: nextEdges,
          space: get().frames.length
            ? get().space
            : keepNodes(get().space, new Set(nextNodes.map((n) => n.id))),
        });
      },

      selectAll() {
        set({
          nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
          edges: get().edges.map((e) => (e.selected ? e : { ...e, selected: true })),
        });
      },

      selectOnly(id) {
        set({
          nodes: get().nodes.map((n) =>
            !!n.selected === (n.id === id) ? n : { ...n, selected: n.id === id },
          ),
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
      },

      copySelection() {
        const clipboard = selectedClipboard();
        if (!clipboard) return 0;
        set({ clipboard, pasteCount: 0 });
        return clipboard.nodes.length;
      },

      cutSelection() {
        const clipboard = selectedClipboard();
        if (!clipboard) return 0;
        set({ clipboard, pasteCount: 0 });
        get().deleteElements(clipboard.nodes.map((n) => n.id));
        return clipboard.nodes.length;
      },

      paste(at) {
        const { clipboard, pasteCount } = get();
        if (!clipboard || !clipboard.nodes.length) return [];
        const taken = takenIds();
        const renamed = new Map<string, string>();
        for (const node of clipboard.nodes) {
          const id = renameCopy(node.id, taken);
          taken.add(id);
          renamed.set(node.id, id);
        }
        const offset = PASTE_OFFSET * (pasteCount + 1);
        let delta = { x: offset, y: offset };
        if (at) {
          const left = Math.min(...clipboard.nodes.map((n) => n.position.x));
          const top = Math.min(...clipboard.nodes.map((n) => n.position.y));
          delta = { x: Math.round(at.x - left), y: Math.round(at.y - top) };
        }
        // at the pointer, yet never on top of other blocks (the originals, an earlier paste): step
        // down and right
        const others = at ? get().nodes : [];
        for (let i = 0; i < 100 && overlapsAny(clipboard.nodes, delta, others); i++)
          delta = { x: delta.x + PASTE_OFFSET, y: delta.y + PASTE_OFFSET };
        const pasted: BlockNode[] = clipboard.nodes.map((node) => ({
          id: renamed.get(node.id)!,
          type: "block",
          position: { x: node.position.x + delta.x, y: node.position.y + delta.y },
          data: { ...node.data, params: structuredClone(node.data.params) },
          selected: true,
        }));
        const pastedEdges = clipboard.edges.map((edge) =>
          makeEdge(
            renamed.get(edge.source)!,
            renamed.get(edge.target)!,
            portOf(edge.targetHandle) ?? 0,
            sourcePortOf(edge.sourceHandle) ?? 0,
          ),
        );
        set({
          ...record(),
          nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
          edges: [...get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pastedEdges],
          pasteCount: pasteCount + 1,
        });
        return pasted.map((n) => n.id);
      },

      undo() {
        const { past, future } = get();
        if (!past.length) return;
        const previous = past[past.length - 1];
        set({
          ...withSelectionOf(previous, get()),
          past: past.slice(0, -1),
          future: [...future, snapshotOf(get())],
          lastEditKey: null,
          dragOrigin: null,
          revision: get().revision + 1,
        });
      },

      redo() {
        const { past, future } = get();
        if (!future.length) return;
        const next = future[future.length - 1];
        set({
          ...withSelectionOf(next, get()),
          past: [...past, snapshotOf(get())],
          future: future.slice(0, -1),
          lastEditKey: null,
          dragOrigin: null,
          revision: get().revision + 1,
        });
      },

      loadGraph(graph, { undoable = true } = {}) {
        const history = undoable ? record() : { past: [], future: [], lastEditKey: null };
        set({
          ...history,
          nodes: graph.nodes,
          edges: graph.edges,
          name: graph.name,
          description: graph.description,
          space: graph.space ?? NO_SPACE,
          frames: graph.frames ?? NO_FRAMES,
          validation: null,
          validationFailure: null,
          pasteCount: 0,
          revision: get().revision + 1,
        });
      },

      setPositions(positions) {
        set({
          ...record(),
          nodes: get().nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)),
        });
      },

      setDimension(target, dimension, editKey) {
        const space = get().space;
        if (!dimension && !(target in space)) return;
        const next = { ...space };
        if (dimension) next[target] = { ...dimension, target };
        else delete next[target];
        set({ ...record(dimension && editKey ? editKey : null), space: next });
      },

      restoreSpace(space) {
        set({ space: keepNodes(space, new Set(get().nodes.map((n) => n.id))) });
      },

      setValidation(result, failure = null) {
        set({ validation: result, validationFailure: failure });
      },

      setValidating(validating) {
        if (validating !== get().validating) set({ validating });
      },

      setProject(id) {
        set({ projectId: id });
      },

      groupSelected() {
        const { nodes, edges, frames, space } = get();
        const grouped = groupBlocks(nodes, edges, new Set(nodes.filter((n) => n.selected).map((n) => n.id)));
        if (typeof grouped === "string") return grouped;
        set({
          ...record(),
          nodes: grouped.nodes,
          edges: grouped.edges,
          space: frames.length ? space : keepNodes(space, new Set(grouped.nodes.map((n) => n.id))),
        });
        return null;
      },

      ungroupSelected(id) {
        const { nodes, edges } = get();
        const groupId = id ?? nodes.find((n) => n.selected && n.data.type === "Group")?.id;
        if (!groupId) return "select a Group block to ungroup";
        const ungrouped = ungroupBlock(nodes, edges, groupId);
        if (typeof ungrouped === "string") return ungrouped;
        set({ ...record(), nodes: ungrouped.nodes, edges: ungrouped.edges });
        return null;
      },

      openGroup(id) {
        const { nodes, edges, frames } = get();
        const group = nodes.find((n) => n.id === id && n.data.type === "Group");
        // a group sharing another's weights opens that one
        const shared =
          group && !group.data.graph ? nodes.find((n) => n.id === group.data.params.shares) : group;
        const inner = shared?.data.graph;
        if (!shared || !inner) return false;
        set({
          frames: [
            ...frames,
            { groupId: shared.id, nodes: nodes.map((n) => ({ ...n, selected: n.id === shared.id })), edges },
          ],
          nodes: inner.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          edges: inner.edges,
          lastEditKey: null,
          dragOrigin: null,
          pasteCount: 0,
          revision: get().revision + 1,
        });
        return true;
      },

      closeTo(depth) {
        let { nodes, edges } = get();
        const frames = get().frames;
        if (depth >= frames.length || depth < 0) return;
        for (let i = frames.length - 1; i >= depth; i--) {
          const frame = frames[i];
          const group = frame.nodes.find((n) => n.id === frame.groupId);
          const inner = { nodes: nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges };
          const before = group ? portsOf(group.data) : { inputs: [], outputs: [] };
          const after = portsOf({ type: "Group", params: {}, graph: inner });
          nodes = withInnerGraph(frame.nodes, frame.groupId, inner);
          edges = rewirePorts(frame.edges, frame.groupId, before, after);
        }
        set({
          frames: frames.slice(0, depth),
          nodes,
          edges,
          lastEditKey: null,
          dragOrigin: null,
          pasteCount: 0,
          revision: get().revision + 1,
        });
      },

      placeBlock(node, position) {
        const id = renameCopy(node.id, takenIds());
        const placed: BlockNode = {
          ...node,
          id,
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          data: structuredClone(node.data),
          selected: true,
        };
        set({
          ...record(),
          nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), placed],
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
        return id;
      },
    };
  });
}

export type GraphStore = ReturnType<typeof createGraphStore>;

/** The editor's store. */
export const graphStore = createGraphStore();

export function useGraph<T>(selector: (state: GraphState) => T): T {
  return useStore(graphStore, selector);
}
