// Shared fixtures for unit tests: a catalog shaped like GET /api/layers, and the seed example graphs.
// catalog.json, expected.json and param-checks.json are written by scripts/gen_fixtures.py
// (`make fixtures`); tests/test_generated.py fails when they are stale.
import type { Catalog, GraphDocument } from "../api/types";
import type { SpecMap } from "../graph/types";
import catalogJson from "./catalog.json";
import expectedJson from "./expected.json";
import paramChecksJson from "./param-checks.json";

export const catalog = catalogJson as unknown as Catalog;

export const specs: SpecMap = Object.fromEntries(catalog.layers.map((l) => [l.type, l]));

// The seed examples themselves, read from builder/examples/ (not copied).
const files = import.meta.glob("../../../builder/examples/*.json", {
  eager: true,
  import: "default",
}) as Record<string, GraphDocument>;

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

/** Each example's parameter count and output shapes (tests/fixtures/graphs/expected_valid.json). */
export const expected = expectedJson as Record<
  string,
  { total_params: number; outputs: Record<string, (number | null)[]> }
>;

/** A bad value of a parameter and the server's message for it (builder/catalog/checking.py). */
export interface ParamCheck {
  type: string;
  param: string;
  value?: unknown;
  missing?: true;
  message: string;
}

export const paramChecks = paramChecksJson as ParamCheck[];
