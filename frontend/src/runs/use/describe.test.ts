import { describe, expect, it } from "vitest";
import { asBatch, errorPlace, imageOf, normaliseDescription } from "./describe";

describe("normaliseDescription", () => {
  it("keeps the contract's fields as the server gives them", () => {
    const d = normaliseDescription({
      inputs: [
        {
          name: "pixels",
          kind: "image",
          shape: [784],
          dtype: "float32",
          image: { width: 28, height: 28, channels: 1 },
        },
      ],
      outputs: [{ name: "label", kind: "classification", classes: ["a", "b"] }],
      max_samples: 64,
    });
    expect(d.inputs[0]).toMatchObject({ kind: "image", image: { width: 28, height: 28, channels: 1 } });
    expect(d.outputs[0]).toMatchObject({ kind: "classification", classes: ["a", "b"] });
    expect(d.max_samples).toBe(64);
  });

  it("derives kinds from Predictor.describe()'s plainer facts", () => {
    const d = normaliseDescription({
      inputs: [
        { name: "img", shape: [28, 28, 1], dtype: "float32", modality: "image" },
        { name: "ids", shape: [null], dtype: "int32", modality: "text" },
        { name: "x", shape: [3], dtype: "float32", modality: null },
        { name: "odd", shape: [5, 5, 7], dtype: "float32", modality: "image" },
        { name: "flat", shape: [784], dtype: "float32", modality: "image" },
      ],
      outputs: [
        { name: "label", shape: [10], task: "classification", class_names: ["c0"] },
        { name: "price", shape: [1], task: "regression", class_names: null },
      ],
    });
    expect(d.inputs.map((i) => i.kind)).toEqual(["image", "sequence", "array", "array", "image"]);
    expect(d.inputs[4].image).toEqual({ height: 28, width: 28, channels: 1 });
    expect(d.inputs[0].image).toEqual({ height: 28, width: 28, channels: 1 });
    expect(d.outputs.map((o) => o.kind)).toEqual(["classification", "regression"]);
    expect(d.outputs[0].classes).toEqual(["c0"]);
  });

  it("imageOf", () => {
    expect(imageOf([32, 32, 3])).toEqual({ height: 32, width: 32, channels: 3 });
    expect(imageOf([784])).toBeNull();
    expect(imageOf([null, 28])).toBeNull();
  });
});

describe("errorPlace", () => {
  const inputs = normaliseDescription({
    inputs: [
      { name: "pixels", kind: "image", shape: [28, 28], dtype: "float32" },
      {
        name: "features",
        kind: "tabular",
        shape: [4],
        dtype: "float32",
        columns: [{ name: "age", kind: "number" }],
      },
    ],
  }).inputs;
  it("points at the input, file drop or column the server names", () => {
    expect(errorPlace("inputs.pixels", inputs)).toEqual({ input: "pixels", column: null });
    expect(errorPlace("files[0]", inputs)).toEqual({ input: "pixels", column: null });
    expect(errorPlace("columns.age", inputs)).toEqual({ input: "features", column: "age" });
    expect(errorPlace("inputs.nothere", inputs)).toEqual({ input: null, column: null });
    expect(errorPlace("inputs", inputs)).toEqual({ input: null, column: null });
    expect(errorPlace(undefined, inputs)).toEqual({ input: null, column: null });
  });
});

describe("asBatch", () => {
  const description = normaliseDescription({
    inputs: [
      { name: "pixels", kind: "image", shape: [784], dtype: "float32" },
      { name: "grid", kind: "array", shape: [2, 2], dtype: "float32" },
    ],
  });
  it("wraps one sample per input into a list of samples", () => {
    expect(
      asBatch(
        {
          pixels: [0, 0.5],
          grid: [
            [1, 2],
            [3, 4],
          ],
        },
        description,
      ),
    ).toEqual({
      pixels: [[0, 0.5]],
      grid: [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    });
  });
  it("keeps a list of samples as it is", () => {
    expect(
      asBatch(
        {
          pixels: [[0, 0.5]],
          grid: [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        },
        description,
      ),
    ).toEqual({
      pixels: [[0, 0.5]],
      grid: [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    });
  });
});
