import { describe, expect, it } from "vitest";
import { flatten, formatValue, graphDiff, metricRows, sameValue, settingsRows } from "./diff";

const training = (lr: number, patience = 3) => ({
  optimizer: "adam",
  learning_rate: lr,
  batch_size: 32,
  callbacks: { early_stopping: { enabled: true, patience }, tensorboard: true },
  augment: {},
});

describe("flatten", () => {
  it("names nested settings with dots and keeps arrays and empty objects as values", () => {
    expect(flatten({ a: 1, b: { c: [1, 2], d: { e: null } }, f: {} })).toEqual({
      a: 1,
      "b.c": [1, 2],
      "b.d.e": null,
      f: {},
    });
  });
});

describe("sameValue", () => {
  it("compares JSON values deeply, whatever the key order", () => {
    expect(sameValue({ a: [1, { b: 2 }], c: "x" }, { c: "x", a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(0.001, 0.01)).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
  });
});

describe("settingsRows", () => {
  it("has every setting any run has, and marks the ones that differ", () => {
    const rows = settingsRows([training(0.001), training(0.01), training(0.001)]);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(Object.keys(byKey)).toEqual([
      "augment",
      "batch_size",
      "callbacks.early_stopping.enabled",
      "callbacks.early_stopping.patience",
      "callbacks.tensorboard",
      "learning_rate",
      "optimizer",
    ]);
    expect(byKey.learning_rate).toEqual({
      key: "learning_rate",
      values: [0.001, 0.01, 0.001],
      differs: true,
    });
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual(["learning_rate"]);
  });

  it("marks a setting only one run has as differing", () => {
    const rows = settingsRows([{ a: 1 }, { a: 1, b: 2 }]);
    expect(rows.find((r) => r.key === "b")).toEqual({ key: "b", values: [undefined, 2], differs: true });
    expect(rows.find((r) => r.key === "a")?.differs).toBe(false);
  });
});

describe("formatValue", () => {
  it("shows numbers short, strings bare, the rest as JSON", () => {
    expect(formatValue(0.1 + 0.2)).toBe("0.3");
    expect(formatValue(32)).toBe("32");
    expect(formatValue("adam")).toBe("adam");
    expect(formatValue([3, 3])).toBe("[3,3]");
    expect(formatValue(null)).toBe("null");
    expect(formatValue(undefined)).toBe("–");
  });
});

describe("metricRows", () => {
  const a = {
    best: { metric: "val_loss", value: 0.5, epoch: 2 },
    history: [
      { epoch: 1, metrics: { loss: 0.9, val_loss: 0.7, val_accuracy: 0.6 } },
      { epoch: 2, metrics: { loss: 0.6, val_loss: 0.5, val_accuracy: 0.8 } },
    ],
    test: { loss: 0.55, accuracy: 0.81 },
  };
  const b = {
    best: { metric: "val_loss", value: 0.4, epoch: 1 },
    history: [{ epoch: 1, metrics: { loss: 0.7, val_loss: 0.4, val_accuracy: 0.7 } }],
    test: { loss: 0.45, accuracy: 0.79 },
  };

  it("gives best, final (the last epoch) and test rows, each with its best run", () => {
    const rows = metricRows([a, b]);
    expect(rows.map((r) => `${r.kind} ${r.metric}`)).toEqual([
      "best val_loss",
      "final val_loss",
      "final loss",
      "final val_accuracy",
      "test loss",
      "test accuracy",
    ]);
    const get = (kind: string, metric: string) => rows.find((r) => r.kind === kind && r.metric === metric)!;
    expect(get("best", "val_loss")).toMatchObject({ values: [0.5, 0.4], epochs: [2, 1], best: 1 });
    expect(get("final", "val_accuracy")).toMatchObject({ values: [0.8, 0.7], epochs: [2, 1], best: 0 });
    expect(get("test", "accuracy").best).toBe(0); // higher is better
    expect(get("test", "loss").best).toBe(1); // lower is better
  });

  it("names no best run for a tie or a single value, and keeps runs without metrics as nulls", () => {
    const rows = metricRows([{ test: { loss: 1 } }, { test: { loss: 1 } }, { history: [], best: null }]);
    expect(rows).toEqual([
      {
        kind: "test",
        metric: "loss",
        values: [1, 1, null],
        epochs: [null, null, null],
        best: null,
        differs: true,
      },
    ]);
    expect(metricRows([{ test: { loss: 1 } }])[0].best).toBeNull();
  });
});

interface Doc {
  version?: number;
  nodes: { id: string; type: string; params: Record<string, unknown>; position?: unknown }[];
  edges: { source: string; target: string }[];
}

describe("graphDiff", () => {
  const base: Doc = {
    version: 1,
    nodes: [
      { id: "x", type: "Input", params: { shape: [64] } },
      { id: "hidden", type: "Dense", params: { units: 16, activation: "relu" } },
      { id: "drop", type: "Dropout", params: { rate: 0.2 } },
      { id: "probs", type: "Dense", params: { units: 10, activation: "softmax" } },
      { id: "y", type: "Output", params: { loss: "sparse_categorical_crossentropy" } },
    ],
    edges: [
      { source: "x", target: "hidden" },
      { source: "hidden", target: "drop" },
      { source: "drop", target: "probs" },
      { source: "probs", target: "y" },
    ],
  };

  it("is empty for the same graph, whatever the positions", () => {
    const moved = structuredClone(base);
    moved.nodes[1].position = { x: 5, y: 9 };
    expect(graphDiff(base, moved).same).toBe(true);
  });

  it("finds blocks added, removed, changed (their parameters, by node id) and the wires", () => {
    const next = structuredClone(base);
    next.nodes[1].params = { units: 64, activation: "relu" };
    next.nodes.splice(2, 1); // drop removed
    next.nodes.push({ id: "norm", type: "BatchNormalization", params: {} });
    next.edges = [
      { source: "x", target: "hidden" },
      { source: "hidden", target: "norm" },
      { source: "norm", target: "probs" },
      { source: "probs", target: "y" },
    ];
    const diff = graphDiff(base, next);
    expect(diff.same).toBe(false);
    expect(diff.added).toEqual([{ id: "norm", type: "BatchNormalization" }]);
    expect(diff.removed).toEqual([{ id: "drop", type: "Dropout" }]);
    expect(diff.changed).toEqual([
      { id: "hidden", type: "Dense", params: [{ name: "units", before: 16, after: 64 }] },
    ]);
    expect(diff.edgesAdded).toEqual(["hidden → norm", "norm → probs"]);
    expect(diff.edgesRemoved).toEqual(["drop → probs", "hidden → drop"]);
  });

  it("names a changed type, a parameter set or reset, and the blocks inside groups by path", () => {
    const group = (units: number, extra: Record<string, unknown> = {}) => ({
      nodes: [
        {
          id: "enc",
          type: "Group",
          params: {},
          graph: { nodes: [{ id: "d", type: "Dense", params: { units, ...extra } }], edges: [] },
        },
        { id: "rnn", type: "Bidirectional", params: { layer: { type: "LSTM", params: { units: 8 } } } },
      ],
      edges: [{ source: "enc", target: "rnn", port: 0 }],
    });
    const after = group(32, { use_bias: false });
    after.nodes[1] = {
      id: "rnn",
      type: "Bidirectional",
      params: { layer: { type: "GRU", params: { units: 8 } } },
    };
    const diff = graphDiff(group(16), after);
    expect(diff.changed).toEqual([
      {
        id: "enc/d",
        type: "Dense",
        params: [
          { name: "units", before: 16, after: 32 },
          { name: "use_bias", before: undefined, after: false },
        ],
      },
      { id: "rnn", type: "Bidirectional", params: [{ name: "layer.type", before: "LSTM", after: "GRU" }] },
    ]);
    const retyped = graphDiff(base, {
      ...base,
      nodes: base.nodes.map((n) => (n.id === "drop" ? { ...n, type: "GaussianDropout" } : n)),
    });
    expect(retyped.changed).toEqual([
      { id: "drop", type: "GaussianDropout", typeBefore: "Dropout", params: [] },
    ]);
  });

  it("reads anything that is not a graph as an empty one", () => {
    expect(graphDiff(null, { nodes: "nope" }).same).toBe(true);
    expect(graphDiff({}, base).added).toHaveLength(5);
  });
});
