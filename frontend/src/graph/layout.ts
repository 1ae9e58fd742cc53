// Automatic top-to-bottom layout with dagre, loaded on first use to keep it out of the main chunk.
import type { BlockNode, GraphEdge } from "./types";

export const DEFAULT_NODE_WIDTH = 200;
export const DEFAULT_NODE_HEIGHT = 84;

type Dagre = typeof import("@dagrejs/dagre");

export function layoutWith(
  dagre: Dagre,
  nodes: readonly BlockNode[],
  edges: readonly GraphEdge[],
): BlockNode[] {
  const graph = new dagre.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 60, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  // dagre lays siblings out right to left in insertion order; feed them reversed so
  // branches into a merge block read left to right in port order.
  for (const node of [...nodes].reverse()) {
    graph.setNode(node.id, {
      width: node.measured?.width ?? node.width ?? DEFAULT_NODE_WIDTH,
      height: node.measured?.height ?? node.height ?? DEFAULT_NODE_HEIGHT,
    });
  }
  for (const edge of [...edges].reverse()) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target))
      graph.setEdge(edge.source, edge.target, {}, edge.id);
  }
  dagre.layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (!placed) return node;
    return {
      ...node,
      position: { x: Math.round(placed.x - placed.width / 2), y: Math.round(placed.y - placed.height / 2) },
    };
  });
}

export async function layoutNodes(
  nodes: readonly BlockNode[],
  edges: readonly GraphEdge[],
): Promise<BlockNode[]> {
  const dagre = await import("@dagrejs/dagre");
  return layoutWith(dagre, nodes, edges);
}
