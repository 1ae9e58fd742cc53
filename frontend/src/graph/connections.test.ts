import { describe, expect, it } from "vitest";
import { specs } from "../test-fixtures";
import { checkConnection, isValidConnection, portOf, reaches, visiblePortCount } from "./connections";

const node = (id: string, type: string) => ({ id, data: { type } });
const edge = (source: string, target: string, port = 0) => ({ source, target, targetHandle: `in-${port}` });
const conn = (source: string, target: string, port = 0) => ({
  source,
  target,
  sourceHandle: "out",
  targetHandle: `in-${port}`,
});

const nodes = [
  node("x", "Input"),
  node("a", "Dense"),
  node("b", "Dense"),
  node("c", "Dense"),
  node("cat", "Concatenate"),
  node("dot", "Dot"),
  node("y", "Output"),
];

describe("isValidConnection", () => {
  it("accepts a plain connection", () => {
    expect(isValidConnection(conn("x", "a"), nodes, [], specs)).toBe(true);
  });

  it("refuses a connection that closes a cycle", () => {
    const edges = [edge("a", "b"), edge("b", "c")];
    expect(checkConnection(conn("c", "a"), nodes, edges, specs)).toMatch(/cycle/);
    expect(isValidConnection(conn("c", "a"), nodes, edges, specs)).toBe(false);
  });

  it("refuses a self loop", () => {
    expect(isValidConnection(conn("a", "a"), nodes, [], specs)).toBe(false);
  });

  it("refuses a second edge into a single-input port", () => {
    const edges = [edge("x", "a")];
    expect(checkConnection(conn("b", "a"), nodes, edges, specs)).toMatch(/already connected/);
  });

  it("refuses a port beyond the block maximum", () => {
    expect(checkConnection(conn("x", "a", 1), nodes, [], specs)).toMatch(/at most 1 input/);
    expect(checkConnection(conn("a", "dot", 2), nodes, [], specs)).toMatch(/at most 2 inputs/);
  });

  it("lets a merge block take one edge per port, without limit when max is null", () => {
    const edges = [edge("a", "cat", 0), edge("b", "cat", 1)];
    expect(isValidConnection(conn("c", "cat", 1), nodes, edges, specs)).toBe(false);
    expect(isValidConnection(conn("c", "cat", 2), nodes, edges, specs)).toBe(true);
    expect(isValidConnection(conn("x", "cat", 7), nodes, edges, specs)).toBe(true);
  });

  it("refuses a full merge block", () => {
    const edges = [edge("a", "dot", 0), edge("b", "dot", 1)];
    expect(isValidConnection(conn("c", "dot", 1), nodes, edges, specs)).toBe(false);
  });

  it("refuses edges into an Input and out of an Output", () => {
    expect(checkConnection(conn("a", "x"), nodes, [], specs)).toMatch(/no input/);
    expect(checkConnection(conn("y", "a"), nodes, [], specs)).toMatch(/Output/);
  });

  it("refuses unknown handles and blocks", () => {
    expect(
      isValidConnection(
        { source: "a", target: "b", sourceHandle: "out", targetHandle: "weird" },
        nodes,
        [],
        specs,
      ),
    ).toBe(false);
    expect(isValidConnection(conn("a", "nope"), nodes, [], specs)).toBe(false);
    expect(isValidConnection({ source: null, target: "b" }, nodes, [], specs)).toBe(false);
  });
});

describe("ports", () => {
  it("parses handle ids", () => {
    expect(portOf("in-3")).toBe(3);
    expect(portOf(null)).toBe(0);
    expect(portOf("out")).toBeNull();
  });

  it("shows one more free port than used, within the bounds", () => {
    expect(visiblePortCount(specs.Dense, [])).toBe(1);
    expect(visiblePortCount(specs.Input, [])).toBe(0);
    expect(visiblePortCount(specs.Concatenate, [])).toBe(2);
    expect(visiblePortCount(specs.Concatenate, [0, 1])).toBe(3);
    expect(visiblePortCount(specs.Concatenate, [0, 4])).toBe(6);
    expect(visiblePortCount(specs.Dot, [0, 1])).toBe(2);
    // before the catalog arrives, the ports in use are drawn
    expect(visiblePortCount(undefined, [0, 2])).toBe(3);
    expect(visiblePortCount(undefined, [])).toBe(1);
  });

  it("follows edges to find reachability", () => {
    const edges = [edge("a", "b"), edge("b", "c")];
    expect(reaches("a", "c", edges)).toBe(true);
    expect(reaches("c", "a", edges)).toBe(false);
  });
});
