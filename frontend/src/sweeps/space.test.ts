import { describe, expect, it } from "vitest";
import { examples, param } from "../test-fixtures";
import settingsJson from "../test-fixtures/training-settings.json";
import { fromDocument, toDocument } from "../graph/serialise";
import { createGraphStore } from "../graph/store";
import { readWork, writeWork } from "../graph/persist";
import type { SettingsDeclaration } from "../train/settingsSchema";
import {
  checkDimension,
  defaultDimension,
  describeDimension,
  keepNodes,
  nodeTarget,
  paramBounds,
  renameInSpace,
  settingBounds,
  spaceField,
  spaceList,
  targetLabel,
  targetNode,
  trainingTarget,
  tunedCount,
  type Dimension,
} from "./space";

const declaration = settingsJson as unknown as SettingsDeclaration;
const setting = (name: string) => declaration.fields.find((f) => f.name === name)!;

describe("a dimension's default from the field's rules", () => {
  it("centres an int range on the value and keeps it inside the catalog's bounds", () => {
    const units = paramBounds(param("Dense", "units"))!;
    expect(units).toMatchObject({ kind: "int", min: 1, max: 1000000 });
    expect(defaultDimension("nodes.h.units", units, 128)).toEqual({
      target: "nodes.h.units",
      kind: "int",
      low: 64,
      high: 256,
      log: true,
    });
    // No value set (units is required): from the lower bound, never below it.
    const fromMin = defaultDimension("nodes.h.units", units, undefined);
    expect(fromMin.low).toBe(1);
    expect(fromMin.high).toBeGreaterThan(1);
  });

  it("keeps a fraction inside [0, 1]", () => {
    const rate = paramBounds(param("Dropout", "rate"))!;
    expect(defaultDimension("nodes.d.rate", rate, 0.5)).toMatchObject({ kind: "float", low: 0.3, high: 0.7 });
    expect(defaultDimension("nodes.d.rate", rate, 0.1)).toMatchObject({ low: 0, high: 0.3 });
    expect(defaultDimension("nodes.d.rate", rate, 0.95)).toMatchObject({ low: 0.75, high: 1 });
  });

  it("searches a log-scale setting a decade either side, within its declared bounds", () => {
    const lr = settingBounds(setting("learning_rate"))!;
    expect(lr).toMatchObject({ kind: "float", log: true });
    expect(defaultDimension("training.learning_rate", lr, 0.001)).toEqual({
      target: "training.learning_rate",
      kind: "float",
      low: 0.0001,
      high: 0.01,
      log: true,
    });
  });

  it("steps off an open bound", () => {
    const factor = settingBounds(setting("callbacks.reduce_lr.factor"))!;
    expect(factor).toMatchObject({ min: 0, max: 1, minOpen: true, maxOpen: true });
    const dim = defaultDimension("training.callbacks.reduce_lr.factor", factor, 0.1);
    expect(dim.low).toBeGreaterThan(0);
    expect(dim.high).toBeCloseTo(0.3);
    expect(checkDimension(dim, factor)).toEqual({});
    const top = defaultDimension("training.callbacks.reduce_lr.factor", factor, 0.95);
    expect(top.high).toBeLessThan(1);
    expect(checkDimension(top, factor)).toEqual({});
  });

  it("offers the value in effect and the next choices", () => {
    const activation = paramBounds(param("Dense", "activation"))!;
    expect(defaultDimension("nodes.h.activation", activation, "relu").choices).toEqual([
      "relu",
      "linear",
      "sigmoid",
    ]);
    // None in effect (unset): None is not offered by itself.
    expect(defaultDimension("nodes.h.activation", activation, undefined).choices).toEqual([
      "linear",
      "relu",
      "sigmoid",
    ]);
    const optimizer = settingBounds(setting("optimizer"))!;
    expect(defaultDimension("training.optimizer", optimizer, "adam").choices).toEqual([
      "adam",
      "sgd",
      "rmsprop",
    ]);
  });

  it("tunes a tuple's every entry as one int, and a bool as a choice", () => {
    const kernel = paramBounds(param("Conv2D", "kernel_size"))!;
    expect(defaultDimension("nodes.c.kernel_size", kernel, [3, 3])).toMatchObject({
      kind: "int",
      low: 2,
      high: 6,
    });
    expect(paramBounds(param("Dense", "use_bias"))).toMatchObject({ kind: "choice", choices: [false, true] });
  });

  it("refuses what cannot be tuned", () => {
    expect(paramBounds(param("Dropout", "noise_shape"))).toBeNull();
    expect(settingBounds(setting("seed"))).toBeNull();
    expect(settingBounds(setting("callbacks.early_stopping.enabled"))).toBeNull();
  });
});

