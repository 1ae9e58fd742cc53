import { describe, expect, it } from "vitest";
import type { EpochEntry, Run } from "../api/runs";
import {
  alignedData,
  applyBatch,
  applyEpoch,
  batchPoints,
  batchX,
  emptySeries,
  mergeBatches,
  pointCount,
  rebuild,
} from "./series";
import { RunStream, type RunEvent } from "./stream";

const STEPS = 4;

function batches(epoch: number) {
  return Array.from({ length: STEPS }, (_, i) => ({
    epoch,
    step: i + 1,
    steps: STEPS,
    metrics: { loss: 2 / (epoch + i), accuracy: 0.1 * (epoch + i) },
  }));
}

function epochEntry(epoch: number): EpochEntry & { lr: number; seconds: number } {
  return {
    epoch,
    metrics: {
      loss: 1 / epoch,
      accuracy: 0.5 + epoch / 10,
      val_loss: 1.2 / epoch,
      val_accuracy: 0.4 + epoch / 10,
    },
    lr: 0.001 / epoch,
    seconds: 2,
  };
}

function baseRun(history: EpochEntry[], status: Run["status"] = "running"): Run {
  return {
    id: 7,
    status,
    project: null,
    name: "mnist_mlp",
    dataset: { ref: "fashion_mnist", kind: "builtin", name: "fashion_mnist", title: "Fashion-MNIST" },
    training: {
      optimizer: "adam",
      learning_rate: 0.001,
      batch_size: 32,
      epochs: 3,
      validation_split: 0.1,
      max_samples: 512,
      seed: 0,
      callbacks: {} as Run["training"]["callbacks"],
      crossval: { folds: null, fold: 0, stratified: true },
    },
    epochs_done: history.length,
    best: null,
    test: null,
    error: null,
    cancel_requested: false,
    has_model: false,
    has_tensorboard: false,
    created_at: "2026-01-01T00:00:00+00:00",
    started_at: "2026-01-01T00:00:01+00:00",
    finished_at: null,
    heartbeat_at: null,
    duration: null,
    graph: { version: 1, name: "mnist_mlp", nodes: [], edges: [] },
    history,
    batches: [],
    confusion: null,
    samples: [],
    worker: null,
  };
}

