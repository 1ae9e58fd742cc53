import { describe, expect, it } from "vitest";
import { blockMessages } from "./messages";

describe("a block's messages", () => {
  it("keeps several messages apart, each with its parameter", () => {
    const m = blockMessages([
      { node: "d", param: "units", message: "is required" },
      { node: "d", message: "is not connected" },
    ]);
    expect(m.shown).toEqual(["units: is required", "is not connected"]);
    expect(m.more).toBe(0);
    expect(m.all).toBe("units: is required\nis not connected");
  });

  it("shows a few and counts the rest", () => {
    const problems = Array.from({ length: 5 }, (_, i) => ({ node: "d", message: `problem ${i}` }));
    const m = blockMessages(problems);
    expect(m.shown).toEqual(["problem 0", "problem 1"]);
    expect(m.more).toBe(3);
  });
});
