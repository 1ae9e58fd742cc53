import { describe, expect, it } from "vitest";
import type { Run } from "../api/runs";
import { RunStream } from "./stream";
import { systemData, type SystemSample } from "./SystemChart";

const MB = 1024 * 1024;

describe("systemData", () => {
  it("gives seconds since the first sample, CPU percent and memory in MB, in time order", () => {
    const samples: SystemSample[] = [
      { t: 104, cpu: 80, memory: 600 * MB },
      { t: 100, cpu: 5, memory: 400 * MB },
      { t: 102, cpu: null, memory: null },
    ];
    expect(systemData(samples, false)).toEqual([
      [0, 2, 4],
      [5, null, 80],
      [400, null, 600],
    ]);
  });

  it("adds the GPU's utilisation and memory on a GPU worker", () => {
    const samples: SystemSample[] = [
      { t: 1, cpu: 90, memory: MB, gpu: 55, gpu_memory: 2048 * MB },
      { t: 3, cpu: 95, memory: 2 * MB },
    ];
    expect(systemData(samples, true)).toEqual([
      [0, 2],
      [90, 95],
      [1, 2],
      [55, null],
      [2048, null],
    ]);
  });
});

describe("the run stream's system events", () => {
  it("append a sample to the run's `system`", () => {
    const stream = new RunStream("7", { socket: false });
    const run = {
      id: 7,
      status: "running",
      history: [],
      batches: [],
      system: [{ t: 1, cpu: 3, memory: MB }],
    };
    stream.handle({ type: "snapshot", t: 1, run: run as unknown as Run });
    stream.handle({ type: "system", t: 3, cpu: 97.5, memory: 2 * MB });
    expect(stream.view.run?.system).toEqual([
      { t: 1, cpu: 3, memory: MB },
      { t: 3, cpu: 97.5, memory: 2 * MB },
    ]);
  });
});
