import { describe, expect, it } from "vitest";
import {
  eta,
  formatDuration,
  formatRate,
  fractionDone,
  RateMeter,
  samplesPerSecond,
  stepsDone,
} from "./progress";

describe("progress math", () => {
  it("counts steps across epochs", () => {
    const p = { epoch: 2, step: 5, steps: 10, epochs: 4 };
    expect(stepsDone(p)).toBe(15);
    expect(fractionDone(p)).toBeCloseTo(15 / 40);
    expect(fractionDone({ epoch: 4, step: 10, steps: 10, epochs: 4 })).toBe(1);
    expect(fractionDone({ epoch: 1, step: 0, steps: 0, epochs: 0 })).toBe(0);
  });

  it("measures steps per second over a sliding window", () => {
    const meter = new RateMeter(10);
    expect(meter.stepsPerSecond()).toBeNull();
    meter.add(100, 0);
    expect(meter.stepsPerSecond()).toBeNull();
    meter.add(101, 20);
    meter.add(102, 40);
    expect(meter.stepsPerSecond()).toBe(20);
    // Slower later: the window forgets the fast start.
    for (let t = 103; t <= 130; t++) meter.add(t, 40 + (t - 102) * 5);
    expect(meter.stepsPerSecond()).toBeCloseTo(5);
    // Steps going backwards (a rebuilt page): start over.
    meter.add(131, 3);
    expect(meter.stepsPerSecond()).toBeNull();
  });

  it("turns steps per second into samples per second", () => {
    expect(samplesPerSecond(12.5, 32)).toBe(400);
    expect(samplesPerSecond(null, 32)).toBeNull();
    expect(samplesPerSecond(3, 0)).toBeNull();
  });

  it("estimates the time left from the step rate, then from epoch durations", () => {
    const p = { epoch: 1, step: 25, steps: 100, epochs: 2 };
    expect(eta(p, { stepsPerSecond: 50 })).toBeCloseTo(175 / 50);
    expect(eta(p, { stepsPerSecond: null })).toBeNull();
    // With finished epochs: their mean duration (validation included) per epoch left.
    const later = { epoch: 3, step: 50, steps: 100, epochs: 4 };
    expect(eta(later, { stepsPerSecond: 1000, epochSeconds: [10, 14] })).toBeCloseTo(1.5 * 12);
    expect(eta({ epoch: 4, step: 100, steps: 100, epochs: 4 }, { stepsPerSecond: 5 })).toBe(0);
    expect(eta(later, { stepsPerSecond: null, epochSeconds: [NaN] })).toBeNull();
  });

  it("formats durations and rates", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(75.4)).toBe("1:15");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(-1)).toBe("–");
    expect(formatRate(1234.5)).toBe("1,235");
    expect(formatRate(12.34)).toBe("12.3");
    expect(formatRate(null)).toBe("–");
  });
});
