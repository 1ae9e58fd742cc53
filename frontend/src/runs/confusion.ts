// Confusion matrix helpers: rows are the true classes, columns the predicted ones.
import type { SamplePrediction } from "../api/runs";

export type Normalise = "true" | "pred" | "none";

/**
 * The matrix as fractions: of each true class (rows sum to 1), of each predicted class (columns sum
 * to 1), or of everything ('none': counts over the total). Empty rows/columns stay 0.
 */
export function normalise(matrix: number[][], by: Normalise = "true"): number[][] {
  const n = matrix.length;
  if (by === "true") {
    return matrix.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (sum > 0 ? v / sum : 0));
    });
  }
  if (by === "pred") {
    const cols = matrix[0]?.length ?? 0;
    const sums = Array.from({ length: cols }, (_, j) => matrix.reduce((a, row) => a + (row[j] ?? 0), 0));
    return matrix.map((row) => row.map((v, j) => (sums[j] > 0 ? v / sums[j] : 0)));
  }
  const total = matrix.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  return Array.from({ length: n }, (_, i) => matrix[i].map((v) => (total > 0 ? v / total : 0)));
}

/** Per class: recall (the diagonal of the row-normalised matrix), and overall accuracy. */
export function classStats(matrix: number[][]): { recall: number[]; accuracy: number; total: number } {
  const rows = normalise(matrix, "true");
  const total = matrix.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  const correct = matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  return { recall: rows.map((row, i) => row[i] ?? 0), accuracy: total > 0 ? correct / total : 0, total };
}

/** A cell's colour: white to blue by fraction; the diagonal in blue, mistakes in red. */
export function cellColor(fraction: number, diagonal: boolean): string {
  const f = Math.max(0, Math.min(1, fraction));
  const alpha = f === 0 ? 0 : 0.08 + 0.85 * Math.sqrt(f);
  return diagonal ? `rgba(35, 87, 217, ${alpha.toFixed(3)})` : `rgba(220, 38, 38, ${alpha.toFixed(3)})`;
}

/** Text that stays readable on the cell. */
export function cellTextColor(fraction: number): string {
  return fraction > 0.45 ? "#fff" : "var(--text)";
}

/** Wrong predictions first (the most confident mistakes first), then the right ones. */
export function orderSamples(samples: SamplePrediction[]): SamplePrediction[] {
  const wrong = (s: SamplePrediction) =>
    s.correct === false || (s.correct === undefined && s.true !== s.pred);
  return samples
    .map((s, i) => ({ s, i }))
    .sort((a, b) => {
      const wa = wrong(a.s) ? 0 : 1;
      const wb = wrong(b.s) ? 0 : 1;
      if (wa !== wb) return wa - wb;
      if (wa === 0) {
        const ca = a.s.confidence ?? a.s.error ?? 0;
        const cb = b.s.confidence ?? b.s.error ?? 0;
        if (ca !== cb) return cb - ca;
      }
      return a.i - b.i;
    })
    .map((x) => x.s);
}
