// Graph document (the server's JSON, DESIGN.md; groups: version 2) <-> React Flow nodes and edges.
import type { DocEdge, DocNode, GraphDocument } from "../api/types";
import { handleForPort, portOf } from "./connections";
import {
  GROUP_TYPE,
  sourceHandleFor,
  sourcePortOf,
  type BlockNode,
  type Frame,
  type GraphEdge,
  type GraphSnapshot,
  type InnerGraph,
} from "./types";

export function edgeId(source: string, target: string, targetHandle: string): string {
  // '>' and ':' never occur in node ids, so the id is unambiguous (a target handle takes one wire).
  return `e:${source}>${target}:${targetHandle}`;
}

export function makeEdge(source: string, target: string, port: number, sourcePort = 0): GraphEdge {
  const targetHandle = handleForPort(port);
  return {
    id: edgeId(source, target, targetHandle),
    source,
    target,
    sourceHandle: sourceHandleFor(sourcePort),
    targetHandle,
    type: "shape",
  };
}

/** An edge of the document, with the output port of a Group that has several (groups-format.md). */
export interface DocEdgeV2 extends DocEdge {
  source_port?: number;
}

/** A node of the document; a Group carries its inner graph. */
export interface DocNodeV2 extends DocNode {
  graph?: { nodes: DocNodeV2[]; edges: DocEdgeV2[] };
}

export class DocumentError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface LoadedGraph extends GraphSnapshot {
  /** True when some node came without a position: lay the graph out. */
  needsLayout: boolean;
}

function parseGraph(
  rawNodes: unknown[],
  rawEdges: unknown[],
  where: string,
): InnerGraph & { needsLayout: boolean } {
  const seen = new Set<string>();
  let needsLayout = false;
  const nodes: BlockNode[] = rawNodes.map((raw: unknown, index: number) => {
    if (!isObject(raw) || typeof raw.id !== "string" || typeof raw.type !== "string") {
      throw new DocumentError(`${where}node ${index + 1} needs a string "id" and "type"`);
    }
    if (seen.has(raw.id)) throw new DocumentError(`${where}duplicate node id "${raw.id}"`);
    seen.add(raw.id);
    const pos = raw.position;
    const hasPosition = isObject(pos) && typeof pos.x === "number" && typeof pos.y === "number";
    if (!hasPosition) needsLayout = true;
    const node: BlockNode = {
      id: raw.id,
      type: "block",
      position: hasPosition ? { x: pos.x as number, y: pos.y as number } : { x: 0, y: 0 },
      data: { type: raw.type, params: isObject(raw.params) ? raw.params : {} },
    };
    if (raw.type === GROUP_TYPE && isObject(raw.graph)) {
      const inner = raw.graph;
      if (!Array.isArray(inner.nodes) || !Array.isArray(inner.edges)) {
        throw new DocumentError(`${where}group "${raw.id}" needs a graph with "nodes" and "edges" lists`);
      }
      const parsed = parseGraph(inner.nodes, inner.edges, `${where}group "${raw.id}": `);
      node.data.graph = parsed.needsLayout ? parsed : { nodes: parsed.nodes, edges: parsed.edges };
    }
    return node;
  });

  const docEdges: DocEdgeV2[] = rawEdges.map((raw: unknown, index: number) => {
    if (!isObject(raw) || typeof raw.source !== "string" || typeof raw.target !== "string") {
      throw new DocumentError(`${where}edge ${index + 1} needs a string "source" and "target"`);
    }
    const edge: DocEdgeV2 = { source: raw.source, target: raw.target };
    if (Number.isInteger(raw.port) && (raw.port as number) >= 0) edge.port = raw.port as number;
    if (Number.isInteger(raw.source_port) && (raw.source_port as number) >= 0)
      edge.source_port = raw.source_port as number;
    return edge;
  });

  // Ports per target: an explicit port is kept (first claim wins); the others take the lowest free one.
  const claimed = new Map<string, Set<number>>();
  const owner = new Map<DocEdge, boolean>();
  for (const edge of docEdges) {
    if (edge.port === undefined) continue;
    const ports = claimed.get(edge.target) ?? new Set<number>();
    claimed.set(edge.target, ports);
    owner.set(edge, !ports.has(edge.port));
    ports.add(edge.port);
  }
  const edges: GraphEdge[] = docEdges.map((edge) => {
    const from = edge.source_port ?? 0;
    if (edge.port !== undefined && owner.get(edge))
      return makeEdge(edge.source, edge.target, edge.port, from);
    const ports = claimed.get(edge.target) ?? new Set<number>();
    claimed.set(edge.target, ports);
    let port = 0;
    while (ports.has(port)) port++;
    ports.add(port);
    return makeEdge(edge.source, edge.target, port, from);
  });
  return { nodes, edges, needsLayout };
}

