// Words and numbers the ensemble and cross-validation pages share.
import { formatValue, isFraction } from "./compare";
import type { Gain, Metrics, WeightsFrom } from "./types";

/** Where the weights came from, in words. */
export function weightsSource(from: WeightsFrom, samples?: number | null): string {
  if (from === "validation")
    return `fitted on the validation split${samples ? ` (${samples.toLocaleString("en-US")} samples)` : ""}`;
  if (from === "given") return "given";
  return "equal";
}

/** The headline metric of some test metrics: the gain's metric, else accuracy, else the loss. */
export function headline(
  test: Metrics | null | undefined,
  gain?: Gain | null,
): [string, number | null] | null {
  if (!test) return null;
  if (gain && gain.metric in test) return [gain.metric, test[gain.metric]];
  const acc = Object.keys(test).find((k) => /accuracy$/.test(k));
  if (acc) return [acc, test[acc]];
  if ("loss" in test) return ["loss", test.loss];
  const first = Object.keys(test)[0];
  return first ? [first, test[first]] : null;
}

/** "accuracy 97.22%" */
export function headlineText(test: Metrics | null | undefined, gain?: Gain | null): string {
  const h = headline(test, gain);
  return h ? `${h[0].replace(/_/g, " ")} ${formatValue(h[0], h[1])}` : "–";
}

/** The server's gain as "+1.20 pp" (fractions) or "+0.0123"; positive is always "ensemble better". */
export function gainText(gain: Gain | null | undefined): string {
  if (!gain || gain.value === null || !Number.isFinite(gain.value)) return "–";
  const v = gain.value;
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  const a = Math.abs(v);
  return isFraction(gain.metric) ? `${sign}${(a * 100).toFixed(2)} pp` : `${sign}${a.toPrecision(3)}`;
}

/** Metric names in the order results show them: loss first, then accuracy-like, then the rest. */
export function metricOrder(names: string[]): string[] {
  const rank = (n: string) => (n === "loss" ? 0 : n.endsWith("loss") ? 1 : /acc/.test(n) ? 2 : 3);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
