import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../api/runs";
import { listPath } from "./api";
import { addTags } from "./tags";
import {
  allTags,
  compareValues,
  DEFAULT_COLUMNS,
  discoverColumns,
  display,
  filterRuns,
  flatten,
  nextSort,
  NO_FILTERS,
  PREFS_KEY,
  readPrefs,
  shownColumns,
  sortRuns,
  toggleColumn,
  writePrefs,
  type SortState,
} from "./columns";

function run(id: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    status: "succeeded",
    project: null,
    name: `run ${id}`,
    graph_name: "mnist_mlp",
    dataset: { ref: "fashion_mnist", kind: "builtin", name: "fashion_mnist", title: "Fashion-MNIST" },
    training: {
      optimizer: "adam",
      learning_rate: 0.001,
      batch_size: 32,
      epochs: 1,
    } as RunSummary["training"],
    epochs_done: 1,
    best: null,
    test: null,
    error: null,
    cancel_requested: false,
    has_model: true,
    has_tensorboard: false,
    created_at: `2026-01-0${id}T10:00:00Z`,
    started_at: null,
    finished_at: null,
    heartbeat_at: null,
    duration: null,
    tags: [],
    note: "",
    ...over,
  };
}

const ctx = {
  projectName: (id: number | null) => (id === 7 ? "Shoe classifier" : id === null ? "" : `#${id}`),
};
const ids = (runs: RunSummary[]) => runs.map((r) => r.id);

describe("columns", () => {
  it("flattens nested settings to dotted names", () => {
    expect(flatten({ a: 1, cb: { es: { on: true, patience: 3 } }, list: [1, 2], none: null })).toEqual({
      a: 1,
      "cb.es.on": true,
      "cb.es.patience": 3,
      list: "[1,2]",
      none: null,
    });
  });

  it("finds every setting and metric the runs have, after the run's own columns", () => {
    const runs = [
      run(1, {
        training: {
          optimizer: "sgd",
          callbacks: { early_stopping: { patience: 2 } },
        } as RunSummary["training"],
        best: { metric: "val_accuracy", value: 0.9, epoch: 3 },
        final: { loss: 0.3, val_loss: 0.4 },
      }),
      run(2, { test: { accuracy: 0.88, loss: 0.35 }, best: { metric: "val_loss", value: 0.2, epoch: 1 } }),
    ];
    const columns = discoverColumns(runs);
    const found = columns.map((c) => c.id);
    for (const id of ["status", "name", "duration", "dataset", "project", "worker", "tags", "created"])
      expect(found).toContain(id);
    expect(found.filter((id) => id.startsWith("training."))).toEqual([
      "training.batch_size",
      "training.callbacks.early_stopping.patience",
      "training.epochs",
      "training.learning_rate",
      "training.optimizer",
    ]);
    // val accuracy first, then val loss, the rest by name
    expect(found.filter((id) => /^(best|final|test)\./.test(id))).toEqual([
      "best.val_accuracy",
      "best.val_loss",
      "final.val_loss",
      "final.loss",
      "test.accuracy",
      "test.loss",
    ]);
    const byId = Object.fromEntries(columns.map((c) => [c.id, c]));
    expect(byId["training.callbacks.early_stopping.patience"].value(runs[0], ctx)).toBe(2);
    expect(byId["training.callbacks.early_stopping.patience"].value(runs[1], ctx)).toBeNull();
    expect(byId["best.val_accuracy"].value(runs[0], ctx)).toBe(0.9);
    expect(byId["best.val_accuracy"].value(runs[1], ctx)).toBeNull(); // its best is another metric
    expect(display(byId["final.loss"], runs[0], ctx)).toBe("0.3000");
    expect(display(byId["test.accuracy"], runs[0], ctx)).toBe("–");
    expect(display(byId.best, runs[0], ctx)).toBe("val_accuracy 0.9000 (ep 3)");
    expect(display(byId.test, runs[1], ctx)).toBe("accuracy 88.0%");
    expect(display(byId.project, run(3, { project: 7 }), ctx)).toBe("Shoe classifier");
    expect(display(byId.duration, run(3, { duration: 75 }), ctx)).not.toBe("–");
    expect(display(byId.worker, run(3, { worker: "" }), ctx)).toBe("–");
  });

  it("shows the chosen columns in the table's order, whatever order they were ticked in", () => {
    const all = discoverColumns([run(1)]);
    const chosen = toggleColumn(toggleColumn(["created", "status"], "training.optimizer"), "status");
    expect(chosen).toEqual(["created", "training.optimizer"]);
    expect(shownColumns(all, [...chosen, "test.nothing-here"]).map((c) => c.id)).toEqual([
      "created",
      "training.optimizer",
    ]);
  });
});