/** React Flow state from a graph document; edges into one target get handles by `port`, then edge order. */
export function fromDocument(doc: unknown): LoadedGraph {
  if (!isObject(doc) || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) {
    throw new DocumentError('not a graph document: expected an object with "nodes" and "edges" lists');
  }
  const { nodes, edges, needsLayout } = parseGraph(doc.nodes, doc.edges, "");
  return {
    nodes,
    edges,
    name: typeof doc.name === "string" ? doc.name : "untitled",
    description: typeof doc.description === "string" ? doc.description : undefined,
    needsLayout,
  };
}

/** A level's nodes with `groupId`'s inner graph replaced (the same array when nothing changed). */
export function withInnerGraph(nodes: BlockNode[], groupId: string, inner: InnerGraph): BlockNode[] {
  return nodes.map((n) => {
    if (n.id !== groupId) return n;
    const was = n.data.graph;
    if (was && was.nodes === inner.nodes && was.edges === inner.edges) return n;
    return { ...n, data: { ...n.data, graph: { nodes: inner.nodes, edges: inner.edges } } };
  });
}

/** The whole graph: the level shown folded back into the groups opened around it. */
export function foldFrames(
  nodes: BlockNode[],
  edges: GraphEdge[],
  frames: readonly Frame[] | undefined,
): InnerGraph {
  let level: InnerGraph = { nodes, edges };
  for (let i = (frames?.length ?? 0) - 1; i >= 0; i--) {
    const frame = frames![i];
    level = { nodes: withInnerGraph(frame.nodes, frame.groupId, level), edges: frame.edges };
  }
  return level;
}

/** How many output ports a Group has (its inner Output markers; a sharing group: the shared one's). */
function outputCount(node: BlockNode, byId: Map<string, BlockNode>): number {
  const graph = node.data.graph ?? byId.get(String(node.data.params.shares ?? ""))?.data.graph;
  return graph ? graph.nodes.filter((n) => n.data.type === "Output").length : 1;
}

function writeGraph(nodes: BlockNode[], edges: GraphEdge[], positions: boolean) {
  const incoming = new Map<string, number>();
  for (const edge of edges) incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const docNodes: DocNodeV2[] = nodes.map((node) => nodeToDocument(node, { positions }));
  const docEdges: DocEdgeV2[] = edges.map((edge) => {
    const out: DocEdgeV2 = { source: edge.source, target: edge.target };
    const port = portOf(edge.targetHandle) ?? 0;
    if ((incoming.get(edge.target) ?? 0) > 1 || port > 0) out.port = port;
    const source = byId.get(edge.source);
    const from = sourcePortOf(edge.sourceHandle) ?? 0;
    if (from > 0 || (source?.data.type === GROUP_TYPE && outputCount(source, byId) > 1))
      out.source_port = from;
    return out;
  });
  return { nodes: docNodes, edges: docEdges };
}

/** One node of the document (a Group with its inner graph). */
export function nodeToDocument(node: BlockNode, { positions = true } = {}): DocNodeV2 {
  const out: DocNodeV2 = { id: node.id, type: node.data.type, params: node.data.params };
  const inner = node.data.graph;
  // an inner graph never laid out (loaded without positions) has none to write
  if (node.data.type === GROUP_TYPE && inner)
    out.graph = writeGraph(inner.nodes, inner.edges, positions && !inner.needsLayout);
  if (positions) out.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
  return out;
}

/**
 * The document of the canvas (the whole graph, also while a group is open); the editor always
 * names it. Port only on edges into a target with several inputs (or a port > 0); version 2 when the
 * graph has a Group.
 */
export function toDocument(
  graph: GraphSnapshot,
  { positions = true } = {},
): GraphDocument & { name: string } {
  const root = foldFrames(graph.nodes, graph.edges, graph.frames);
  const { nodes, edges } = writeGraph(root.nodes, root.edges, positions);
  const version = root.nodes.some((n) => n.data.type === GROUP_TYPE) ? 2 : 1;
  const doc = { version, name: graph.name || "untitled", nodes, edges } as {
    version: number;
    name: string;
    nodes: DocNodeV2[];
    edges: DocEdgeV2[];
    description?: string;
  };
  if (graph.description) doc.description = graph.description;
  // the generated schema knows version 1 only until the server's groups land; the shape is the same
  return doc as unknown as GraphDocument & { name: string };
}
