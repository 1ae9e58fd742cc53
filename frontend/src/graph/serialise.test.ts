import { describe, expect, it } from "vitest";
import type { GraphDocument } from "../api/types";
import { examples } from "../test-fixtures";
import { DocumentError, fromDocument, toDocument } from "./serialise";

function withoutPositions(doc: GraphDocument): GraphDocument {
  return { ...doc, nodes: doc.nodes.map(({ position: _ignored, ...rest }) => rest) };
}

describe("graph <-> document", () => {
  it("has every seed example as a fixture", () => {
    expect(Object.keys(examples).sort()).toEqual(
      [
        "bidirectional_gru",
        "bilstm_tagger",
        "conv_autoencoder",
        "fashion_cnn",
        "inception_block",
        "keras_mnist_convnet",
        "lstm_rows",
        "mnist_mlp",
        "mnist_mlp_tiny",
        "mobilenetv2_transfer",
        "qa_two_inputs",
        "regression_diabetes",
        "residual_block",
        "separable_bn",
        "siamese",
        "small_resnet",
        "small_unet",
        "small_vgg",
        "social_three_outputs",
        "tabular_breast_cancer",
        "text_cnn",
        "transformer_encoder",
        "wide_and_deep",
      ].sort(),
    );
  });

  for (const [name, doc] of Object.entries(examples)) {
    it(`round-trips ${name}`, () => {
      const loaded = fromDocument(doc);
      expect(loaded.needsLayout).toBe(true); // the seeds carry no positions
      expect(loaded.nodes).toHaveLength(doc.nodes.length);
      const back = toDocument(loaded, { positions: false });
      expect(back).toEqual(doc);
      // and with positions, a second round trip is exact
      const placed = toDocument({
        ...loaded,
        nodes: loaded.nodes.map((n, i) => ({ ...n, position: { x: i * 10, y: i * 20 } })),
      });
      expect(toDocument(fromDocument(placed))).toEqual(placed);
      expect(withoutPositions(placed)).toEqual(doc);
    });
  }

  it("gives merge edges one handle per port, in port order", () => {
    const loaded = fromDocument(examples.inception_block);
    const intoMixed = loaded.edges.filter((e) => e.target === "mixed");
    expect(intoMixed.map((e) => [e.source, e.targetHandle])).toEqual([
      ["a1", "in-0"],
      ["b2", "in-1"],
      ["c2", "in-2"],
      ["d3", "in-3"],
    ]);
  });

  it("numbers edges without ports by their order, after the ports given", () => {
    const loaded = fromDocument({
      version: 1,
      name: "m",
      nodes: [
        { id: "a", type: "Input", params: {} },
        { id: "b", type: "Input", params: {} },
        { id: "c", type: "Input", params: {} },
        { id: "sum", type: "Add", params: {} },
      ],
      edges: [
        { source: "a", target: "sum" },
        { source: "b", target: "sum", port: 0 },
        { source: "c", target: "sum" },
      ],
    });
    expect(loaded.edges.map((e) => [e.source, e.targetHandle])).toEqual([
      ["a", "in-1"],
      ["b", "in-0"],
      ["c", "in-2"],
    ]);
    expect(toDocument(loaded).edges).toEqual([
      { source: "a", target: "sum", port: 1 },
      { source: "b", target: "sum", port: 0 },
      { source: "c", target: "sum", port: 2 },
    ]);
  });

  it("keeps positions and leaves out ports on single-input edges", () => {
    const doc = toDocument(
      fromDocument({
        version: 1,
        name: "p",
        nodes: [
          { id: "x", type: "Input", params: { shape: [3] }, position: { x: 1.4, y: 2.6 } },
          { id: "d", type: "Dense", params: { units: 2 }, position: { x: 10, y: 20 } },
        ],
        edges: [{ source: "x", target: "d" }],
      }),
    );
    expect(doc.nodes[0].position).toEqual({ x: 1, y: 3 });
    expect(doc.edges).toEqual([{ source: "x", target: "d" }]);
  });

  it("refuses what is not a graph document", () => {
    expect(() => fromDocument({ nodes: 3 })).toThrow(DocumentError);
    expect(() =>
      fromDocument({
        nodes: [
          { id: "a", type: "Dense" },
          { id: "a", type: "Dense" },
        ],
        edges: [],
      }),
    ).toThrow(/duplicate/);
    expect(() => fromDocument({ nodes: [{ id: 1 }], edges: [] })).toThrow(/node 1/);
  });
});
