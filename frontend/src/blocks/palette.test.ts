import { describe, expect, it } from "vitest";
import { createGraphStore } from "../graph/store";
import { paletteParams } from "./palette";

describe("palette defaults", () => {
  it("gives a Dropout dropped from the palette a rate of 0.5", () => {
    const store = createGraphStore();
    const id = store.getState().addNode("Dropout", { x: 0, y: 0 }, paletteParams("Dropout"));
    expect(store.getState().nodes.find((n) => n.id === id)!.data.params).toEqual({ rate: 0.5 });
  });

  it("starts other blocks empty, each with its own copy", () => {
    expect(paletteParams("Dense")).toEqual({});
    const a = paletteParams("Dropout");
    a.rate = 0.1;
    expect(paletteParams("Dropout")).toEqual({ rate: 0.5 });
  });
});
