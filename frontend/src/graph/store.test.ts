import { beforeEach, describe, expect, it } from "vitest";
import { catalog, examples } from "../test-fixtures";
import { fromDocument, toDocument } from "./serialise";
import { createGraphStore, type GraphStore } from "./store";

let store: GraphStore;
const s = () => store.getState();
const ids = () => s().nodes.map((n) => n.id);
const edgePairs = () => s().edges.map((e) => `${e.source}->${e.target}:${e.targetHandle}`);

beforeEach(() => {
  store = createGraphStore();
  s().setCatalog(catalog);
});

describe("adding blocks", () => {
  it("gives readable unique ids by type", () => {
    expect(s().addNode("Dense", { x: 0, y: 0 })).toBe("dense_1");
    expect(s().addNode("Dense", { x: 0, y: 100 })).toBe("dense_2");
    expect(s().addNode("Conv2D", { x: 0, y: 200 })).toBe("conv2d_1");
    expect(s().addNode("Input", { x: 0, y: 300 })).toBe("input_1");
    expect(ids()).toEqual(["dense_1", "dense_2", "conv2d_1", "input_1"]);
    expect(s().nodes.at(-1)!.data).toEqual({ type: "Input", params: {} });
  });

  it("selects only the new block", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 0 });
    expect(s().nodes.map((n) => !!n.selected)).toEqual([false, true]);
  });
});

describe("connecting", () => {
  beforeEach(() => {
    s().addNode("Input", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 100 });
    s().addNode("Dense", { x: 0, y: 200 });
    s().addNode("Concatenate", { x: 0, y: 300 });
  });

  it("adds an edge with its port", () => {
    expect(
      s().connect({ source: "input_1", target: "dense_1", sourceHandle: "out", targetHandle: "in-0" }),
    ).toBeNull();
    expect(
      s().connect({ source: "dense_1", target: "concatenate_1", sourceHandle: "out", targetHandle: "in-1" }),
    ).toBeNull();
    expect(edgePairs()).toEqual(["input_1->dense_1:in-0", "dense_1->concatenate_1:in-1"]);
    expect(toDocument(s()).edges).toEqual([
      { source: "input_1", target: "dense_1" },
      { source: "dense_1", target: "concatenate_1", port: 1 },
    ]);
  });

  it("refuses cycles and filled ports without changing the graph", () => {
    s().connect({ source: "dense_1", target: "dense_2", targetHandle: "in-0" });
    expect(s().connect({ source: "dense_2", target: "dense_1", targetHandle: "in-0" })).toMatch(/cycle/);
    expect(s().connect({ source: "input_1", target: "dense_2", targetHandle: "in-0" })).toMatch(/already/);
    expect(s().edges).toHaveLength(1);
  });
});

describe("deleting", () => {
  it("deletes the selection and the edges that touch it", () => {
    s().addNode("Input", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 100 });
    s().addNode("Output", { x: 0, y: 200 });
    s().connect({ source: "input_1", target: "dense_1", targetHandle: "in-0" });
    s().connect({ source: "dense_1", target: "output_1", targetHandle: "in-0" });
    s().selectOnly("dense_1");
    s().deleteSelected();
    expect(ids()).toEqual(["input_1", "output_1"]);
    expect(s().edges).toEqual([]);
    s().undo();
    expect(ids()).toEqual(["input_1", "dense_1", "output_1"]);
    expect(s().edges).toHaveLength(2);
  });

  it("deletes selected edges alone", () => {
    s().addNode("Input", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 100 });
    s().connect({ source: "input_1", target: "dense_1", targetHandle: "in-0" });
    s().selectOnly(null);
    s().onEdgesChange([{ type: "select", id: s().edges[0].id, selected: true }]);
    s().deleteSelected();
    expect(s().edges).toEqual([]);
    expect(ids()).toEqual(["input_1", "dense_1"]);
  });
});

