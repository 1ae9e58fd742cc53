import { describe, expect, it } from "vitest";
import {
  applyEvent,
  axisFor,
  bestSoFar,
  bestTrial,
  dominates,
  numericAxis,
  paretoFront,
  progressOf,
  sortTrials,
} from "./analysis";
import type { Counts, Sweep, Trial } from "./api";
import { flattenSettings, pickBest, reportedMetrics, topTrials } from "./analysis";
import { sweepRefusal } from "./store";
import settingsJson from "../test-fixtures/training-settings.json";
import type { SettingsDeclaration } from "../train/settingsSchema";
import { fromDocument } from "../graph/serialise";
import { examples } from "../test-fixtures";

function trial(number: number, values: (number | null)[] | null, more: Partial<Trial> = {}): Trial {
  return {
    number,
    run: 100 + number,
    status: values ? "succeeded" : "running",
    state: values ? "complete" : "running",
    params: {},
    values,
    epochs_done: 1,
    pruned_epoch: null,
    duration: values ? 10 : null,
    error: "",
    created_at: null,
    started_at: null,
    finished_at: null,
    ...more,
  };
}

const counts = (c: Partial<Counts>): Counts => ({
  total: 0,
  queued: 0,
  running: 0,
  succeeded: 0,
  pruned: 0,
  failed: 0,
  cancelled: 0,
  ...c,
});

describe("best so far", () => {
  it("keeps the best value trial by trial, in trial order, skipping trials without one", () => {
    const trials = [trial(2, [0.7]), trial(0, [0.5]), trial(1, null), trial(3, [0.6]), trial(4, [0.9])];
    expect(bestSoFar(trials, "maximize")).toEqual({
      x: [0, 2, 3, 4],
      value: [0.5, 0.7, 0.6, 0.9],
      best: [0.5, 0.7, 0.7, 0.9],
    });
    expect(bestSoFar(trials, "minimize").best).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(bestTrial(trials, "maximize")?.number).toBe(4);
    expect(bestTrial(trials, "minimize")?.number).toBe(0);
  });
});

describe("the Pareto front", () => {
  it("keeps the points no other point beats in both objectives", () => {
    // [accuracy (max), params (min)]
    const points = [
      [0.9, 1000],
      [0.8, 200],
      [0.85, 5000], // beaten by the first: less accurate and bigger
      [0.95, 8000],
      [0.8, 300], // beaten by the second
    ];
    expect(paretoFront(points, ["maximize", "minimize"])).toEqual([0, 1, 3]);
    expect(dominates([0.9, 1000], [0.85, 5000], ["maximize", "minimize"])).toBe(true);
    expect(dominates([0.9, 1000], [0.9, 1000], ["maximize", "minimize"])).toBe(false);
    // Equal points are both on the front.
    expect(
      paretoFront(
        [
          [1, 1],
          [1, 1],
        ],
        ["maximize", "maximize"],
      ),
    ).toEqual([0, 1]);
  });
});

describe("sorting the trials", () => {
  const trials = [
    trial(0, [0.5], { params: { "nodes.h.units": 64, "training.optimizer": "sgd" }, duration: 12 }),
    trial(1, null, { params: { "nodes.h.units": 16 } }),
    trial(2, [0.9], { params: { "nodes.h.units": 128, "training.optimizer": "adam" }, duration: 8 }),
    trial(3, [0.7], { params: { "nodes.h.units": 64, "training.optimizer": "adam" }, duration: 9 }),
  ];
  const numbers = (list: Trial[]) => list.map((t) => t.number);

  it("by an objective, either way, with the trials without a value last", () => {
    expect(numbers(sortTrials(trials, "value:0"))).toEqual([0, 3, 2, 1]);
    expect(numbers(sortTrials(trials, "value:0", true))).toEqual([2, 3, 0, 1]);
  });

  it("by a param (ties by number) and by a choice", () => {
    expect(numbers(sortTrials(trials, "param:nodes.h.units"))).toEqual([1, 0, 3, 2]);
    expect(numbers(sortTrials(trials, "param:nodes.h.units", true))).toEqual([2, 0, 3, 1]);
    expect(numbers(sortTrials(trials, "param:training.optimizer"))).toEqual([2, 3, 0, 1]);
  });

  it("by duration and state", () => {
    expect(numbers(sortTrials(trials, "duration"))).toEqual([2, 3, 0, 1]);
    expect(numbers(sortTrials(trials, "status"))).toEqual([1, 0, 2, 3]);
    expect(numbers(sortTrials(trials, "number", true))).toEqual([3, 2, 1, 0]);
  });
});

