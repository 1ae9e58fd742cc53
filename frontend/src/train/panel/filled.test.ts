import { describe, expect, it } from "vitest";
import { filledNote } from "./filled";

describe("the filled-values note of an upload", () => {
  it("says how many, where and how", () => {
    const info = {
      filled: {
        values: 7,
        columns: { a: 1, b: 6 },
        how: "missing numeric values filled with their column's mean on the training split",
      },
    };
    expect(filledNote(info)).toBe(
      "7 missing feature values (b: 6, a: 1): missing numeric values filled with their column's mean on the training split.",
    );
  });

  it("says nothing when nothing was filled", () => {
    expect(filledNote({})).toBeNull();
    expect(filledNote({ filled: { values: 0, columns: {}, how: "x" } })).toBeNull();
  });
});
