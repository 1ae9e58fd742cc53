import { describe, expect, it } from "vitest";
import {
  cutChoices,
  eligibleRuns,
  formatFrozen,
  graphTypes,
  blockKey,
  inputShapeOf,
  layerAtCut,
  layerLabel,
  modelLabel,
  pretrainedDocument,
  runLabel,
  runsUsingType,
  showsFrozen,
  sourceOf,
  testScore,
  trainableFromChoices,
  withLayer,
  withSource,
  type InnerLayer,
  type RunLike,
} from "./pretrained";

const LAYERS: InnerLayer[] = [
  { name: "pixels", class_name: "InputLayer", output_shape: [null, 784], params: 0 },
  { name: "hidden", class_name: "Dense", output_shape: [null, 2], params: 1570 },
  { name: "probs", class_name: "Dense", output_shape: [null, 10], params: 30 },
  { name: "label", class_name: "Identity", output_shape: [null, 10], params: 0 },
];

function run(id: number, extra: Partial<RunLike> = {}): RunLike {
  return {
    id,
    status: "succeeded",
    name: `mlp_${id}`,
    has_model: true,
    dataset: { name: "fashion_mnist", title: "Fashion-MNIST" },
    test: { loss: 0.52, accuracy: 0.8731 },
    ...extra,
  };
}

describe("counts", () => {
  it("reads frozen and trainable parameters apart", () => {
    expect(formatFrozen(13635, 1290)).toBe("12,345 frozen · 1,290 trainable");
    expect(formatFrozen(1570, 0)).toBe("1,570 frozen · 0 trainable");
    expect(formatFrozen(30, 30)).toBe("0 frozen · 30 trainable");
  });

  it("shows them on trained-model blocks with weights, and on any block with frozen weights", () => {
    expect(showsFrozen("Pretrained", false, 1570, 1570)).toBe(true);
    expect(showsFrozen("MobileNetV2", true, 10, 10)).toBe(true);
    expect(showsFrozen("Pretrained", false, 0, 0)).toBe(false); // not checked yet
    expect(showsFrozen("Dense", false, 30, 30)).toBe(false);
    expect(showsFrozen("BatchNormalization", false, 256, 128)).toBe(true);
  });
});

describe("runs to pick", () => {
  it("labels a run by its id, name, dataset and test accuracy", () => {
    expect(runLabel(run(12))).toBe("#12 mlp_12 · Fashion-MNIST · test 87.3%");
    expect(runLabel(run(3, { test: { loss: 0.1234 } }))).toBe("#3 mlp_3 · Fashion-MNIST · test loss 0.123");
    expect(runLabel(run(4, { test: null }))).toBe("#4 mlp_4 · Fashion-MNIST");
    expect(testScore({ val_accuracy: null, sparse_categorical_accuracy: 0.5 })).toBe("50.0%");
    expect(modelLabel({ id: 3, name: "encoder", params: 1600 })).toBe("#3 encoder · 1,600 params");
    expect(modelLabel({ id: 4, name: "m" })).toBe("#4 m");
  });

  it("lists only succeeded runs with a saved model, in the server's order", () => {
    const runs = [run(5), run(4, { status: "failed" }), run(3, { has_model: false }), run(2)];
    expect(eligibleRuns(runs).map((r) => r.id)).toEqual([5, 2]);
  });

  it("offers an Applications block the runs whose graph used its type", () => {
    const graph = {
      nodes: [
        { id: "in", type: "Input", params: {} },
        { id: "base", type: "TimeDistributed", params: { layer: { type: "MobileNetV2", params: {} } } },
      ],
    };
    expect([...graphTypes(graph)].sort()).toEqual(["Input", "MobileNetV2", "TimeDistributed"]);
    expect(graphTypes(null).size).toBe(0);
    const types = { 1: ["Input", "MobileNetV2"], 2: ["Input", "ResNet50"], 3: ["MobileNetV2"] };
    const runs = [run(1), run(2), run(3, { status: "cancelled" }), run(4)];
    expect(runsUsingType(runs, types, "MobileNetV2").map((r) => r.id)).toEqual([1]);
    expect(runsUsingType(runs, types, "EfficientNetB0")).toEqual([]);
  });
});

describe("layers", () => {
  it("cuts at any layer but the input, and trains from the layers up to the cut", () => {
    expect(cutChoices(LAYERS).map((l) => l.name)).toEqual(["hidden", "probs", "label"]);
    expect(trainableFromChoices(LAYERS, "hidden").map((l) => l.name)).toEqual(["hidden"]);
    expect(trainableFromChoices(LAYERS, null).map((l) => l.name)).toEqual(["hidden", "probs", "label"]);
  });

  it("says which layer the block ends at, and how one reads", () => {
    expect(layerAtCut(LAYERS, "hidden")?.output_shape).toEqual([null, 2]);
    expect(layerAtCut(LAYERS, null)?.name).toBe("label");
    expect(layerAtCut(LAYERS, "gone")).toBeNull();
    expect(layerAtCut([], null)).toBeNull();
    expect(layerLabel(LAYERS[1])).toBe("hidden · Dense · (None, 2)");
    expect(layerLabel({ ...LAYERS[1], output_shape: null })).toBe("hidden · Dense · several outputs");
  });
});

