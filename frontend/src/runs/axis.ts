// Tick labels of the run charts: short (4 significant digits, exponents for the very large or small),
// yet never two equal labels for different ticks, as when a loss differs only in its fifth digit.

function label(v: number, digits: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(Math.max(1, digits - 3));
  return String(Number(v.toPrecision(digits)));
}

export function axisLabels(splits: (number | null | undefined)[]): string[] {
  // uPlot passes null for splits it skips (a log axis between powers of ten).
  const shown = (v: number | null | undefined): v is number =>
    v !== null && v !== undefined && Number.isFinite(v);
  const values = splits.filter(shown);
  const distinct = new Set(values).size;
  let digits = 4;
  while (digits < 15 && new Set(values.map((v) => label(v, digits))).size < distinct) digits++;
  return splits.map((v) => (shown(v) ? label(v, digits) : ""));
}
