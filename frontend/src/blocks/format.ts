// How numbers and shapes read on the canvas.
import type { Shape } from "../api/types";

const thousands = new Intl.NumberFormat("en-US");

/** 407050 -> "407,050". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return thousands.format(n);
}

/** 1234567 -> "1.23 M"; small numbers as they are. */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) {
      const value = n / size;
      const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
      return `${value.toFixed(digits).replace(/\.?0+$/, "")} ${unit}`;
    }
  }
  return String(n);
}

function oneShape(dims: (number | null)[]): string {
  const parts = dims.map((d) => (d === null ? "None" : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

/** [null, 512] -> "(None, 512)"; a list of shapes (several outputs) -> "[(None, 4), (None, 4)]". */
export function formatShape(shape: Shape | null | undefined): string {
  if (!shape) return "?";
  if (shape.length > 0 && Array.isArray(shape[0])) {
    return `[${(shape as (number | null)[][]).map(oneShape).join(", ")}]`;
  }
  return oneShape(shape as (number | null)[]);
}

/** A short line of a block's set params for its card: "512, relu". */
export function summariseParams(params: Record<string, unknown>, limit = 3): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (parts.length >= limit) break;
    if (value === null || value === undefined) continue;
    if (typeof value === "object" && !Array.isArray(value)) {
      const inner = value as { type?: unknown; params?: Record<string, unknown> };
      if (typeof inner.type === "string") {
        const innerSummary = summariseParams(inner.params ?? {}, 2);
        parts.push(innerSummary ? `${inner.type}(${innerSummary})` : inner.type);
      }
      continue;
    }
    const text = Array.isArray(value)
      ? value.map((v) => (v === null ? "None" : String(v))).join("×")
      : String(value);
    parts.push(
      typeof value === "boolean"
        ? `${name}=${text}`
        : name === "activation" || name === "padding"
          ? text
          : `${name}=${text}`,
    );
  }
  return parts.join(" · ");
}
