// How the run pages write a sample's confidence (the probability of the class predicted): a whole
// percentage, "97%". Rounding never claims certainty the model did not give: 100% only for a probability of
// exactly 1 (">99%" just below it), 0% only for exactly 0 ("<1%" just above it).

export function formatConfidence(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  const clamped = Math.min(1, Math.max(0, p));
  if (clamped === 1) return "100%";
  if (clamped === 0) return "0%";
  const pct = Math.round(clamped * 100);
  if (pct >= 100) return ">99%";
  if (pct <= 0) return "<1%";
  return `${pct}%`;
}
