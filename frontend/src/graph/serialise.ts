// Graph document (the server's JSON, DESIGN.md) <-> React Flow nodes and edges.
import type { DocEdge, DocNode, GraphDocument } from "../api/types";
import { handleForPort, portOf } from "./connections";
import { SOURCE_HANDLE, type BlockNode, type GraphEdge, type GraphSnapshot } from "./types";

export function edgeId(source: string, target: string, targetHandle: string): string {
  // '>' and ':' never occur in node ids, so the id is unambiguous.
  return `e:${source}>${target}:${targetHandle}`;
}

export function makeEdge(source: string, target: string, port: number): GraphEdge {
  const targetHandle = handleForPort(port);
  return {
    id: edgeId(source, target, targetHandle),
    source,
    target,
    sourceHandle: SOURCE_HANDLE,
    targetHandle,
    type: "shape",
  };
}

export class DocumentError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface LoadedGraph extends GraphSnapshot {
  /** True when some node came without a position: lay the graph out. */
  needsLayout: boolean;
}

/** React Flow state from a graph document; edges into one target get handles by `port`, then edge order. */
export function fromDocument(doc: unknown): LoadedGraph {
  if (!isObject(doc) || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) {
    throw new DocumentError('not a graph document: expected an object with "nodes" and "edges" lists');
  }
  const seen = new Set<string>();
  let needsLayout = false;
  const nodes: BlockNode[] = doc.nodes.map((raw: unknown, index: number) => {
    if (!isObject(raw) || typeof raw.id !== "string" || typeof raw.type !== "string") {
      throw new DocumentError(`node ${index + 1} needs a string "id" and "type"`);
    }
    if (seen.has(raw.id)) throw new DocumentError(`duplicate node id "${raw.id}"`);
    seen.add(raw.id);
    const pos = raw.position;
    const hasPosition = isObject(pos) && typeof pos.x === "number" && typeof pos.y === "number";
    if (!hasPosition) needsLayout = true;
    return {
      id: raw.id,
      type: "block",
      position: hasPosition ? { x: pos.x as number, y: pos.y as number } : { x: 0, y: 0 },
      data: { type: raw.type, params: isObject(raw.params) ? raw.params : {} },
    };
  });

  const docEdges: DocEdge[] = doc.edges.map((raw: unknown, index: number) => {
    if (!isObject(raw) || typeof raw.source !== "string" || typeof raw.target !== "string") {
      throw new DocumentError(`edge ${index + 1} needs a string "source" and "target"`);
    }
    const edge: DocEdge = { source: raw.source, target: raw.target };
    if (Number.isInteger(raw.port) && (raw.port as number) >= 0) edge.port = raw.port as number;
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
    if (edge.port !== undefined && owner.get(edge)) return makeEdge(edge.source, edge.target, edge.port);
    const ports = claimed.get(edge.target) ?? new Set<number>();
    claimed.set(edge.target, ports);
    let port = 0;
    while (ports.has(port)) port++;
    ports.add(port);
    return makeEdge(edge.source, edge.target, port);
  });

  return {
    nodes,
    edges,
    name: typeof doc.name === "string" ? doc.name : "untitled",
    description: typeof doc.description === "string" ? doc.description : undefined,
    needsLayout,
  };
}

/** The graph document for the server: port only on edges into a target with several inputs (or a port > 0). */
/** The document of the canvas; the editor always names it. */
export function toDocument(
  graph: GraphSnapshot,
  { positions = true } = {},
): GraphDocument & { name: string } {
  const incoming = new Map<string, number>();
  for (const edge of graph.edges) incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
  const nodes: DocNode[] = graph.nodes.map((node) => {
    const out: DocNode = { id: node.id, type: node.data.type, params: node.data.params };
    if (positions) out.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
    return out;
  });
  const edges: DocEdge[] = graph.edges.map((edge) => {
    const out: DocEdge = { source: edge.source, target: edge.target };
    const port = portOf(edge.targetHandle) ?? 0;
    if ((incoming.get(edge.target) ?? 0) > 1 || port > 0) out.port = port;
    return out;
  });
  const doc: GraphDocument & { name: string } = { version: 1, name: graph.name || "untitled", nodes, edges };
  if (graph.description) doc.description = graph.description;
  return doc;
}
