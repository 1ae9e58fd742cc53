// @vitest-environment jsdom
// Inside an open group the Inspector reads the validation answer by the block's path ("encoder/hidden"),
// and the group's port markers need no shape (or loss) of their own.
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ValidationResult } from "../api/types";
import { fromDocument } from "../graph/serialise";
import { graphStore } from "../graph/store";
import { catalog } from "../test-fixtures";
import { Inspector } from "./Inspector";

const s = () => graphStore.getState();

/** features -> encoder (x -> hidden -> y) -> label; a top-level block "hidden" too, with another shape. */
const doc = {
  version: 2,
  name: "grouped",
  nodes: [
    { id: "features", type: "Input", params: { shape: [8] } },
    {
      id: "encoder",
      type: "Group",
      params: {},
      graph: {
        nodes: [
          { id: "x", type: "Input", params: {} },
          { id: "hidden", type: "Dense", params: { units: 4 } },
          { id: "y", type: "Output", params: {} },
        ],
        edges: [
          { source: "x", target: "hidden" },
          { source: "hidden", target: "y" },
        ],
      },
    },
    { id: "hidden", type: "Dense", params: { units: 2 } },
    { id: "label", type: "Output", params: {} },
  ],
  edges: [
    { source: "features", target: "encoder" },
    { source: "encoder", target: "hidden" },
    { source: "hidden", target: "label" },
  ],
};

const report = (shape: (number | null)[], params: number) => ({
  output_shape: shape,
  params,
  trainable_params: params,
  macs: 0,
});

const validation = {
  valid: false,
  errors: [
    { node: "encoder/hidden", param: "units", message: "in group encoder: units is too small here" },
    { node: "encoder/hidden", message: "in group encoder: something about the inner block" },
    { node: "label", param: "loss", message: "Output needs loss" },
  ],
  warnings: [{ node: "encoder/hidden", message: "in group encoder: a warning on the inner block" }],
  nodes: {
    features: report([null, 8], 0),
    encoder: report([null, 4], 36),
    "encoder/x": report([null, 8], 0),
    "encoder/hidden": report([null, 4], 36),
    "encoder/y": report([null, 4], 0),
    hidden: report([null, 2], 10),
    label: report([null, 2], 0),
  },
  edges: [],
  total_params: 46,
  trainable_params: 46,
  total_macs: 0,
} as unknown as ValidationResult;

beforeEach(() => {
  s().setCatalog(catalog);
  s().loadGraph(fromDocument(doc), { undoable: false });
  s().setValidation(validation);
});
afterEach(() => {
  cleanup();
  s().closeTo(0);
});

const show = (id: string) => act(() => s().selectOnly(id));

describe("the Inspector inside an open group", () => {
  it("shows the inner block's own shape, parameters, errors and warnings (by path)", () => {
    render(<Inspector />);
    show("hidden");
    expect(screen.getByTestId("inspector-shape").textContent).toBe("(None, 2)");
    expect(screen.queryByTestId("inspector-errors")).toBeNull();

    act(() => void s().openGroup("encoder"));
    show("hidden");
    expect(screen.getByTestId("inspector-shape").textContent).toBe("(None, 4)");
    expect(screen.getByTestId("inspector-params").textContent).toBe("36");
    expect(screen.getByTestId("field-error-units").textContent).toBe(
      "in group encoder: units is too small here",
    );
    expect(screen.getByTestId("inspector-errors").textContent).toBe(
      "in group encoder: something about the inner block",
    );
    expect(screen.getByText("in group encoder: a warning on the inner block")).toBeTruthy();
  });

  it("needs no shape on a group's Input nor a loss on its Output; the top level still does", () => {
    render(<Inspector />);
    act(() => void s().openGroup("encoder"));
    show("x");
    expect(screen.getByTestId("inspector-shape").textContent).toBe("(None, 8)");
    expect(screen.queryByTestId("field-error-shape")).toBeNull();
    show("y");
    expect(screen.queryByTestId("field-error-loss")).toBeNull();

    act(() => s().closeTo(0));
    show("label");
    expect(screen.getByTestId("field-error-loss").textContent).toMatch(/^Output needs loss: /);
  });

  it("lists an Applications block's layers at the input shape of its wire inside the group", () => {
    const net = {
      id: "net",
      type: "block" as const,
      position: { x: 0, y: 0 },
      data: { type: "MobileNetV2", params: {} },
    };
    render(<Inspector />);
    act(() => void s().openGroup("encoder"));
    act(() => {
      s().loadGraph({ ...s(), nodes: [...s().nodes, net] }, { undoable: false });
      s().setValidation({
        ...validation,
        edges: [{ source: "encoder/x", target: "encoder/net", shape: [null, 96, 96, 3] }],
      } as unknown as ValidationResult);
    });
    show("net");
    expect(screen.getByTestId("inspector-layers")).toBeTruthy();
  });
});