describe("sorting", () => {
  const runs = [
    run(1, { duration: 30, name: "run 10", training: { learning_rate: 0.01 } as RunSummary["training"] }),
    run(2, { duration: null, name: "run 9", training: { learning_rate: 0.1 } as RunSummary["training"] }),
    run(3, { duration: 5, name: "Run 100", training: { optimizer: "adam" } as RunSummary["training"] }),
    run(4, { duration: 30, name: "alpha", training: { learning_rate: 0.001 } as RunSummary["training"] }),
  ];
  const columns = discoverColumns(runs);
  const sorted = (sort: SortState | null) => ids(sortRuns(runs, sort, columns, ctx));

  it("a header click sorts ascending, a second descending", () => {
    const first = nextSort(null, "duration");
    expect(first).toEqual({ column: "duration", direction: "asc" });
    expect(nextSort(first, "duration")).toEqual({ column: "duration", direction: "desc" });
    expect(nextSort(nextSort(first, "duration"), "duration")).toEqual(first);
    expect(nextSort(first, "name")).toEqual({ column: "name", direction: "asc" });
  });

  it("numbers as numbers, ties in their order, runs without a value last either way", () => {
    expect(sorted({ column: "duration", direction: "asc" })).toEqual([3, 1, 4, 2]);
    expect(sorted({ column: "duration", direction: "desc" })).toEqual([1, 4, 3, 2]);
    expect(sorted({ column: "training.learning_rate", direction: "asc" })).toEqual([4, 1, 2, 3]);
    expect(sorted({ column: "training.learning_rate", direction: "desc" })).toEqual([2, 1, 4, 3]);
  });

  it("text with numbers in it, ignoring case", () => {
    expect(sorted({ column: "name", direction: "asc" })).toEqual([4, 2, 1, 3]);
    expect(sorted({ column: "name", direction: "desc" })).toEqual([3, 1, 2, 4]);
  });

  it("no sort, or a column no run has: the server's order", () => {
    expect(sorted(null)).toEqual([1, 2, 3, 4]);
    expect(sorted({ column: "test.gone", direction: "asc" })).toEqual([1, 2, 3, 4]);
  });

  it("compares mixed values without throwing", () => {
    expect(compareValues(2, 10)).toBeLessThan(0);
    expect(compareValues("b2", "b10")).toBeLessThan(0);
    expect(compareValues(1, "a")).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
  });
});

describe("filtering", () => {
  const runs = [
    run(1, { name: "First try", tags: ["baseline", "lr-1e-3"], project: 7 }),
    run(2, { status: "failed", tags: ["baseline"], graph_name: "fashion_cnn", name: "fashion_cnn" }),
    run(3, { dataset: { ref: 4, kind: "upload", name: "housing.csv", title: "housing.csv" } }),
  ];
  const keep = (f: Partial<typeof NO_FILTERS>) => ids(filterRuns(runs, { ...NO_FILTERS, ...f }, ctx));

  it("by text in the name, the graph's, the project's or the dataset's, any case", () => {
    expect(keep({})).toEqual([1, 2, 3]);
    expect(keep({ text: "FIRST" })).toEqual([1]);
    expect(keep({ text: "cnn" })).toEqual([2]);
    expect(keep({ text: "shoe" })).toEqual([1]);
    expect(keep({ text: " housing " })).toEqual([3]);
    expect(keep({ text: "fashion" })).toEqual([1, 2]);
    expect(keep({ text: "nothing like it" })).toEqual([]);
  });

  it("by status and by a whole tag, together", () => {
    expect(keep({ status: "failed" })).toEqual([2]);
    expect(keep({ tag: "baseline" })).toEqual([1, 2]);
    expect(keep({ tag: "base" })).toEqual([]);
    expect(keep({ tag: "baseline", status: "succeeded", text: "try" })).toEqual([1]);
    expect(allTags(runs)).toEqual(["baseline", "lr-1e-3"]);
  });

  it("asks the server with the same filters, the empty ones left out", () => {
    expect(listPath({})).toBe("/api/runs");
    expect(listPath({ project: 3, status: "", tag: " a b ", q: "  " })).toBe("/api/runs?project=3&tag=a+b");
    expect(listPath({ status: "failed", q: "x&y" })).toBe("/api/runs?status=failed&q=x%26y");
  });
});

describe("tags typed", () => {
  it("are trimmed, split on commas, and never repeated", () => {
    expect(addTags(["a"], " b, a ,, c ")).toEqual(["a", "b", "c"]);
    expect(addTags([], "   ")).toEqual([]);
  });
});

describe("the person's choice", () => {
  function memory(initial: Record<string, string> = {}) {
    const data = { ...initial };
    return {
      data,
      getItem: (k: string) => data[k] ?? null,
      setItem: (k: string, v: string) => void (data[k] = v),
    };
  }

  it("is kept and read back", () => {
    const storage = memory();
    expect(readPrefs(storage)).toEqual({ columns: DEFAULT_COLUMNS, sort: null });
    writePrefs(storage, {
      columns: ["status", "training.optimizer"],
      sort: { column: "duration", direction: "desc" },
    });
    expect(readPrefs(storage)).toEqual({
      columns: ["status", "training.optimizer"],
      sort: { column: "duration", direction: "desc" },
    });
  });

  it("falls back to the defaults when unreadable", () => {
    expect(readPrefs(memory({ [PREFS_KEY]: "{nope" }))).toEqual({ columns: DEFAULT_COLUMNS, sort: null });
    expect(
      readPrefs(memory({ [PREFS_KEY]: '{"columns": [1], "sort": {"column": "x", "direction": "up"}}' })),
    ).toEqual({ columns: DEFAULT_COLUMNS, sort: null });
    expect(readPrefs(undefined)).toEqual({ columns: DEFAULT_COLUMNS, sort: null });
  });
});