describe("parallel coordinates' axes", () => {
  it("places numbers linearly or on a log scale within the dimension's range", () => {
    const lin = axisFor("u", "units", { kind: "int", low: 0, high: 100 });
    expect(lin.place(25)).toBeCloseTo(0.25);
    expect(lin.ticks.map((t) => t.label)).toEqual(["0", "50", "100"]);
    const log = axisFor("lr", "lr", { kind: "float", low: 0.0001, high: 0.01, log: true });
    expect(log.place(0.001)).toBeCloseTo(0.5);
    expect(log.place(0.0001)).toBe(0);
    expect(log.ticks.map((t) => t.label)).toEqual(["1.0e-4", "0.001", "0.01"]);
    expect(log.place("x")).toBeNull();
  });

  it("widens to values seen outside the range, and spaces choices evenly", () => {
    const axis = axisFor("u", "units", { kind: "int", low: 10, high: 20 }, [30]);
    expect(axis.place(30)).toBe(1);
    expect(axis.place(10)).toBe(0);
    const choice = axisFor("a", "act", { kind: "choice", choices: ["relu", "tanh", null] });
    expect([choice.place("relu"), choice.place("tanh"), choice.place(null)]).toEqual([0, 0.5, 1]);
    expect(choice.ticks.map((t) => t.label)).toEqual(["relu", "tanh", "None"]);
    expect(choice.place("gelu")).toBeNull();
    // One value only: the middle.
    expect(numericAxis("o", "acc", 0.5, 0.5).place(0.5)).toBe(0.5);
  });
});

describe("progress", () => {
  it("counts the finished trials and estimates the time left from their durations", () => {
    const p = progressOf(
      counts({ total: 6, succeeded: 2, pruned: 1, running: 2, queued: 1 }),
      10,
      2,
      [10, 20, 30],
    );
    expect(p).toMatchObject({ total: 10, done: 3, running: 2, queued: 1 });
    // 7 trials left, 20 s each, two at once.
    expect(p.eta).toBeCloseTo(70);
    expect(progressOf(counts({}), 4, 1, []).eta).toBeNull();
    expect(progressOf(counts({ succeeded: 4, total: 4 }), 4, 1, [5]).eta).toBe(0);
  });
});

describe("the live sweep", () => {
  const base = {
    id: 1,
    status: "running",
    trials: [trial(0, null)],
    counts: counts({ total: 1, running: 1 }),
    best: [],
    importances: null,
    spec: { objectives: [{ metric: "val_accuracy", direction: "maximize", at: "best" }] },
  } as unknown as Sweep;

  it("replaces a trial by its number, adds new ones in order, and takes the sweep's best", () => {
    let s = applyEvent(null, { type: "snapshot", t: 0, sweep: base })!;
    s = applyEvent(s, {
      type: "trial",
      t: 1,
      trial: trial(2, null),
      counts: counts({ total: 2, running: 2 }),
    })!;
    s = applyEvent(s, {
      type: "trial",
      t: 2,
      trial: trial(0, [0.8]),
      counts: counts({ total: 2, running: 1, succeeded: 1 }),
    })!;
    expect(s.trials.map((t) => [t.number, t.values])).toEqual([
      [0, [0.8]],
      [2, null],
    ]);
    expect(s.counts.succeeded).toBe(1);
    s = applyEvent(s, {
      type: "sweep",
      t: 3,
      status: "running",
      counts: s.counts,
      best: [0],
      importances: { a: 1 },
    })!;
    expect(s.best).toEqual([0]);
    expect(pickBest(s)?.number).toBe(0);
    s = applyEvent(s, { type: "done", t: 4, status: "succeeded" })!;
    expect(s.status).toBe("succeeded");
    expect(base.trials).toHaveLength(1);
  });
});

describe("the Sweep form", () => {
  it("offers the metrics the graph reports, val_accuracy first", () => {
    const nodes = fromDocument(examples.mnist_mlp).nodes;
    const metrics = reportedMetrics(nodes);
    expect(metrics[0]).toBe("val_accuracy");
    expect(metrics).toEqual(
      expect.arrayContaining(["val_loss", "accuracy", "loss", "params", "macs", "seconds"]),
    );
  });

  it("names the dimension a 400 is about by the order the space was sent in", () => {
    const refusal = sweepRefusal("high is above 1000000", "space[1].high", [
      "nodes.a.units",
      "training.learning_rate",
    ]);
    expect(refusal).toMatchObject({ target: "training.learning_rate", dimensionField: "high" });
    expect(sweepRefusal("too many", "trials", ["x"])).toMatchObject({ target: null, field: "trials" });
  });

  it("reads a trial's settings back into the form's values", () => {
    const declaration = settingsJson as unknown as SettingsDeclaration;
    const values = flattenSettings(declaration, {
      optimizer: "sgd",
      learning_rate: 0.001,
      epochs: 7,
      callbacks: { reduce_lr: { enabled: true, factor: 0.25 } },
    });
    expect(values).toEqual({
      optimizer: "sgd",
      epochs: 7,
      "callbacks.reduce_lr.enabled": true,
      "callbacks.reduce_lr.factor": 0.25,
    });
  });
});

describe("Ensemble the top k trials", () => {
  it("takes the k best succeeded trials by the first objective, skipping running and failed ones", () => {
    const sweep = {
      spec: { objectives: [{ metric: "val_loss", direction: "minimize", at: "best" }] },
      trials: [
        trial(0, [0.5]),
        trial(1, [0.2]),
        trial(2, null),
        trial(3, [0.9], { status: "failed" }),
        trial(4, [0.3]),
        trial(5, [0.1], { run: null as unknown as number }),
      ],
    } as unknown as Parameters<typeof topTrials>[0];
    expect(topTrials(sweep, 2).map((t) => t.number)).toEqual([1, 4]);
    expect(topTrials(sweep, 5).map((t) => t.number)).toEqual([1, 4, 0]);
  });
});
