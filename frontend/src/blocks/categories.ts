// One colour per catalog category, for the block's stripe, palette and minimap.
const COLORS: Record<string, string> = {
  io: "#475569",
  core: "#2563eb",
  convolution: "#7c3aed",
  pooling: "#0891b2",
  recurrent: "#c2410c",
  attention: "#be185d",
  regularization: "#65a30d",
  normalization: "#0d9488",
  reshaping: "#a16207",
  merging: "#db2777",
  activation: "#ea580c",
  activations: "#ea580c",
  embedding: "#4f46e5",
  preprocessing: "#0369a1",
  augmentation: "#0e7490",
  encoding: "#9333ea",
  audio: "#b45309",
};
const FALLBACK = ["#2563eb", "#7c3aed", "#0891b2", "#c2410c", "#65a30d", "#0d9488", "#a16207", "#db2777"];

export function categoryColor(category: string | undefined): string {
  if (!category) return "#64748b";
  if (COLORS[category]) return COLORS[category];
  let hash = 0;
  for (const ch of category) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return FALLBACK[hash % FALLBACK.length];
}
