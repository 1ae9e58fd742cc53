// Probability bars and regression numbers: how an answer of POST /api/runs/{id}/predict is shown.
import type { TopClass } from "./types";

export interface Bar {
  key: string;
  name: string;
  probability: number;
  /** "91.2%", "<0.1%", "100%". */
  label: string;
  /** The bar's CSS width. */
  width: string;
  other?: boolean;
}

export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return "–";
  const pct = Math.min(100, Math.max(0, p * 100));
  if (pct > 0 && pct < 0.1) return "<0.1%";
  if (pct >= 99.95 && p < 1) return ">99.9%";
  if (pct === 0 || pct === 100) return `${pct}%`;
  return `${pct.toFixed(1)}%`;
}

/**
 * The top classes of one sample as bars, most likely first (at most `most`), with the class names of
 * the output when the answer lacks one, and an "other N classes" bar for the rest, so the bars always
 * add up to 100%.
 */
export function probabilityBars(top: TopClass[], classes?: string[] | null, most = 5): Bar[] {
  const shown = [...top].sort((a, b) => b.probability - a.probability).slice(0, most);
  const bars: Bar[] = shown.map((t) => ({
    key: String(t.class),
    name: t.name || classes?.[t.class] || String(t.class),
    probability: t.probability,
    label: formatPercent(t.probability),
    width: `${(Math.min(1, Math.max(0, t.probability)) * 100).toFixed(1)}%`,
  }));
  const rest = Math.max(0, 1 - shown.reduce((s, t) => s + t.probability, 0));
  const others = classes ? classes.length - shown.length : null;
  if (rest >= 0.0005 && (others === null || others > 0)) {
    bars.push({
      key: "other",
      name: others ? `${others} other class${others === 1 ? "" : "es"}` : "other classes",
      probability: rest,
      label: formatPercent(rest),
      width: `${(rest * 100).toFixed(1)}%`,
      other: true,
    });
  }
  return bars;
}

/** A regression value: 4 significant digits, exponent form for very large or small numbers. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** A label as the test sample gives it: a class name with its id, or the numbers. */
export function formatLabel(label: unknown, name?: string | null): string {
  if (name) return label === null || label === undefined ? name : `${name} (${String(label)})`;
  if (Array.isArray(label))
    return label.map((v) => (typeof v === "number" ? formatValue(v) : String(v))).join(", ");
  if (typeof label === "number") return formatValue(label);
  return label === null || label === undefined ? "–" : String(label);
}

/** A byte count for the Downloads list. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