describe("checking a dimension", () => {
  const units = paramBounds(param("Dense", "units"))!;
  const rate = paramBounds(param("Dropout", "rate"))!;
  const dim = (d: Partial<Dimension>): Dimension => ({ target: "t", kind: "int", low: 8, high: 64, ...d });

  it("says which field is wrong, in the bounds' terms", () => {
    expect(checkDimension(dim({}), units)).toEqual({});
    expect(checkDimension(dim({ low: 0 }), units)).toEqual({ low: "at least 1 and at most 1000000" });
    expect(checkDimension(dim({ high: 2e6 }), units)).toEqual({ high: "at least 1 and at most 1000000" });
    expect(checkDimension(dim({ low: 80 }), units)).toEqual({ high: "at least low" });
    expect(checkDimension(dim({ low: 1.5 }), units)).toEqual({ low: "a whole number" });
    expect(checkDimension(dim({ kind: "float", low: 0, high: 1.5 }), rate)).toEqual({
      high: "at least 0 and at most 1",
    });
    expect(checkDimension(dim({ kind: "float", low: 0, high: 0.5, log: true }), rate)).toEqual({
      low: "above 0 on a log scale",
    });
    expect(checkDimension(dim({ step: 0 }), units)).toEqual({ step: "a number above 0" });
  });

  it("refuses an open bound itself", () => {
    const factor = settingBounds(setting("callbacks.reduce_lr.factor"))!;
    const at = { target: "training.callbacks.reduce_lr.factor", kind: "float" as const, low: 0, high: 1 };
    expect(checkDimension(at, factor)).toEqual({ low: "above 0 and below 1", high: "above 0 and below 1" });
    // A closed bound is fine.
    const split = settingBounds(setting("validation_split"))!;
    expect(checkDimension({ ...at, low: 0, high: 0.5 }, split)).toEqual({});
  });

  it("wants a non-empty list of allowed choices", () => {
    const activation = paramBounds(param("Dense", "activation"))!;
    const choice = { target: "t", kind: "choice" as const };
    expect(checkDimension({ ...choice, choices: [] }, activation)).toEqual({
      choices: "pick at least one choice",
    });
    expect(checkDimension({ ...choice, choices: ["relu", "tanh"] }, activation)).toEqual({});
    expect(Object.keys(checkDimension({ ...choice, choices: ["nope"] }, activation))).toEqual(["choices"]);
  });
});

