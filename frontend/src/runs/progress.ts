// Progress of a run: the fraction done, samples per second, elapsed time and ETA.
// Times are the server's (events carry "t", Unix seconds).

export interface Position {
  epoch: number; // 1-based, the epoch under way (or the last one done)
  step: number; // steps done in that epoch
  steps: number; // steps per epoch
  epochs: number; // epochs planned
}

/** Global steps done. */
export function stepsDone(p: Position): number {
  return Math.max(0, (p.epoch - 1) * p.steps + Math.min(p.step, p.steps));
}

/** 0..1 */
export function fractionDone(p: Position): number {
  const total = p.epochs * p.steps;
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, stepsDone(p) / total));
}

/**
 * Steps per second over a sliding window of (time, global step) samples: the slope between the
 * oldest and the newest sample in the window. Epoch boundaries (validation, checkpoints) are part
 * of the time, as they are of the ETA.
 */
export class RateMeter {
  private samples: { t: number; step: number }[] = [];
  constructor(private windowSeconds = 10) {}

  add(t: number, step: number) {
    const last = this.samples[this.samples.length - 1];
    if (last && step < last.step) this.samples = []; // a restart (a rebuilt page): start over
    this.samples.push({ t, step });
    const cutoff = t - this.windowSeconds;
    while (this.samples.length > 2 && this.samples[1].t <= cutoff) this.samples.shift();
  }

  reset() {
    this.samples = [];
  }

  stepsPerSecond(): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = last.t - first.t;
    const ds = last.step - first.step;
    if (dt <= 0 || ds <= 0) return null;
    return ds / dt;
  }
}

export function samplesPerSecond(stepsPerSecond: number | null, batchSize: number): number | null {
  if (stepsPerSecond === null || !(batchSize > 0)) return null;
  return stepsPerSecond * batchSize;
}

/**
 * Seconds left. With finished epochs, their mean duration times the epochs left (it includes the
 * validation pass); before the first epoch ends, the steps left at the current step rate.
 */
export function eta(
  p: Position,
  opts: { stepsPerSecond: number | null; epochSeconds?: number[] },
): number | null {
  const total = p.epochs * p.steps;
  if (!(total > 0)) return null;
  const left = total - stepsDone(p);
  if (left <= 0) return 0;
  const durations = (opts.epochSeconds ?? []).filter((s) => Number.isFinite(s) && s > 0);
  if (durations.length) {
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    return (left / p.steps) * mean;
  }
  if (opts.stepsPerSecond && opts.stepsPerSecond > 0) return left / opts.stepsPerSecond;
  return null;
}

/** 75 -> "1:15", 3725 -> "1:02:05", null -> "–". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** 1234.5 -> "1,235", 12.34 -> "12.3". */
export function formatRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "–";
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}
