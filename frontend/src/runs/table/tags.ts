// The server's limits on a run's name, tags and note (webapp/runs/api.py), and tags as typed.

export const MAX_NAME = 200;
export const MAX_TAG = 40;
export const MAX_TAGS = 20;
export const MAX_NOTE = 20_000;

/** Tags typed in one go ("a, b"): trimmed, the empty and repeated ones dropped, appended to `tags`. */
export function addTags(tags: string[], typed: string): string[] {
  const out = [...tags];
  for (const part of typed.split(",")) {
    const tag = part.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}
