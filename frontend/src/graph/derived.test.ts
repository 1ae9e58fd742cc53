import { describe, expect, it } from "vitest";
import { incomingCounts, usedPortsByTarget } from "./derived";

const edges = [
  { source: "a", target: "m", targetHandle: "in-1" },
  { source: "b", target: "m", targetHandle: "in-0" },
  { source: "m", target: "d", targetHandle: "in-0" },
  { source: "x", target: "e" },
];

describe("derived edge facts", () => {
  it("lists used ports per target, sorted", () => {
    const ports = usedPortsByTarget(edges);
    expect(ports.get("m")).toBe("0,1");
    expect(ports.get("d")).toBe("0");
    expect(ports.get("e")).toBe("0");
    expect(ports.get("a")).toBeUndefined();
  });

  it("counts incoming edges", () => {
    const counts = incomingCounts(edges);
    expect(counts.get("m")).toBe(2);
    expect(counts.get("d")).toBe(1);
    expect(counts.get("b")).toBeUndefined();
  });

  it("computes once per edges array and again for a new one", () => {
    expect(usedPortsByTarget(edges)).toBe(usedPortsByTarget(edges));
    expect(incomingCounts(edges)).toBe(incomingCounts(edges));
    const next = [...edges, { source: "c", target: "m", targetHandle: "in-2" }];
    expect(usedPortsByTarget(next).get("m")).toBe("0,1,2");
    expect(incomingCounts(next).get("m")).toBe(3);
  });
});
