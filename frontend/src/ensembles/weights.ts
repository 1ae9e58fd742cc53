// The ensemble's weights: as the page shows them (shares of the whole, summing to 100 % as shown),
// and as a person types them ("1, 2, 1") for POST /api/ensembles's explicit weights.

/**
 * Each weight as a percentage of their sum, rounded to `digits` decimals so that the shown values
 * add up to exactly 100 (largest remainders get the leftover units). All zero or empty: [].
 */
export function weightShares(weights: number[], digits = 1): number[] {
  const total = weights.reduce((a, w) => a + (Number.isFinite(w) && w > 0 ? w : 0), 0);
  if (!weights.length || total <= 0) return [];
  const unit = 10 ** digits;
  const exact = weights.map((w) => ((Number.isFinite(w) && w > 0 ? w : 0) / total) * 100 * unit);
  const floors = exact.map(Math.floor);
  let left = 100 * unit - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - floors[i] })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return floors.map((x) => x / unit);
}

/** "33.3 %"-style labels for the weights (see weightShares). */
export function formatWeights(weights: number[], digits = 1): string[] {
  return weightShares(weights, digits).map((p) => `${p.toFixed(digits)} %`);
}

/** True when every weight is the same (a uniform ensemble). */
export function isUniform(weights: number[]): boolean {
  return (
    weights.length > 0 && weights.every((w) => Math.abs(w - weights[0]) <= 1e-9 * Math.max(1, weights[0]))
  );
}

export type ParsedWeights = { weights: number[]; error: null } | { weights: null; error: string };

/**
 * Weights typed as a list ("1, 2, 1", "0.5 0.25 0.25"), one per run. The server checks them again;
 * this says what is wrong before asking it.
 */
export function parseWeights(text: string, count: number): ParsedWeights {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length !== count)
    return { weights: null, error: `one weight per run: ${count} expected, ${parts.length} given` };
  const weights: number[] = [];
  for (const [i, part] of parts.entries()) {
    const value = Number(part);
    if (!Number.isFinite(value))
      return { weights: null, error: `weight ${i + 1} is not a number: "${part}"` };
    if (value < 0) return { weights: null, error: `weight ${i + 1} is negative` };
    weights.push(value);
  }
  if (weights.every((w) => w === 0)) return { weights: null, error: "the weights cannot all be zero" };
  return { weights, error: null };
}
