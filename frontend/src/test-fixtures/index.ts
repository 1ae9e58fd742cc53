// Shared fixtures for unit tests: a catalog shaped like GET /api/layers, and the seed example graphs.
import type { Catalog, GraphDocument } from "../api/types";
import type { SpecMap } from "../graph/types";
import catalogJson from "./catalog.json";

export const catalog = catalogJson as unknown as Catalog;

export const specs: SpecMap = Object.fromEntries(catalog.layers.map((l) => [l.type, l]));

const files = import.meta.glob("../examples-fixtures/*.json", { eager: true, import: "default" }) as Record<
  string,
  GraphDocument
>;

export const examples: Record<string, GraphDocument> = Object.fromEntries(
  Object.entries(files).map(([path, doc]) => [path.replace(/^.*\/|\.json$/g, ""), doc]),
);

export function spec(type: string) {
  const found = specs[type];
  if (!found) throw new Error(`no ${type} in the fixture catalog`);
  return found;
}

export function param(type: string, name: string) {
  const found = spec(type).params.find((p) => p.name === name);
  if (!found) throw new Error(`no ${type}.${name} in the fixture catalog`);
  return found;
}
