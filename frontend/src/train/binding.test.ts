import { describe, expect, it } from "vitest";
import type { ValidationResult } from "../api/types";
import type { BlockNode, GraphEdge } from "../graph/types";
import { formatShape } from "../blocks/format";
import { graphBlocks } from "./binding";

function node(id: string, type: string, params: Record<string, unknown> = {}): BlockNode {
  return { id, type: "block", position: { x: 0, y: 0 }, data: { type, params } };
}

describe("the graph's Input and Output blocks", () => {
  it("lists inputs with their shape, outputs with their source shape", () => {
    const nodes = [
      node("label", "Output", { loss: "mse" }),
      node("pixels", "Input", { shape: [784] }),
      node("probs", "Dense", { units: 10 }),
    ];
    const edges = [
      { id: "a", source: "pixels", target: "probs" },
      { id: "b", source: "probs", target: "label" },
    ] as GraphEdge[];
    const validation = {
      valid: true,
      errors: [],
      warnings: [],
      nodes: {
        pixels: { output_shape: [null, 784], params: 0 },
        probs: { output_shape: [null, 10], params: 1 },
      },
      total_params: 1,
      trainable_params: 1,
    } as unknown as ValidationResult; // a partial answer: only the output shapes matter here
    expect(graphBlocks(nodes, edges, validation)).toEqual([
      { kind: "input", node: "pixels", shape: [784] },
      { kind: "output", node: "label", shape: [10] },
    ]);
    expect(graphBlocks(nodes, edges, null)[1].shape).toBeNull();
  });

  it("shows shapes as Python tuples, with the editor's formatShape", () => {
    expect(formatShape([784])).toBe("(784,)");
    expect(formatShape([28, 28, null])).toBe("(28, 28, None)");
    expect(formatShape(null)).toBe("?");
  });
});