describe("event -> chart series", () => {
  it("puts batch points at fractional epochs and epoch points at whole ones", () => {
    expect(batchX(1, 2, 4)).toBe(0.5);
    expect(batchX(2, 4, 4)).toBe(2);
    const s = emptySeries();
    for (const b of batches(1)) applyBatch(s, b);
    applyEpoch(s, epochEntry(1));
    expect(s.keys).toEqual(["loss", "accuracy"]);
    const [x, batch, epoch, val] = alignedData(s.charts.loss);
    expect(x).toEqual([0.25, 0.5, 0.75, 1]);
    // The epoch's last batch and the epoch share x = 1.
    expect(batch).toEqual([2, 1, 2 / 3, 0.5]);
    expect(epoch).toEqual([null, null, null, 1]);
    expect(val).toEqual([null, null, null, 1.2]);
    expect(pointCount(s.charts.loss)).toEqual({ batch: 4, epoch: 1, val: 1 });
    expect(s.lr).toEqual({ x: [1], y: [0.001] });
  });

  it("puts loss first even when another metric comes first", () => {
    const s = emptySeries();
    applyBatch(s, { epoch: 1, step: 1, steps: 2, metrics: { accuracy: 0.1, loss: 2 } });
    applyEpoch(s, { epoch: 1, metrics: { label_accuracy: 0.3, loss: 1, val_loss: 1 } });
    expect(s.keys).toEqual(["loss", "accuracy", "label_accuracy"]);
  });

  it("updates an epoch seen twice (snapshot and event) instead of doubling it", () => {
    const s = rebuild([epochEntry(1)]);
    applyEpoch(s, { ...epochEntry(1), metrics: { loss: 0.9, val_loss: 1.1 } });
    expect(alignedData(s.charts.loss)).toEqual([[1], [null], [0.9], [1.1]]);
    expect(s.lr.x).toEqual([1]);
  });

  it("keeps x sorted when a point arrives late", () => {
    const s = emptySeries();
    applyBatch(s, { epoch: 2, step: 1, steps: 2, metrics: { loss: 1 } });
    applyEpoch(s, { epoch: 1, metrics: { loss: 1.5 } });
    applyBatch(s, { epoch: 1, step: 1, steps: 2, metrics: { loss: 2 } });
    expect(s.charts.loss.x).toEqual([0.5, 1, 1.5]);
    expect(s.charts.loss.batch).toEqual([2, null, 1]);
    expect(s.charts.loss.epoch).toEqual([null, 1.5, null]);
  });

  it("rebuilds from a snapshot identically to what was watched live", () => {
    const live = emptySeries();
    const history: EpochEntry[] = [];
    for (const epoch of [1, 2]) {
      for (const b of batches(epoch)) applyBatch(live, b);
      const e = epochEntry(epoch);
      history.push(e);
      applyEpoch(live, e);
    }
    for (const b of batches(3).slice(0, 2)) applyBatch(live, b);
    // A reload: the server's history plus the batch points kept in the session.
    const reloaded = rebuild(history, live.batches);
    expect(reloaded.keys).toEqual(live.keys);
    for (const key of live.keys)
      expect(alignedData(reloaded.charts[key])).toEqual(alignedData(live.charts[key]));
    expect(reloaded.lr).toEqual(live.lr);
    // Without the kept batch points the epochs still come back whole.
    const bare = rebuild(history);
    expect(pointCount(bare.charts.loss)).toEqual({ batch: 0, epoch: 2, val: 2 });
    expect(reloaded.generation).toBe(1);
    expect(rebuild(history, [], reloaded).generation).toBe(2);
  });

  it("takes 10,000 batch points quickly, appending in place", () => {
    const s = emptySeries();
    const steps = 100;
    const started = performance.now();
    for (let epoch = 1; epoch <= 100; epoch++) {
      for (let step = 1; step <= steps; step++)
        applyBatch(s, { epoch, step, steps, metrics: { loss: 1 / (epoch + step), accuracy: 0.5 } });
      applyEpoch(s, epochEntry(epoch));
    }
    const arrays = s.charts.loss.x;
    applyBatch(s, { epoch: 101, step: 1, steps, metrics: { loss: 0.1 } });
    expect(s.charts.loss.x).toBe(arrays); // the same array, grown: uPlot's setData takes it as is
    expect(performance.now() - started).toBeLessThan(1000);
    expect(pointCount(s.charts.loss)).toEqual({ batch: 10_001, epoch: 100, val: 100 });
    expect(s.charts.loss.x.every((x, i, xs) => i === 0 || xs[i - 1] < x)).toBe(true);
  });

  it("rebuilds from the server's batch records identically, one point per (epoch, step)", () => {
    const live = emptySeries();
    const records = [...batches(1), ...batches(2)];
    for (const b of records) applyBatch(live, b);
    const rebuilt = rebuild([], batchPoints(records));
    expect(rebuilt.batches).toEqual(live.batches);
    for (const key of live.keys)
      expect(alignedData(rebuilt.charts[key])).toEqual(alignedData(live.charts[key]));
    // A live event the snapshot already had replaces its point; a late one goes in order.
    applyBatch(rebuilt, { ...records[1], metrics: { loss: 9 } });
    applyBatch(rebuilt, records[records.length - 1]);
    expect(rebuilt.batches.length).toBe(records.length);
    expect(rebuilt.batches[1].metrics.loss).toBe(9);
    expect(pointCount(rebuilt.charts.loss).batch).toBe(records.length);
    const merged = mergeBatches(rebuilt.batches.slice(0, 2), [
      { ...rebuilt.batches[1], metrics: { loss: 7 } },
      rebuilt.batches[3],
    ]);
    expect(merged.map((p) => [p.epoch, p.step])).toEqual([
      [1, 1],
      [1, 2],
      [1, 4],
    ]);
    expect(merged[1].metrics.loss).toBe(7);
    expect(batchPoints(undefined)).toEqual([]);
    expect(batchPoints([{ epoch: 1 } as never, records[0]]).length).toBe(1);
  });
});

