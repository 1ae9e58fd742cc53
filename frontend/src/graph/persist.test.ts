import { describe, expect, it } from "vitest";
import { examples } from "../test-fixtures";
import { readWork, WORK_KEY, writeWork } from "./persist";
import { fromDocument } from "./serialise";
import { createGraphStore } from "./store";

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe("work in progress", () => {
  it("writes and reads back the graph and project id", () => {
    const storage = memoryStorage();
    const store = createGraphStore();
    store.getState().loadGraph(fromDocument(examples.qa_two_inputs));
    store.getState().setProject(12);
    writeWork(storage, store.getState());
    const work = readWork(storage)!;
    expect(work.projectId).toBe(12);
    expect(work.graph.nodes.map((n) => n.id)).toEqual(examples.qa_two_inputs.nodes.map((n) => n.id));
    expect(work.graph.nodes[0].position).toBeDefined();
  });

  it("ignores garbage", () => {
    const storage = memoryStorage();
    storage.setItem(WORK_KEY, "{not json");
    expect(readWork(storage)).toBeNull();
    expect(readWork(memoryStorage())).toBeNull();
  });
});
