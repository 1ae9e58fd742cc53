import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LatestRequest } from "./latest";

/** A task that resolves when the test says so, recording that it ran and with which signal. */
function deferred<T>() {
  const calls: { value: T; resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal }[] = [];
  const make = (value: T) => (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      calls.push({ value, resolve: () => resolve(value), reject, signal });
    });
  return { calls, make };
}

describe("LatestRequest", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("debounces a burst into one request for its last value", async () => {
    const results: number[] = [];
    const latest = new LatestRequest<number>({
      delayMs: 200,
      onResult: (v) => results.push(v),
      onError: () => {},
    });
    const { calls, make } = deferred<number>();
    for (let i = 0; i < 10; i++) {
      latest.schedule(make(i));
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((c) => c.value)).toEqual([9]);
    calls[0].resolve();
    await vi.runAllTimersAsync();
    expect(results).toEqual([9]);
  });

  it("sends during a long burst after maxWait", async () => {
    const latest = new LatestRequest<number>({
      delayMs: 200,
      maxWaitMs: 500,
      onResult: () => {},
      onError: () => {},
    });
    const { calls, make } = deferred<number>();
    for (let i = 0; i < 12; i++) {
      latest.schedule(make(i));
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(calls.length).toBe(1);
    expect(calls[0].value).toBeLessThan(11);
  });

  it("keeps one request in flight and sends only the newest pending one after it", async () => {
    const results: number[] = [];
    const latest = new LatestRequest<number>({
      delayMs: 0,
      onResult: (v) => results.push(v),
      onError: () => {},
    });
    const { calls, make } = deferred<number>();
    latest.now(make(1));
    latest.now(make(2));
    latest.now(make(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.value)).toEqual([1]);
    expect(latest.busy).toBe(true);
    calls[0].resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.value)).toEqual([1, 3]);
    calls[1].resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(results).toEqual([1, 3]);
    expect(latest.busy).toBe(false);
    expect(latest.started).toBe(2);
  });

  it("delivers errors, and nothing after cancel (the request in flight is aborted)", async () => {
    const results: number[] = [];
    const errors: unknown[] = [];
    const latest = new LatestRequest<number>({
      delayMs: 0,
      onResult: (v) => results.push(v),
      onError: (e) => errors.push(e),
    });
    const { calls, make } = deferred<number>();
    latest.now(make(1));
    calls[0].reject(new Error("bad"));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    latest.now(make(2));
    latest.schedule(make(3));
    latest.cancel();
    expect(calls[1].signal.aborted).toBe(true);
    calls[1].resolve();
    await vi.runAllTimersAsync();
    expect(results).toEqual([]);
    expect(calls).toHaveLength(2);
  });
});
