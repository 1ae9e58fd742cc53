import { describe, expect, it } from "vitest";
import { createGraphStore } from "../graph/store";
import { isDirty, useSaved } from "./dirty";

describe("unsaved changes", () => {
  it("marks a graph changed since it was saved, and not an empty one", () => {
    const store = createGraphStore();
    expect(isDirty(store.getState(), null)).toBe(false);
    store.getState().addNode("Dense", { x: 0, y: 0 }, { units: 4 });
    expect(isDirty(store.getState(), useSaved.getState().savedKey)).toBe(true);
    useSaved.getState().markSaved(store.getState());
    expect(isDirty(store.getState(), useSaved.getState().savedKey)).toBe(false);
    // selecting is no change; a parameter or the name is
    store.getState().selectOnly(null);
    expect(isDirty(store.getState(), useSaved.getState().savedKey)).toBe(false);
    store.getState().setName("renamed");
    expect(isDirty(store.getState(), useSaved.getState().savedKey)).toBe(true);
  });
});
