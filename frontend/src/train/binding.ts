// The graph's Input and Output blocks as the Train panel lists them. Which field each is bound to,
// and whether it fits, is the server's word (POST /api/runs/check, trainer/binding.py): nothing here
// judges compatibility.
import type { ValidationResult } from "../api/types";
import type { BlockNode, GraphEdge } from "../graph/types";

type Dim = number | null;

export interface GraphBlock {
  kind: "input" | "output";
  node: string;
  /** without the batch axis; null while unknown */
  shape: Dim[] | null;
}

function asShape(value: unknown): Dim[] | null {
  if (!Array.isArray(value)) return null;
  if (value.some((d) => Array.isArray(d))) return null; // several outputs: not a single tensor
  return value.map((d) => (typeof d === "number" ? d : null));
}

/** The graph's Input blocks (their shape parameter), then its Output blocks (their source's shape). */
export function graphBlocks(
  nodes: BlockNode[],
  edges: GraphEdge[],
  validation: ValidationResult | null,
): GraphBlock[] {
  const inputs: GraphBlock[] = [];
  const outputs: GraphBlock[] = [];
  for (const node of nodes) {
    if (node.data.type === "Input") {
      inputs.push({ kind: "input", node: node.id, shape: asShape(node.data.params?.shape) ?? [] });
    } else if (node.data.type === "Output") {
      let full = asShape(validation?.nodes[node.id]?.output_shape);
      if (!full) {
        const source = edges.find((e) => e.target === node.id)?.source;
        full = source ? asShape(validation?.nodes[source]?.output_shape) : null;
      }
      outputs.push({ kind: "output", node: node.id, shape: full ? full.slice(1) : null });
    }
  }
  return [...inputs, ...outputs];
}
