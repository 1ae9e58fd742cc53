import * as dagre from "@dagrejs/dagre";
import { describe, expect, it } from "vitest";
import { examples } from "../test-fixtures";
import { layoutWith } from "./layout";
import { fromDocument } from "./serialise";

describe("auto layout", () => {
  it("places every block top to bottom along the edges", () => {
    const loaded = fromDocument(examples.inception_block);
    const placed = layoutWith(dagre, loaded.nodes, loaded.edges);
    const y = new Map(placed.map((n) => [n.id, n.position.y]));
    for (const edge of loaded.edges) expect(y.get(edge.target)!).toBeGreaterThan(y.get(edge.source)!);
    const spots = new Set(placed.map((n) => `${n.position.x},${n.position.y}`));
    expect(spots.size).toBe(placed.length);
  });

  it("puts the branches into a merge block in port order, left to right", () => {
    for (const name of ["inception_block", "residual_block", "qa_two_inputs"]) {
      const loaded = fromDocument(examples[name]);
      const x = new Map(layoutWith(dagre, loaded.nodes, loaded.edges).map((n) => [n.id, n.position.x]));
      const merge = loaded.edges.find((e) => e.targetHandle === "in-1")!.target;
      const sources = loaded.edges
        .filter((e) => e.target === merge)
        .sort((a, b) => a.targetHandle!.localeCompare(b.targetHandle!))
        .map((e) => x.get(e.source)!);
      expect(sources, name).toEqual([...sources].sort((a, b) => a - b));
    }
  });
});
