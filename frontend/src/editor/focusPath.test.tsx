// @vitest-environment jsdom
// A problem named by a path ("a/b/c") opens the groups on the way and selects the inner block.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ValidationResult } from "../api/types";
import { pathPrefix } from "../graph/groups";
import { fromDocument } from "../graph/serialise";
import { createGraphStore, graphStore, type GraphStore } from "../graph/store";
import { catalog } from "../test-fixtures";
import { showPath } from "./focusPath";
import { StatusBar } from "./StatusBar";
import { useEditorUi } from "./ui";

const port = (id: string, type: "Input" | "Output") => ({ id, type, params: {} });
const dense = (id: string) => ({ id, type: "Dense", params: { units: 2 } });
const group = (id: string, inner: object[], edges: object[]) => ({
  id,
  type: "Group",
  params: {},
  graph: { nodes: inner, edges },
});
const wire = (source: string, target: string) => ({ source, target });

/** features -> a (x -> b (x -> c -> y) -> y) -> e (x -> d -> y) -> top -> label */
const doc = {
  version: 2,
  name: "nested",
  nodes: [
    { id: "features", type: "Input", params: { shape: [4] } },
    group(
      "a",
      [
        port("x", "Input"),
        group("b", [port("x", "Input"), dense("c"), port("y", "Output")], [wire("x", "c"), wire("c", "y")]),
        port("y", "Output"),
      ],
      [wire("x", "b"), wire("b", "y")],
    ),
    group("e", [port("x", "Input"), dense("d"), port("y", "Output")], [wire("x", "d"), wire("d", "y")]),
    dense("top"),
    { id: "label", type: "Output", params: { loss: "mse" } },
  ],
  edges: [wire("features", "a"), wire("a", "e"), wire("e", "top"), wire("top", "label")],
};

const level = (store: GraphStore) => pathPrefix(store.getState().frames);
const picked = (store: GraphStore) =>
  store
    .getState()
    .nodes.filter((n) => n.selected)
    .map((n) => n.id);

function load(store: GraphStore) {
  store.getState().setCatalog(catalog);
  store.getState().loadGraph(fromDocument(doc), { undoable: false });
}

describe("showPath", () => {
  let store: GraphStore;
  beforeEach(() => {
    store = createGraphStore();
    load(store);
  });

  it("opens every group on the way to a nested block and selects it", () => {
    expect(showPath(store.getState, "a/b/c")).toBe("c");
    expect(level(store)).toBe("a/b/");
    expect(picked(store)).toEqual(["c"]);
  });

  it("goes out only as far as needed: to a sibling group, to the top, or stays", () => {
    store.getState().openGroup("a");
    expect(showPath(store.getState, "a/b/c")).toBe("c");
    expect(level(store)).toBe("a/b/");
    expect(showPath(store.getState, "e/d")).toBe("d");
    expect(level(store)).toBe("e/");
    expect(showPath(store.getState, "e/d")).toBe("d");
    expect(level(store)).toBe("e/");
    expect(showPath(store.getState, "top")).toBe("top");
    expect(level(store)).toBe("");
    expect(picked(store)).toEqual(["top"]);
    // a group itself (an error on the group) is selected on its own level
    store.getState().openGroup("a");
    store.getState().openGroup("b");
    expect(showPath(store.getState, "a/b")).toBe("b");
    expect(level(store)).toBe("a/");
    expect(picked(store)).toEqual(["b"]);
  });

  it("selects the group when a step on the way is no group with blocks", () => {
    expect(showPath(store.getState, "top/c")).toBe("top");
    expect(level(store)).toBe("");
    expect(picked(store)).toEqual(["top"]);
    expect(showPath(store.getState, "")).toBeNull();
  });
});

describe("the status bar's error list", () => {
  beforeEach(() => load(graphStore));
  afterEach(() => {
    cleanup();
    graphStore.getState().closeTo(0);
    useEditorUi.setState({ open: null });
  });

  it("opens the group of an error named by a path and selects the inner block", () => {
    graphStore.getState().setValidation({
      valid: false,
      errors: [{ node: "a/b/c", param: "units", message: "in group a/b: units is wrong" }],
      warnings: [{ node: "e/d", message: "in group e: 'd' leads to no Output" }],
      nodes: {},
      edges: [],
      total_params: 0,
      trainable_params: 0,
      total_macs: 0,
    } as unknown as ValidationResult);
    render(<StatusBar />);
    fireEvent.click(screen.getByTestId("status-errors"));
    act(() => fireEvent.click(screen.getByTestId("error-item-0")));
    expect(level(graphStore)).toBe("a/b/");
    expect(picked(graphStore)).toEqual(["c"]);
    act(() => fireEvent.click(screen.getByTestId("warning-item-0")));
    expect(level(graphStore)).toBe("e/");
    expect(picked(graphStore)).toEqual(["d"]);
  });
});
