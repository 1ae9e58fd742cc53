// The training settings' declaration as GET /api/training/settings answers it (trainer/settings.py
// SETTINGS), and the pure helpers that read it. Nothing here knows a setting by name: every default,
// bound and choice comes from the declaration.
import type { ParamSpec } from "../api/types";

export type SettingKind = "int" | "float" | "bool" | "choice" | "string";

export interface SettingDecl {
  /** its dotted path in the `training` object: "callbacks.early_stopping.patience" */
  name: string;
  kind: SettingKind;
  label: string;
  doc: string;
  group: string;
  default: unknown;
  min: number | null;
  max: number | null;
  /** `min` / `max` themselves are refused: (0, 1) rather than [0, 1] */
  min_open: boolean;
  max_open: boolean;
  nullable: boolean;
  choices: string[] | null;
  pattern: string | null;
  pattern_hint: string | null;
  log: boolean;
  /** it only matters when every named setting has the given value */
  applies_when: Record<string, unknown> | null;
  searchable: boolean;
}

export interface SettingGroup {
  name: string;
  title: string;
}

export interface SettingsDeclaration {
  groups: SettingGroup[];
  fields: SettingDecl[];
}

/** What a person set, by dotted name; a name left out takes its declared default. */
export type SettingValues = Record<string, unknown>;

export function valueOf(decl: SettingDecl, values: SettingValues): unknown {
  return Object.prototype.hasOwnProperty.call(values, decl.name) ? values[decl.name] : decl.default;
}

/** Whether the setting matters with these values (its `applies_when` holds). */
export function applies(declaration: SettingsDeclaration, decl: SettingDecl, values: SettingValues): boolean {
  if (!decl.applies_when) return true;
  return Object.entries(decl.applies_when).every(([name, wanted]) => {
    const other = declaration.fields.find((f) => f.name === name);
    return other !== undefined && valueOf(other, values) === wanted;
  });
}

/** The setting as the Inspector's field widgets take a block param (blocks/fields.tsx). */
export function toParamSpec(decl: SettingDecl): ParamSpec {
  return {
    name: decl.name,
    kind: decl.kind,
    default: decl.default,
    required: false,
    nullable: decl.nullable,
    choices: decl.choices,
    min: decl.min,
    max: decl.max,
    length: null,
    doc: decl.doc,
  };
}

function range(decl: SettingDecl): string {
  return `${decl.min_open ? "(" : "["}${decl.min}, ${decl.max}${decl.max_open ? ")" : "]"}`;
}

/** What is wrong with a value of the setting, by its declaration; null when it is fine. */
export function checkSetting(decl: SettingDecl, value: unknown): string | null {
  if (value === null) return decl.nullable ? null : "may not be empty";
  switch (decl.kind) {
    case "int": {
      const low = decl.min ?? -Infinity;
      const high = decl.max ?? Infinity;
      if (typeof value !== "number" || !Number.isInteger(value))
        return `a whole number from ${decl.min} to ${decl.max}`;
      return value < low || value > high ? `from ${decl.min} to ${decl.max}` : null;
    }
    case "float": {
      if (typeof value !== "number" || !Number.isFinite(value)) return `a number in ${range(decl)}`;
      const low = decl.min ?? -Infinity;
      const high = decl.max ?? Infinity;
      const tooLow = decl.min_open ? value <= low : value < low;
      const tooHigh = decl.max_open ? value >= high : value > high;
      return tooLow || tooHigh ? `must be in ${range(decl)}` : null;
    }
    case "bool":
      return typeof value === "boolean" ? null : "true or false";
    case "choice":
      return decl.choices?.includes(value as string) ? null : `one of ${(decl.choices ?? []).join(", ")}`;
    case "string":
      if (typeof value !== "string") return "text";
      return decl.pattern && !new RegExp(decl.pattern).test(value)
        ? (decl.pattern_hint ?? "not valid")
        : null;
  }
}

/** {"callbacks.reduce_lr.factor": 0.5, ...} as {callbacks: {reduce_lr: {factor: 0.5}}}. */
export function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const path = name.split(".");
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (!node[key] || typeof node[key] !== "object") node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}
