// What an upload's parser filled in: "7 missing feature values filled (b: 6, a: 1): missing numeric
// values filled with their column's mean on the training split." (info.filled, CSV uploads).

interface Filled {
  values: number;
  columns: Record<string, number>;
  how: string;
}

function isFilled(value: unknown): value is Filled {
  const v = value as Filled | null;
  return !!v && typeof v.values === "number" && typeof v.how === "string" && typeof v.columns === "object";
}

/** `info`: a dataset's info (the parsers add keys of their own: `filled` is read as unknown). */
export function filledNote(info: object): string | null {
  const filled = (info as { filled?: unknown }).filled;
  if (!isFilled(filled) || filled.values <= 0) return null;
  const { values, columns, how } = filled;
  const each = Object.entries(columns)
    .sort((a, b) => b[1] - a[1])
    .map(([column, n]) => `${column}: ${n.toLocaleString("en-US")}`)
    .join(", ");
  const count = `${values.toLocaleString("en-US")} missing feature value${values === 1 ? "" : "s"}`;
  return `${count} (${each}): ${how}.`;
}
