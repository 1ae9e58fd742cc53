// Predictions while the person draws or types: debounced, at most one request in flight, the latest
// input always answered and an answer never replaced by an older one.

export type Task<T> = (signal: AbortSignal) => Promise<T>;

export interface LatestOptions<T> {
  /** Quiet time before a request goes out. */
  delayMs: number;
  /** Longest a burst of changes (a long stroke) waits before one goes out anyway. */
  maxWaitMs?: number;
  onStart?: () => void;
  onResult: (value: T) => void;
  onError: (error: unknown) => void;
}

/**
 * `schedule(task)` replaces any task not yet started; it starts after `delayMs` without a newer one
 * (or `maxWaitMs` after the first of a burst), and only once the request in flight has settled.
 * A settled task's answer is delivered unless `cancel()` came after it started. Clock injectable
 * for tests through the global timers (vi.useFakeTimers).
 */
export class LatestRequest<T> {
  private pending: Task<T> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private burstStart: number | null = null;
  private inFlight: AbortController | null = null;
  private generation = 0;
  private readonly options: LatestOptions<T>;
  started = 0;

  constructor(options: LatestOptions<T>) {
    this.options = options;
  }

  get busy(): boolean {
    return this.inFlight !== null || this.pending !== null;
  }

  schedule(task: Task<T>): void {
    this.pending = task;
    const now = Date.now();
    if (this.burstStart === null) this.burstStart = now;
    const maxWait = this.options.maxWaitMs ?? Infinity;
    const wait = Math.max(0, Math.min(this.options.delayMs, this.burstStart + maxWait - now));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.burstStart = null;
      this.pump();
    }, wait);
  }

  /** Runs `task` as soon as the request in flight (if any) settles, with no debounce. */
  now(task: Task<T>): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.burstStart = null;
    this.pending = task;
    this.pump();
  }

  /** Drops the pending task and aborts the one in flight; nothing more is delivered. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.burstStart = null;
    this.pending = null;
    this.generation++;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  private pump(): void {
    if (this.inFlight || !this.pending || this.timer !== null) return;
    const task = this.pending;
    this.pending = null;
    const controller = new AbortController();
    this.inFlight = controller;
    const generation = this.generation;
    this.started++;
    this.options.onStart?.();
    task(controller.signal).then(
      (value) => this.settle(controller, generation, () => this.options.onResult(value)),
      (error) => this.settle(controller, generation, () => this.options.onError(error)),
    );
  }

  private settle(controller: AbortController, generation: number, deliver: () => void): void {
    if (this.inFlight === controller) this.inFlight = null;
    if (generation === this.generation && !controller.signal.aborted) deliver();
    this.pump();
  }
}
