import type { Edge, Node } from "@xyflow/react";
import type { LayerSpec, Params } from "../api/types";

/** What a block node carries: its catalog type and the params the user set (missing = Keras default). */
export interface BlockData extends Record<string, unknown> {
  type: string;
  params: Params;
}

export type BlockNode = Node<BlockData, "block">;
/** Edges run from a node's `out` handle to one of the target's `in-N` handles; N is the port. */
export type GraphEdge = Edge<Record<string, unknown>, "shape">;

export type SpecMap = Record<string, LayerSpec>;

export interface GraphSnapshot {
  nodes: BlockNode[];
  edges: GraphEdge[];
  name: string;
  description?: string;
}

export const SOURCE_HANDLE = "out";