describe("undo and redo", () => {
  it("steps back and forth through edits", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 0 });
    s().updateParams("dense_1", { units: 8 });
    s().undo();
    expect(s().nodes[0].data.params).toEqual({});
    s().undo();
    expect(ids()).toEqual(["dense_1"]);
    s().redo();
    expect(ids()).toEqual(["dense_1", "dense_2"]);
    s().redo();
    expect(s().nodes[0].data.params).toEqual({ units: 8 });
    expect(s().future).toHaveLength(0);
  });

  it("forgets the redo branch after a new edit", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 0 });
    s().undo();
    s().addNode("Flatten", { x: 0, y: 0 });
    expect(s().future).toHaveLength(0);
    expect(ids()).toEqual(["dense_1", "flatten_1"]);
  });

  it("records a drag as one step however many moves it has", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    const before = s().past.length;
    s().beginDrag();
    for (let i = 1; i <= 25; i++) {
      s().onNodesChange([
        { type: "position", id: "dense_1", position: { x: i * 4, y: i * 2 }, dragging: true },
      ]);
    }
    s().endDrag();
    expect(s().past.length).toBe(before + 1);
    expect(s().nodes[0].position).toEqual({ x: 100, y: 50 });
    s().undo();
    expect(s().nodes[0].position).toEqual({ x: 0, y: 0 });
    s().redo();
    expect(s().nodes[0].position).toEqual({ x: 100, y: 50 });
  });

  it("records nothing for a click that did not move anything", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    const before = s().past.length;
    s().beginDrag();
    s().endDrag();
    expect(s().past.length).toBe(before);
  });

  it("keeps the present selection where the blocks still exist, never an old one", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 100 });
    s().selectOnly("dense_1");
    s().updateParams("dense_1", { units: 8 });
    s().undo();
    expect(s().nodes.find((n) => n.id === "dense_1")!.selected).toBe(true);
    expect(s().nodes.find((n) => n.id === "dense_2")!.selected).toBe(false);
    s().redo();
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(["dense_1"]);
    // Undoing the block's creation leaves nothing selected; the old selection (dense_1 when
    // dense_2 was added) is not brought back.
    s().selectOnly("dense_2");
    s().undo();
    s().undo();
    expect(ids()).toEqual(["dense_1"]);
    expect(s().nodes[0].selected).toBe(false);
  });

  it("does not record selection changes", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    const before = s().past.length;
    s().selectAll();
    s().selectOnly(null);
    s().onNodesChange([{ type: "select", id: "dense_1", selected: true }]);
    expect(s().past.length).toBe(before);
  });

  it("makes typing into one field one step", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    const before = s().past.length;
    s().updateParams("dense_1", { units: 5 }, "params:dense_1:units");
    s().updateParams("dense_1", { units: 51 }, "params:dense_1:units");
    s().updateParams("dense_1", { units: 512 }, "params:dense_1:units");
    expect(s().past.length).toBe(before + 1);
    s().updateParams("dense_1", { units: 512, activation: "relu" }, "params:dense_1:activation");
    expect(s().past.length).toBe(before + 2);
    s().undo();
    s().undo();
    expect(s().nodes[0].data.params).toEqual({});
  });

  it("undoes a loaded template back to the previous canvas", () => {
    s().addNode("Dense", { x: 0, y: 0 });
    s().loadGraph(fromDocument(examples.mnist_mlp));
    expect(ids()).toEqual(["pixels", "hidden", "probs", "label"]);
    expect(s().name).toBe("mnist_mlp");
    s().undo();
    expect(ids()).toEqual(["dense_1"]);
  });
});

