// Grouping and searching the catalog for the palette (pure).
import type { Catalog, LayerSpec, Params } from "../api/types";

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

/**
 * Parameters a block dropped from the palette starts with where Keras has no default but a usable
 * value is well known: a Dropout's rate of 0.5 (as the book uses), not a red required field.
 */
export const PALETTE_DEFAULTS: Readonly<Record<string, Params>> = {
  Dropout: { rate: 0.5 },
  SpatialDropout1D: { rate: 0.5 },
  SpatialDropout2D: { rate: 0.5 },
  SpatialDropout3D: { rate: 0.5 },
  AlphaDropout: { rate: 0.5 },
  GaussianDropout: { rate: 0.5 },
};

/** The parameters a new `type` block starts with (a fresh copy). */
export function paletteParams(type: string): Params {
  return structuredClone(PALETTE_DEFAULTS[type] ?? {});
}
