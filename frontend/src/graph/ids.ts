// Node ids become Keras layer names: 1-64 letters, digits, '_' and '-'.
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Why `id` cannot name a node (or null when it can); `self` is the node being renamed. */
export function checkNodeId(id: string, taken: Iterable<string>, self?: string): string | null {
  if (!id) return "an id is required";
  if (id.length > 64) return "at most 64 characters";
  if (!ID_PATTERN.test(id)) return "only letters, digits, _ and - are allowed";
  if (id === self) return null;
  for (const other of taken) if (other === id) return `the id "${id}" is already used`;
  return null;
}

/** A readable id stem for a block type: "Conv2D" -> "conv2d". */
export function baseForType(type: string): string {
  const base = type
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return base || "block";
}

/** The first free `${base}_${n}` for n = 1, 2, ... */
export function nextId(base: string, taken: ReadonlySet<string>): string {
  const stem = base.slice(0, 56);
  for (let n = 1; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A new id for a copy of `id`: "dense_1" -> "dense_2", "hidden" -> "hidden_1". */
export function renameCopy(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  return nextId(id.replace(/_\d+$/, "") || "block", taken);
}
