import type { Edge, Node } from "@xyflow/react";
import type { LayerSpec, Params } from "../api/types";

/** A Group block's own graph: its blocks and wires, the inner Input and Output markers being its ports. */
export interface InnerGraph {
  nodes: BlockNode[];
  edges: GraphEdge[];
  /** Set when loaded from a document whose inner blocks had no positions: lay it out before showing it. */
  needsLayout?: boolean;
}

/** What a block node carries: its catalog type and the params the user set (missing = Keras default). */
export interface BlockData extends Record<string, unknown> {
  type: string;
  params: Params;
  /** A Group's inner graph (absent on a Group that shares another's weights, and on every other block). */
  graph?: InnerGraph;
}

export type BlockNode = Node<BlockData, "block">;
/**
 * Edges run from one of the source's `out` handles (`out` for its first output, `out-N` for output
 * N of a Group with several) to one of the target's `in-N` handles; N is the port.
 */
export type GraphEdge = Edge<Record<string, unknown>, "shape">;

export type SpecMap = Record<string, LayerSpec>;

/**
 * One level of the groups opened in place: the graph around the open group `groupId` (the canvas
 * shows the innermost group's graph; the frames hold the levels above it, outermost first).
 */
export interface Frame {
  groupId: string;
  nodes: BlockNode[];
  edges: GraphEdge[];
}

export interface GraphSnapshot {
  nodes: BlockNode[];
  edges: GraphEdge[];
  name: string;
  description?: string;
  /** The groups opened in place, outermost first (absent or empty: the canvas shows the whole graph). */
  frames?: Frame[];
}

export const SOURCE_HANDLE = "out";
export const GROUP_TYPE = "Group";

/** The source handle of output `port`: `out` for the first (every block has it), `out-N` after. */
export function sourceHandleFor(port: number): string {
  return port > 0 ? `${SOURCE_HANDLE}-${port}` : SOURCE_HANDLE;
}

/** The output port of a source handle id ("out" -> 0, "out-2" -> 2); null when it is none. */
export function sourcePortOf(handle: string | null | undefined): number | null {
  if (handle === null || handle === undefined || handle === "" || handle === SOURCE_HANDLE) return 0;
  const match = /^out-(\d+)$/.exec(handle);
  return match ? Number(match[1]) : null;
}
