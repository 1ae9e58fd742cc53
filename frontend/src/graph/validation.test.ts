import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GraphDocument, ValidationResult } from "../api/types";
import { catalog, examples } from "../test-fixtures";
import { fromDocument } from "./serialise";
import { createGraphStore, type GraphStore } from "./store";
import { startLiveValidation } from "./validation";

function result(total: number): ValidationResult {
  return {
    valid: true,
    errors: [],
    warnings: [],
    nodes: {},
    edges: [],
    total_params: total,
    trainable_params: total,
    total_macs: 0,
  };
}

interface Call {
  doc: GraphDocument;
  signal: AbortSignal;
  resolve(r: ValidationResult): void;
  reject(e: unknown): void;
}

let store: GraphStore;
let calls: Call[];
let stop: () => void;
const validate = (doc: GraphDocument, signal: AbortSignal) =>
  new Promise<ValidationResult>((resolve, reject) => {
    calls.push({ doc, signal, resolve, reject });
  });

beforeEach(() => {
  vi.useFakeTimers();
  store = createGraphStore();
  store.getState().setCatalog(catalog);
  calls = [];
  stop = startLiveValidation(store, validate, 250);
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("live validation", () => {
  it("sends the graph once after edits settle", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    store.getState().updateParams("hidden", { units: 256, activation: "relu" });
    await vi.advanceTimersByTimeAsync(100);
    store.getState().updateParams("hidden", { units: 128, activation: "relu" });
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(250);
    expect(calls).toHaveLength(1);
    expect(calls[0].doc.nodes.find((n) => n.id === "hidden")!.params).toEqual({
      units: 128,
      activation: "relu",
    });
    expect(calls[0].doc.nodes[0].position).toBeUndefined();
    calls[0].resolve(result(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().validation?.total_params).toBe(1);
    expect(store.getState().validating).toBe(false);
  });

  it("ignores moves and selection", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(1);
    store.getState().onNodesChange([{ type: "position", id: "hidden", position: { x: 5, y: 5 } }]);
    store.getState().selectAll();
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(1);
  });

  it("sends a graph replaced as a whole (load, undo) at once, edits after the debounce", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    store.getState().updateParams("hidden", { units: 7 });
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(2);
    store.getState().undo();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(3);
    expect(calls[2].doc.nodes.find((n) => n.id === "hidden")!.params).toEqual({
      units: 512,
      activation: "relu",
    });
  });

  it("sends the graph found at start at once", async () => {
    stop();
    store = createGraphStore(fromDocument(examples.mnist_mlp));
    stop = startLiveValidation(store, validate, 250);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect(calls[0].doc.nodes).toHaveLength(4);
  });

  it("never lets an older answer overwrite a newer one", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    await vi.advanceTimersByTimeAsync(300);
    store.getState().updateParams("hidden", { units: 7 });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(2);
    expect(calls[0].signal.aborted).toBe(true);
    calls[1].resolve(result(2));
    await vi.advanceTimersByTimeAsync(0);
    calls[0].resolve(result(1)); // late answer to the old request
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().validation?.total_params).toBe(2);
  });

  it("reports a failed request without dropping the last answer", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    await vi.advanceTimersByTimeAsync(300);
    calls[0].resolve(result(5));
    await vi.advanceTimersByTimeAsync(0);
    store.getState().updateParams("hidden", { units: 9 });
    await vi.advanceTimersByTimeAsync(300);
    calls[1].reject(new Error("offline"));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().validation?.total_params).toBe(5);
    expect(store.getState().validationFailure).toBe("offline");
  });

  it("clears the answer for an empty canvas without asking", async () => {
    store.getState().loadGraph(fromDocument(examples.mnist_mlp));
    await vi.advanceTimersByTimeAsync(300);
    calls[0].resolve(result(5));
    await vi.advanceTimersByTimeAsync(0);
    store.getState().loadGraph({ nodes: [], edges: [], name: "x" });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(1);
    expect(store.getState().validation).toBeNull();
  });
});
