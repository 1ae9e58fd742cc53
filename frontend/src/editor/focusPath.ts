// The block a problem names, shown: validation names a block inside a group by its path
// ("encoder/lstm_1", nested "a/b/c"), from the top of the graph whatever level the canvas shows.
import type { GraphState } from "../graph/store";

type Levels = Pick<GraphState, "frames" | "openGroup" | "closeTo" | "selectOnly">;

/**
 * Opens the groups on the way to `path` (going out first as far as the level shown is not on that
 * way) and selects the block; the id of the block selected on the level now shown, or null when
 * none is. A group that cannot be opened (gone, or empty) is selected instead.
 */
export function showPath(store: () => Levels, path: string): string | null {
  const parts = path.split("/").filter(Boolean);
  if (!parts.length) return null;
  const open = store().frames.map((f) => f.groupId);
  let shared = 0;
  while (shared < open.length && shared < parts.length - 1 && open[shared] === parts[shared]) shared++;
  if (shared < open.length) store().closeTo(shared);
  for (let i = shared; i < parts.length - 1; i++) {
    if (!store().openGroup(parts[i])) {
      store().selectOnly(parts[i]);
      return parts[i];
    }
  }
  const id = parts[parts.length - 1];
  store().selectOnly(id);
  return id;
}
