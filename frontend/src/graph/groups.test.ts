import { beforeEach, describe, expect, it } from "vitest";
import { catalog } from "../test-fixtures";
import { blockOf, idForName } from "../blocks/savedBlocks";
import { checkWire, groupBlocks, groupProblems, pathPrefix, portsOf, ungroupBlock } from "./groups";
import { readWork, writeWork } from "./persist";
import { fromDocument, nodeToDocument, toDocument, type DocNodeV2 } from "./serialise";
import { createGraphStore, type GraphStore } from "./store";
import { meaningKey } from "./validation";
import type { BlockNode } from "./types";

let store: GraphStore;
const s = () => store.getState();
const ids = () => s().nodes.map((n) => n.id);
const wires = (edges = s().edges) =>
  edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}:${e.targetHandle}`);
const node = (id: string, nodes = s().nodes): BlockNode => nodes.find((n) => n.id === id)!;
const select = (...picked: string[]) =>
  store.setState({ nodes: s().nodes.map((n) => ({ ...n, selected: picked.includes(n.id) })) });

/** pixels -> d1 -> d2 -> d3 -> label, and d1 -> concat <- d2 (a branch), as a document. */
const chain = {
  version: 1,
  name: "chain",
  nodes: [
    { id: "pixels", type: "Input", params: { shape: [8] }, position: { x: 0, y: 0 } },
    { id: "d1", type: "Dense", params: { units: 4 }, position: { x: 0, y: 100 } },
    { id: "d2", type: "Dense", params: { units: 4 }, position: { x: 0, y: 200 } },
    { id: "d3", type: "Dense", params: { units: 2 }, position: { x: 0, y: 300 } },
    { id: "cat", type: "Concatenate", params: {}, position: { x: 300, y: 400 } },
    { id: "label", type: "Output", params: { loss: "mse" }, position: { x: 0, y: 500 } },
  ],
  edges: [
    { source: "pixels", target: "d1" },
    { source: "d1", target: "d2" },
    { source: "d2", target: "d3" },
    { source: "d1", target: "cat", port: 0 },
    { source: "d3", target: "cat", port: 1 },
    { source: "cat", target: "label" },
  ],
};

beforeEach(() => {
  store = createGraphStore();
  s().setCatalog(catalog);
  s().loadGraph(fromDocument(chain), { undoable: false });
});

describe("grouping", () => {
  it("makes one Group whose ports are the wires across the selection's border", () => {
    select("d2", "d3");
    expect(s().groupSelected()).toBeNull();
    expect(ids()).toEqual(["pixels", "d1", "group_1", "cat", "label"]);
    const group = node("group_1");
    expect(group.selected).toBe(true);
    expect(group.data.type).toBe("Group");
    // d1 feeds in once (one Input for one outside source); d3 feeds out (one Output)
    expect(portsOf(group.data)).toEqual({ inputs: ["d1"], outputs: ["d3_out"] });
    expect(wires(group.data.graph!.edges)).toEqual([
      "d1:out->d2:in-0",
      "d2:out->d3:in-0",
      "d3:out->d3_out:in-0",
    ]);
    expect(wires()).toEqual([
      "pixels:out->d1:in-0",
      "d1:out->group_1:in-0",
      "d1:out->cat:in-0",
      "group_1:out->cat:in-1",
      "cat:out->label:in-0",
    ]);
  });

  it("gives one Input per distinct outside source and one Output per inner block read outside", () => {
    const nodes = fromDocument(chain).nodes;
    const edges = fromDocument(chain).edges;
    const grouped = groupBlocks(nodes, edges, new Set(["d1", "d2", "d3"]));
    if (typeof grouped === "string") throw new Error(grouped);
    const group = node(grouped.groupId, grouped.nodes);
    // d1 and d3 both feed cat: two outputs, the second on its own source handle
    expect(portsOf(group.data)).toEqual({ inputs: ["pixels"], outputs: ["d1_out", "d3_out"] });
    expect(wires(grouped.edges)).toContain("group_1:out->cat:in-0");
    expect(wires(grouped.edges)).toContain("group_1:out-1->cat:in-1");
  });

  it("refuses Input and Output markers and an empty selection", () => {
    select("pixels", "d1");
    expect(s().groupSelected()).toMatch(/Input blocks stay outside a group/);
    select();
    expect(s().groupSelected()).toMatch(/select the blocks/);
    expect(s().past).toHaveLength(0);
  });

  it("is one undo step, and redo groups again", () => {
    select("d2", "d3");
    s().groupSelected();
    const grouped = toDocument(s());
    s().undo();
    expect(toDocument(s())).toEqual(toDocument({ ...fromDocument(chain) }));
    s().redo();
    expect(toDocument(s())).toEqual(grouped);
  });
});

describe("ungrouping", () => {
  it("puts the blocks back and rewires the port wires", () => {
    const before = wires();
    select("d2", "d3");
    s().groupSelected();
    expect(s().ungroupSelected()).toBeNull();
    expect(new Set(ids())).toEqual(new Set(["pixels", "d1", "d2", "d3", "cat", "label"]));
    expect(new Set(wires())).toEqual(new Set(before));
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(["d2", "d3"]);
  });

  it("renames blocks whose ids the level already uses, and is undoable", () => {
    const grouped = groupBlocks(s().nodes, s().edges, new Set(["d2"]));
    if (typeof grouped === "string") throw new Error(grouped);
    // another block named d2 appears beside the group
    const nodes = [...grouped.nodes, { ...node("d1"), id: "d2", selected: false }];
    const back = ungroupBlock(nodes, grouped.edges, grouped.groupId);
    if (typeof back === "string") throw new Error(back);
    expect(back.ids).toEqual(["d2_1"]);
    expect(wires(back.edges)).toContain("d1:out->d2_1:in-0");
    expect(wires(back.edges)).toContain("d2_1:out->d3:in-0");

    select("d2", "d3");
    s().groupSelected();
    const groupedDoc = toDocument(s());
    s().ungroupSelected("group_1");
    s().undo();
    expect(toDocument(s())).toEqual(groupedDoc);
  });

  it("ungroups a group left with no blocks inside (only its ports)", () => {
    select("d2");
    s().groupSelected();
    s().openGroup("group_1");
    s().deleteElements(["d2"]);
    s().closeTo(0);
    expect(s().ungroupSelected("group_1")).toBeNull();
    expect(ids()).toEqual(["pixels", "d1", "d3", "cat", "label"]);
    expect(s().nodes.every((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y))).toBe(true);
  });

  it("refuses while another group shares the group's weights", () => {
    select("d2");
    s().groupSelected();
    store.setState({
      nodes: [
        ...s().nodes,
        {
          id: "twin",
          type: "block",
          position: { x: 0, y: 0 },
          data: { type: "Group", params: { shares: "group_1" } },
        },
      ],
    });
    expect(s().ungroupSelected("group_1")).toMatch(/twin.*shares/);
    expect(portsOf(node("twin").data, s().nodes).inputs).toEqual(["d1"]);
  });
});

describe("opening a group in place", () => {
  beforeEach(() => {
    select("d2", "d3");
    s().groupSelected();
  });

  it("shows the inner graph, keys validation by path, and folds back on the way out", () => {
    expect(s().openGroup("group_1")).toBe(true);
    expect(ids()).toEqual(["d1", "d2", "d3", "d3_out"]);
    expect(pathPrefix(s().frames)).toBe("group_1/");
    // the document is still the whole graph
    expect(toDocument(s()).nodes.map((n) => n.id)).toEqual(["pixels", "d1", "group_1", "cat", "label"]);
    s().updateParams("d2", { units: 16 });
    expect((toDocument(s()).nodes[2] as DocNodeV2).graph!.nodes[1].params).toEqual({ units: 16 });
    s().closeTo(0);
    expect(s().frames).toEqual([]);
    expect(node("group_1").data.graph!.nodes[1].data.params).toEqual({ units: 16 });
    expect(node("group_1").selected).toBe(true);
  });

  it("means the same graph to validation inside the group as outside", () => {
    const outside = meaningKey(s());
    s().openGroup("group_1");
    expect(meaningKey(s())).toBe(outside);
    s().updateParams("d2", { units: 16 });
    expect(meaningKey(s())).not.toBe(outside);
  });

  it("undoes inner edits (back inside) and redoes them", () => {
    s().openGroup("group_1");
    s().updateParams("d2", { units: 16 });
    s().closeTo(0);
    s().undo();
    expect(s().frames.map((f) => f.groupId)).toEqual(["group_1"]);
    expect(node("d2").data.params).toEqual({ units: 4 });
    // redo goes back to where the undo was asked: out at the top, the edit inside the group
    s().redo();
    expect(s().frames).toEqual([]);
    expect(node("d2", node("group_1").data.graph!.nodes).data.params).toEqual({ units: 16 });
    s().undo();
    s().undo(); // the grouping itself
    expect(s().frames).toEqual([]);
    expect(ids()).toEqual(["pixels", "d1", "d2", "d3", "cat", "label"]);
  });

  it("nests: a group grouped inside a group, opened two deep", () => {
    s().openGroup("group_1");
    select("d3");
    expect(s().groupSelected()).toBeNull();
    expect(ids()).toEqual(["d1", "d2", "group_1", "d3_out"]);
    expect(s().openGroup("group_1")).toBe(true);
    expect(pathPrefix(s().frames)).toBe("group_1/group_1/");
    expect(ids()).toEqual(["d2", "d3", "d3_out"]);
    s().closeTo(0);
    const doc = toDocument(s());
    expect(doc.version).toBe(2);
    const outer = doc.nodes[2] as DocNodeV2;
    const inner = outer.graph!.nodes[2];
    expect(inner.type).toBe("Group");
    expect(inner.graph!.nodes.map((n) => n.id)).toEqual(["d2", "d3", "d3_out"]);
    // round trip through the document
    expect(toDocument(fromDocument(doc))).toEqual(doc);
  });

  it("rewires the group's wires when a port marker is removed inside", () => {
    s().openGroup("group_1");
    s().deleteElements(["d1"]); // the inner Input: the group's only input port
    s().closeTo(0);
    expect(portsOf(node("group_1").data).inputs).toEqual([]);
    expect(wires().filter((w) => w.includes("->group_1"))).toEqual([]);
  });
});

describe("documents", () => {
  it("writes version 2 with the Group's graph and source_port, and loads it back", () => {
    const grouped = groupBlocks(s().nodes, s().edges, new Set(["d1", "d2", "d3"]));
    if (typeof grouped === "string") throw new Error(grouped);
    const doc = toDocument({ ...grouped, name: "chain" });
    expect(doc.version).toBe(2);
    const group = doc.nodes.find((n) => n.id === "group_1") as DocNodeV2;
    expect(group.params).toEqual({});
    expect(group.graph!.nodes.map((n) => [n.id, n.type])).toEqual([
      ["pixels", "Input"],
      ["d1", "Dense"],
      ["d2", "Dense"],
      ["d3", "Dense"],
      ["d1_out", "Output"],
      ["d3_out", "Output"],
    ]);
    expect(doc.edges).toContainEqual({ source: "group_1", target: "cat", port: 0, source_port: 0 });
    expect(doc.edges).toContainEqual({ source: "group_1", target: "cat", port: 1, source_port: 1 });
    const back = fromDocument(doc);
    expect(toDocument(back)).toEqual(doc);
    expect(back.edges.find((e) => e.targetHandle === "in-1" && e.target === "cat")!.sourceHandle).toBe(
      "out-1",
    );
  });

  it("keeps version-1 documents unchanged", () => {
    expect(toDocument(fromDocument(chain))).toEqual(chain);
  });

  it("loads a group without positions asking for a layout of its graph", () => {
    const loaded = fromDocument({
      nodes: [
        {
          id: "enc",
          type: "Group",
          params: {},
          position: { x: 0, y: 0 },
          graph: { nodes: [{ id: "x", type: "Input", params: {} }], edges: [] },
        },
      ],
      edges: [],
    });
    expect(loaded.needsLayout).toBe(false);
    expect(loaded.nodes[0].data.graph!.needsLayout).toBe(true);
  });
});

describe("wires at a group", () => {
  it("checks the group's ports", () => {
    select("d2", "d3");
    s().groupSelected();
    const { nodes, edges, specs } = s();
    const wire = (source: string, sourceHandle: string, target: string, targetHandle: string) =>
      checkWire({ source, sourceHandle, target, targetHandle }, nodes, edges, specs);
    expect(wire("pixels", "out", "group_1", "in-0")).toBe("that input is already connected");
    expect(wire("pixels", "out", "group_1", "in-1")).toBe("the group takes 1 input");
    expect(wire("group_1", "out-1", "label", "in-0")).toBe("connect from one of the group's outputs");
    expect(wire("cat", "out", "group_1", "in-0")).toBe("that would make a cycle");
  });

  it("connects from a group's second output on its own handle", () => {
    const grouped = groupBlocks(s().nodes, s().edges, new Set(["d1", "d2", "d3"]));
    if (typeof grouped === "string") throw new Error(grouped);
    store.setState({ nodes: grouped.nodes, edges: grouped.edges.filter((e) => e.target !== "cat") });
    expect(
      s().connect({ source: "group_1", sourceHandle: "out-1", target: "cat", targetHandle: "in-0" }),
    ).toBeNull();
    expect(wires().at(-1)).toBe("group_1:out-1->cat:in-0");
  });
});

describe("a group's problems", () => {
  it("are its own and every inner one, named by the path below it", () => {
    const problems = [
      { node: "enc", message: "no Output inside" },
      { node: "enc/lstm_1", message: "expected 3 dimensions, in group enc", param: "units" },
      { node: "enc/inner/d", message: "bad" },
      { node: "encoder/x", message: "another group's" },
      { node: "d1", message: "outside" },
    ];
    expect(groupProblems(problems, "enc").map((p) => p.message)).toEqual([
      "no Output inside",
      "lstm_1: units: expected 3 dimensions, in group enc",
      "inner/d: bad",
    ]);
    expect(groupProblems(problems, "enc/inner").map((p) => p.message)).toEqual(["d: bad"]);
  });
});

describe("work kept in the browser", () => {
  it("is the whole graph while a group is open", () => {
    select("d2", "d3");
    s().groupSelected();
    s().openGroup("group_1");
    const stored = new Map<string, string>();
    writeWork({ setItem: (k, v) => void stored.set(k, v) }, s());
    const work = readWork({ getItem: (k) => stored.get(k) ?? null })!;
    expect(work.graph).toEqual(toDocument(s()));
    expect(work.graph.version).toBe(2);
    expect(work.graph.nodes.map((n) => n.id)).toContain("group_1");
  });
});

describe("My blocks", () => {
  it("places a copy of a saved group with a fresh id, undoably", () => {
    select("d2", "d3");
    s().groupSelected();
    const saved = { id: 7, name: "Two dense", node: nodeToDocument(node("group_1")), created_at: "" };
    const copy = { ...blockOf(saved), id: idForName(saved.name) };
    expect(copy.id).toBe("two_dense");
    expect(s().placeBlock(copy, { x: 10, y: 20 })).toBe("two_dense");
    expect(s().placeBlock(copy, { x: 10, y: 20 })).toBe("two_dense_1");
    const placed = node("two_dense_1");
    expect(placed.selected).toBe(true);
    expect(portsOf(placed.data)).toEqual(portsOf(node("group_1").data));
    s().undo();
    expect(ids()).not.toContain("two_dense_1");
  });
});