describe("an Applications block's layers", () => {
  it("are asked for at the block's input shape, from the one wire into it", () => {
    const edges = [
      { source: "in", target: "net", shape: [null, 96, 96, 3] },
      { source: "net", target: "pool", shape: [null, 3, 3, 1280] },
      { source: "a", target: "cat", shape: [null, 4] },
      { source: "b", target: "cat", shape: [null, 4] },
      {
        source: "multi",
        target: "m",
        shape: [
          [null, 2],
          [null, 3],
        ],
      },
    ];
    expect(inputShapeOf(edges, "net")).toEqual([96, 96, 3]);
    expect(inputShapeOf(edges, "cat")).toBeNull();
    expect(inputShapeOf(edges, "m")).toBeNull();
    expect(inputShapeOf(edges, "in")).toBeNull();
    expect(inputShapeOf(undefined, "net")).toBeNull();
  });

  it("are kept per network shape: the weights' run does not change them, alpha and the input do", () => {
    const key = blockKey("MobileNetV2", { alpha: 0.35, pooling: "avg" }, [96, 96, 3]);
    expect(blockKey("MobileNetV2", { pooling: "avg", alpha: 0.35, weights_run: 4 }, [96, 96, 3])).toBe(key);
    expect(blockKey("MobileNetV2", { alpha: 0.5, pooling: "avg" }, [96, 96, 3])).not.toBe(key);
    expect(blockKey("MobileNetV2", { alpha: 0.35, pooling: "avg" }, [64, 64, 3])).not.toBe(key);
    expect(blockKey("ResNet50", { alpha: 0.35, pooling: "avg" }, [96, 96, 3])).not.toBe(key);
  });
});

describe("params", () => {
  it("reads the block's source", () => {
    expect(sourceOf({ run: 3 })).toEqual(["run", 3]);
    expect(sourceOf({ upload: 2, run: null })).toEqual(["upload", 2]);
    expect(sourceOf({})).toBeNull();
    expect(sourceOf({ run: "3" })).toBeNull();
  });

  it("picking another model clears the other source and the layer names of the old model", () => {
    const set = { run: 3, cut_at: "hidden", trainable_from: "hidden", trainable: true };
    expect(withSource(set, "upload:2")).toEqual({ upload: 2, trainable: true });
    expect(withSource(set, "run:3")).toEqual(set);
    expect(withSource(set, "")).toEqual({ trainable: true });
  });

  it("a cut drops a trainable_from past it; none is null (left out)", () => {
    const set = { run: 3, trainable_from: "probs" };
    expect(withLayer(set, "cut_at", "hidden", LAYERS)).toEqual({ run: 3, cut_at: "hidden" });
    expect(withLayer(set, "cut_at", "probs", LAYERS)).toEqual({ ...set, cut_at: "probs" });
    expect(withLayer({ run: 3, cut_at: "hidden" }, "cut_at", "", LAYERS)).toEqual({ run: 3 });
    expect(withLayer({ run: 3 }, "trainable_from", "hidden", LAYERS)).toEqual({
      run: 3,
      trainable_from: "hidden",
    });
  });
});

describe("an imported trained model as a Pretrained block", () => {
  it("keeps the Input and Output and puts the block between them", () => {
    const doc = {
      version: 1 as const,
      name: "imported",
      nodes: [
        { id: "pixels", type: "Input", params: { shape: [784] }, position: { x: 0, y: 0 } },
        { id: "hidden", type: "Dense", params: { units: 2 } },
        { id: "pretrained", type: "Dense", params: { units: 10 } },
        { id: "label", type: "Output", params: { loss: "categorical_crossentropy" } },
      ],
      edges: [
        { source: "pixels", target: "hidden" },
        { source: "hidden", target: "pretrained" },
        { source: "pretrained", target: "label" },
      ],
    };
    expect(pretrainedDocument(doc, 7)).toEqual({
      version: 1,
      name: "imported",
      nodes: [
        { id: "pixels", type: "Input", params: { shape: [784] } },
        { id: "pretrained", type: "Pretrained", params: { upload: 7 } },
        { id: "label", type: "Output", params: { loss: "categorical_crossentropy" } },
      ],
      edges: [
        { source: "pixels", target: "pretrained" },
        { source: "pretrained", target: "label" },
      ],
    });
    const named = { ...doc, nodes: [{ id: "pretrained", type: "Input", params: {} }], edges: [] };
    expect(pretrainedDocument(named, 1).nodes.map((n) => n.id)).toEqual(["pretrained", "pretrained_2"]);
  });
});
