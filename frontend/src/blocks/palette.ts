// Grouping and searching the catalog for the palette (pure).
import type { Catalog, LayerSpec } from "../api/types";

export interface PaletteGroup {
  name: string;
  label: string;
  layers: LayerSpec[];
}

export function paletteGroups(catalog: Catalog, query = ""): PaletteGroup[] {
  const q = query.trim().toLowerCase();
  const matches = (spec: LayerSpec) => !q || spec.type.toLowerCase().includes(q);
  const groups: PaletteGroup[] = catalog.categories.map((c) => ({
    name: c.name,
    label: c.label,
    layers: [],
  }));
  const byName = new Map(groups.map((g) => [g.name, g]));
  for (const spec of catalog.layers) {
    if (!matches(spec)) continue;
    let group = byName.get(spec.category);
    if (!group) {
      group = { name: spec.category, label: spec.category, layers: [] };
      byName.set(spec.category, group);
      groups.push(group);
    }
    group.layers.push(spec);
  }
  return groups.filter((g) => g.layers.length > 0);
}

export const DRAG_MIME = "application/x-keras-block";