describe("RunStream", () => {
  function feed(stream: RunStream, events: RunEvent[]) {
    for (const ev of events) stream.handle(ev);
  }

  it("follows a snapshot then events, and a second page rebuilds the same charts", () => {
    const live = new RunStream("7", { socket: false });
    feed(live, [{ type: "snapshot", t: 1, run: baseRun([]) }]);
    expect(live.view.status).toBe("running");
    const history: EpochEntry[] = [];
    let t = 2;
    for (const epoch of [1, 2]) {
      for (const b of batches(epoch)) live.handle({ type: "batch", t: t++, epochs: 3, ...b });
      const e = epochEntry(epoch);
      history.push(e);
      live.handle({ type: "epoch", t: t++, epochs: 3, ...e });
    }
    expect(live.view.position).toEqual({ epoch: 2, step: STEPS, steps: STEPS, epochs: 3 });
    expect(live.view.run?.epochs_done).toBe(2);
    expect(live.view.stepsPerSecond).toBeGreaterThan(0);

    const reloaded = new RunStream("7", { socket: false });
    feed(reloaded, [{ type: "snapshot", t: t, run: baseRun(history) }]);
    // Without batch records in the snapshot, the epochs still come back exactly as watched.
    const epochs = (c: { x: number[]; epoch: (number | null)[]; val: (number | null)[] }) =>
      c.x.map((x, i) => [x, c.epoch[i], c.val[i]]).filter(([, e, v]) => e !== null || v !== null);
    expect(reloaded.series.keys).toEqual(live.series.keys);
    for (const key of live.series.keys)
      expect(epochs(reloaded.series.charts[key])).toEqual(epochs(live.series.charts[key]));
    expect(reloaded.series.lr).toEqual(live.series.lr);
    expect(reloaded.view.position?.epoch).toBe(2);

    // A reconnect (a second snapshot on the same page) keeps the batch points seen.
    const before = pointCount(live.series.charts.loss);
    live.handle({ type: "snapshot", t: t + 1, run: baseRun(history) });
    expect(pointCount(live.series.charts.loss)).toEqual(before);
    expect(live.view.snapshots).toBe(2);
  });

  it("rebuilds the thin batch line from the server's stored batches, without doubling live ones", () => {
    const live = new RunStream("7", { socket: false });
    live.handle({ type: "snapshot", t: 1, run: baseRun([]) });
    const history: EpochEntry[] = [];
    const stored: ReturnType<typeof batches> = [];
    let t = 2;
    for (const epoch of [1, 2]) {
      for (const b of batches(epoch)) {
        live.handle({ type: "batch", t: t++, epochs: 3, ...b });
        stored.push(b);
      }
      const e = epochEntry(epoch);
      history.push(e);
      live.handle({ type: "epoch", t: t++, epochs: 3, ...e });
    }
    // Another browser (no points of its own) gets every point from the snapshot alone.
    const other = new RunStream("7", { socket: false });
    other.handle({ type: "snapshot", t, run: { ...baseRun(history), batches: stored } });
    for (const key of live.series.keys) expect(other.series.charts[key]).toEqual(live.series.charts[key]);
    // A live batch already stored is not doubled; a new one is added.
    const before = pointCount(other.series.charts.loss).batch;
    other.handle({ type: "batch", t: t + 1, epochs: 3, ...stored[stored.length - 1] });
    expect(pointCount(other.series.charts.loss).batch).toBe(before);
    other.handle({
      type: "batch",
      t: t + 2,
      epochs: 3,
      epoch: 3,
      step: 1,
      steps: STEPS,
      metrics: { loss: 0.5, accuracy: 0.9 },
    });
    expect(pointCount(other.series.charts.loss).batch).toBe(before + 1);
  });

  it("takes status, done and error events", async () => {
    const fetched = baseRun([epochEntry(1)], "cancelled");
    const stream = new RunStream("7", { socket: false, fetchRun: async () => fetched });
    stream.handle({ type: "snapshot", t: 1, run: baseRun([], "queued") });
    stream.handle({ type: "status", t: 2, status: "running" });
    expect(stream.view.status).toBe("running");
    stream.handle({ type: "done", t: 3, status: "cancelled", test: { loss: 1 } });
    expect(stream.view.status).toBe("cancelled");
    expect(stream.view.run?.test).toEqual({ loss: 1 });
    await new Promise((r) => setTimeout(r, 250));
    expect(stream.view.run).toBe(fetched);
    expect(pointCount(stream.series.charts.loss).epoch).toBe(1);

    const failing = new RunStream("8", {
      socket: false,
      fetchRun: async () => ({ ...baseRun([], "failed"), error: "boom" }),
    });
    failing.handle({ type: "snapshot", t: 1, run: baseRun([]) });
    failing.handle({ type: "error", t: 2, message: "loss became NaN" });
    expect(failing.view.error).toBe("loss became NaN");
  });
});