describe("copy, cut and paste", () => {
  beforeEach(() => {
    s().loadGraph(fromDocument(examples.residual_block), { undoable: false });
  });

  it("pastes the selected blocks with the edges between them, renamed and offset", () => {
    for (const id of ["conv_b", "shortcut", "sum"])
      s().onNodesChange([{ type: "select", id, selected: true }]);
    expect(s().copySelection()).toBe(3);
    const pasted = s().paste();
    expect(pasted).toEqual(["conv_b_1", "shortcut_1", "sum_1"]);
    const originals = new Map(s().nodes.map((n) => [n.id, n.position]));
    expect(originals.get("sum_1")).toEqual({
      x: originals.get("sum")!.x + 40,
      y: originals.get("sum")!.y + 40,
    });
    // only the inner edges come along, keeping their ports
    const inner = s().edges.filter((e) => pasted.includes(e.target));
    expect(inner.map((e) => `${e.source}->${e.target}:${e.targetHandle}`)).toEqual([
      "conv_b_1->sum_1:in-0",
      "shortcut_1->sum_1:in-1",
    ]);
    // the pasted blocks are the selection now
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(pasted);
    expect(s().nodes.find((n) => n.id === "conv_b_1")!.data).toEqual(
      s().nodes.find((n) => n.id === "conv_b")!.data,
    );
  });

  it("renames again on a second paste and offsets further", () => {
    s().selectOnly("conv_a");
    s().copySelection();
    s().paste();
    s().paste();
    expect(ids().slice(-2)).toEqual(["conv_a_1", "conv_a_2"]);
    const base = s().nodes.find((n) => n.id === "conv_a")!.position;
    expect(s().nodes.find((n) => n.id === "conv_a_2")!.position).toEqual({ x: base.x + 80, y: base.y + 80 });
  });

  it("pastes at the pointer, never on top of the blocks it was copied from", () => {
    for (const id of ["conv_b", "shortcut"]) s().onNodesChange([{ type: "select", id, selected: true }]);
    s().copySelection();
    const from = (id: string) => s().nodes.find((n) => n.id === id)!.position;
    const left = Math.min(from("conv_b").x, from("shortcut").x);
    const top = Math.min(from("conv_b").y, from("shortcut").y);
    // far from the originals: the group's top-left corner lands on the pointer
    s().paste({ x: left + 2000, y: top + 1000 });
    const placed = s().nodes.filter((n) => n.selected);
    expect(Math.min(...placed.map((n) => n.position.x))).toBe(left + 2000);
    expect(Math.min(...placed.map((n) => n.position.y))).toBe(top + 1000);
    // the pointer over the originals: moved off them
    const [pastedA, pastedB] = s().paste({ x: left + 10, y: top + 10 });
    const overlap = (a: string, b: string) => {
      const p = from(a);
      const q = from(b);
      return Math.abs(p.x - q.x) < 200 && Math.abs(p.y - q.y) < 80;
    };
    for (const pasted of [pastedA, pastedB])
      for (const original of ["conv_b", "shortcut"]) expect(overlap(pasted, original)).toBe(false);
  });

  it("keeps ids free after a cut", () => {
    s().selectOnly("act");
    expect(s().cutSelection()).toBe(1);
    expect(ids()).not.toContain("act");
    expect(s().paste()).toEqual(["act"]);
  });

  it("renames copies of numbered ids with the next free number", () => {
    store = createGraphStore();
    s().addNode("Dense", { x: 0, y: 0 });
    s().addNode("Dense", { x: 0, y: 0 });
    s().selectOnly("dense_1");
    s().copySelection();
    expect(s().paste()).toEqual(["dense_3"]);
  });

  it("is undone in one step", () => {
    s().selectAll();
    s().copySelection();
    const count = s().nodes.length;
    s().paste();
    expect(s().nodes.length).toBe(count * 2);
    s().undo();
    expect(s().nodes.length).toBe(count);
  });
});

describe("renaming", () => {
  it("renames a block and its edges", () => {
    s().loadGraph(fromDocument(examples.mnist_mlp), { undoable: false });
    expect(s().renameNode("hidden", "dense_hidden")).toBeNull();
    expect(ids()).toContain("dense_hidden");
    expect(toDocument(s()).edges).toEqual([
      { source: "pixels", target: "dense_hidden" },
      { source: "dense_hidden", target: "probs" },
      { source: "probs", target: "label" },
    ]);
  });

  it("refuses bad and taken ids", () => {
    s().loadGraph(fromDocument(examples.mnist_mlp), { undoable: false });
    expect(s().renameNode("hidden", "probs")).toMatch(/already used/);
    expect(s().renameNode("hidden", "has space")).toMatch(/letters/);
    expect(s().renameNode("hidden", "")).toMatch(/required/);
    expect(s().renameNode("hidden", "x".repeat(65))).toMatch(/64/);
    expect(ids()).toContain("hidden");
  });
});