describe("targets", () => {
  it("names block params, wrapped params and settings", () => {
    expect(nodeTarget("bi", "layer.", "units")).toBe("nodes.bi.layer.units");
    expect(trainingTarget("callbacks.reduce_lr.factor")).toBe("training.callbacks.reduce_lr.factor");
    expect(targetNode("nodes.bi.layer.units")).toBe("bi");
    expect(targetNode("training.learning_rate")).toBeNull();
    expect(targetLabel("nodes.bi.layer.units")).toEqual({ owner: "bi", name: "layer.units" });
    expect(targetLabel("training.learning_rate")).toEqual({ owner: "training", name: "learning_rate" });
  });

  it("reads the server's field at fault", () => {
    expect(spaceField("space[2].high")).toEqual({ index: 2, field: "high" });
    expect(spaceField("space[0]")).toEqual({ index: 0, field: null });
    expect(spaceField("trials")).toBeNull();
  });

  it("follows a rename and drops the blocks that are gone", () => {
    const space = {
      "nodes.a.units": { target: "nodes.a.units", kind: "int" as const, low: 1, high: 2 },
      "nodes.ab.units": { target: "nodes.ab.units", kind: "int" as const, low: 1, high: 2 },
      "training.learning_rate": {
        target: "training.learning_rate",
        kind: "float" as const,
        low: 0.1,
        high: 1,
      },
    };
    const renamed = renameInSpace(space, "a", "z");
    expect(Object.keys(renamed)).toEqual(["nodes.z.units", "nodes.ab.units", "training.learning_rate"]);
    expect(renamed["nodes.z.units"].target).toBe("nodes.z.units");
    expect(Object.keys(keepNodes(space, new Set(["ab"])))).toEqual([
      "nodes.ab.units",
      "training.learning_rate",
    ]);
    expect(tunedCount(space, "a")).toBe(1);
    expect(describeDimension({ target: "t", kind: "int", low: 8, high: 64, log: true })).toBe("8 – 64 (log)");
    expect(describeDimension({ target: "t", kind: "choice", choices: [null, "relu"] })).toBe("None | relu");
  });

  it("lists only the keys each kind takes, for the dimensions that still exist", () => {
    const space = {
      "nodes.a.units": {
        target: "nodes.a.units",
        kind: "int" as const,
        low: 1,
        high: 9,
        log: false,
        choices: ["x"],
      },
      "nodes.b.activation": {
        target: "nodes.b.activation",
        kind: "choice" as const,
        choices: ["relu"],
        low: 3,
      },
    };
    expect(spaceList(space)).toEqual([
      { target: "nodes.a.units", kind: "int", low: 1, high: 9 },
      { target: "nodes.b.activation", kind: "choice", choices: ["relu"] },
    ]);
    expect(spaceList(space, (t) => t.startsWith("nodes.b"))).toHaveLength(1);
  });
});

describe("the space in the graph store", () => {
  const dim: Dimension = { target: "nodes.hidden.units", kind: "int", low: 64, high: 1024, log: true };

  it("is undoable, follows renames and deletes, and stays out of the graph document", () => {
    const store = createGraphStore();
    const s = () => store.getState();
    s().loadGraph(fromDocument(examples.mnist_mlp), { undoable: false });
    s().setDimension(dim.target, dim);
    expect(s().space[dim.target]).toEqual(dim);
    expect(JSON.stringify(toDocument(s()))).not.toContain("1024");
    // Typing into the range within a moment is one step.
    s().setDimension(dim.target, { ...dim, high: 512 }, "space:x:high");
    s().setDimension(dim.target, { ...dim, high: 256 }, "space:x:high");
    s().undo();
    expect(s().space[dim.target].high).toBe(1024);
    s().undo();
    expect(s().space).toEqual({});
    s().redo();
    expect(s().space[dim.target]).toBeDefined();
    expect(s().renameNode("hidden", "wide")).toBeNull();
    expect(Object.keys(s().space)).toEqual(["nodes.wide.units"]);
    s().deleteElements(["wide"]);
    expect(s().space).toEqual({});
    s().undo();
    expect(Object.keys(s().space)).toEqual(["nodes.wide.units"]);
    // Another graph: its own (empty) space.
    s().loadGraph(fromDocument(examples.mnist_mlp));
    expect(s().space).toEqual({});
  });

  it("is saved beside the work, not inside its graph", () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    };
    const store = createGraphStore();
    store.getState().loadGraph(fromDocument(examples.mnist_mlp), { undoable: false });
    store.getState().setDimension(dim.target, dim);
    writeWork(storage, store.getState());
    const work = readWork(storage)!;
    expect(work.space).toEqual({ [dim.target]: dim });
    expect(JSON.stringify(work.graph)).not.toContain("space");
    const again = createGraphStore();
    again.getState().loadGraph(fromDocument(work.graph), { undoable: false });
    again
      .getState()
      .restoreSpace({ ...work.space!, "nodes.gone.units": { ...dim, target: "nodes.gone.units" } });
    expect(Object.keys(again.getState().space)).toEqual([dim.target]);
  });
});
