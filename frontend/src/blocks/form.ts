// Inspector forms generated from the catalog, and the field checks that run
// before a value is sent. Pure functions: no React here.
import type { LayerSpec, ParamSpec, Params } from "../api/types";

export type Widget =
  "number" | "select" | "checkbox" | "tuple" | "shape" | "text" | "checklist" | "list" | "layer";

export interface FieldModel {
  param: ParamSpec;
  widget: Widget;
  /** The value in effect: the one set, or the default. */
  value: unknown;
  /** True when the node's params set this field (it differs from Keras's default). */
  isSet: boolean;
  /** What is wrong with the value in effect, checked before anything is sent. */
  error: string | null;
}

/** `undefined` means "not set": the param is left out and Keras's default applies. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const NONE_WORDS = new Set(["none", "null"]);

export function widgetFor(param: ParamSpec): Widget {
  switch (param.kind) {
    case "int":
    case "float":
      return "number";
    case "bool":
      return "checkbox";
    case "choice":
      return "select";
    case "int_tuple":
      return param.length ? "tuple" : "list";
    case "float_or_tuple":
      return "list";
    case "shape":
      return "shape";
    case "string_list":
      return param.choices && param.choices.length ? "checklist" : "list";
    case "layer":
      return "layer";
    default:
      return "text";
  }
}

export function formFor(spec: LayerSpec, params: Params): FieldModel[] {
  return spec.params.map((param) => {
    const isSet = Object.prototype.hasOwnProperty.call(params, param.name);
    const value = isSet ? params[param.name] : param.default;
    return {
      param,
      widget: widgetFor(param),
      value,
      isSet,
      error: validateValue(param, isSet ? params[param.name] : undefined),
    };
  });
}

/** Every field's error for a node's params: name -> message. */
export function checkParams(spec: LayerSpec, params: Params): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of formFor(spec, params)) if (field.error) errors[field.param.name] = field.error;
  return errors;
}

function boundsError(param: ParamSpec, n: number): string | null {
  if (param.min !== null && param.min !== undefined && n < param.min) return `must be at least ${param.min}`;
  if (param.max !== null && param.max !== undefined && n > param.max) return `must be at most ${param.max}`;
  return null;
}

function intError(param: ParamSpec, value: unknown): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return "not a number";
  if (!Number.isInteger(value)) return "not an integer";
  return boundsError(param, value);
}

/**
 * What is wrong with a param's value, or null. `undefined` is "not set": an error
 * only for a required param with no default.
 */
export function validateValue(param: ParamSpec, value: unknown): string | null {
  if (value === undefined) {
    return param.required && (param.default === null || param.default === undefined) ? "required" : null;
  }
  if (value === null) return param.nullable ? null : "may not be None";
  switch (param.kind) {
    case "int":
      return intError(param, value);
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value)) return "not a number";
      return boundsError(param, value);
    case "bool":
      return typeof value === "boolean" ? null : "must be true or false";
    case "choice":
      return param.choices && !param.choices.includes(value)
        ? `must be one of ${param.choices.join(", ")}`
        : null;
    case "int_tuple": {
      if (typeof value === "number") return intError(param, value);
      if (!Array.isArray(value)) return "must be a list of integers";
      if (param.length && value.length !== param.length) return `needs ${param.length} values`;
      for (const item of value) {
        const problem = intError(param, item);
        if (problem) return problem;
      }
      return null;
    }
    case "float_or_tuple": {
      if (typeof value === "number")
        return Number.isFinite(value) ? boundsError(param, value) : "not a number";
      if (!Array.isArray(value)) return "must be a number or a list of numbers";
      if (param.length && value.length !== param.length) return `needs one number or ${param.length}`;
      for (const item of value) {
        if (typeof item !== "number" || !Number.isFinite(item)) return "not a number";
        const problem = boundsError(param, item);
        if (problem) return problem;
      }
      return null;
    }
    case "shape": {
      if (!Array.isArray(value)) return "must be a list of sizes";
      for (const item of value) {
        if (item === null || item === -1) continue; // variable length / inferred: the server says where these are allowed
        if (typeof item !== "number" || !Number.isInteger(item)) return "entries must be integers or None";
        if (param.min !== null && param.min !== undefined && item < param.min)
          return `entries must be at least ${param.min}`;
        if (param.max !== null && param.max !== undefined && item > param.max)
          return `entries must be at most ${param.max}`;
      }
      return null;
    }
    case "string":
      return typeof value === "string" ? null : "must be text";
    case "string_list": {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) return "must be a list of names";
      if (param.choices) {
        const bad = value.find((v) => !param.choices!.includes(v));
        if (bad !== undefined) return `unknown choice "${bad}"`;
      }
      return null;
    }
    case "layer": {
      if (typeof value !== "object" || Array.isArray(value)) return "must be a layer";
      const type = (value as { type?: unknown }).type;
      if (typeof type !== "string") return "pick a layer type";
      if (param.choices && !param.choices.includes(type)) return `must be one of ${param.choices.join(", ")}`;
      return null;
    }
    default:
      return null;
  }
}

/** A number field's text: '' is "not set", "None" is null for a nullable param. */
export function parseNumber(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === "") return finish(param, undefined);
  if (NONE_WORDS.has(trimmed.toLowerCase())) return finish(param, null);
  if (param.kind === "int" || param.kind === "int_tuple") {
    if (!/^[+-]?\d+$/.test(trimmed)) {
      return {
        ok: false,
        error: /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) ? "not an integer" : "not a number",
      };
    }
    return finish(param, Number(trimmed));
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return { ok: false, error: "not a number" };
  return finish(param, Number(trimmed));
}

/** An int tuple from its N small fields; all empty is "not set". */
export function parseTuple(param: ParamSpec, texts: string[]): Parsed {
  if (texts.every((t) => t.trim() === "")) return finish(param, undefined);
  if (texts.length === 1 && NONE_WORDS.has(texts[0].trim().toLowerCase())) return finish(param, null);
  const values: number[] = [];
  for (const text of texts) {
    const trimmed = text.trim();
    if (trimmed === "") return { ok: false, error: "fill every axis" };
    if (!/^[+-]?\d+$/.test(trimmed)) return { ok: false, error: "not an integer" };
    const n = Number(trimmed);
    const problem = boundsError(param, n);
    if (problem) return { ok: false, error: problem };
    values.push(n);
  }
  return finish(param, values);
}

/** A comma-separated list of ints (int tuples of unknown length): "3, 3" -> [3, 3]. */
export function parseIntList(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim().replace(/^[([]|[)\]]$/g, "");
  if (trimmed === "") return finish(param, undefined);
  if (NONE_WORDS.has(trimmed.toLowerCase())) return finish(param, null);
  const parts = trimmed
    .split(",")
    .map((p) => p.trim())
    .filter((p, i, all) => p !== "" || i < all.length - 1);
  if (parts.length === 1) return parseNumber(param, parts[0]);
  return parseTuple({ ...param, length: parts.length }, parts);
}

/** A shape field: "28, 28, 1" -> [28, 28, 1]; "None, 64" or ", 64" -> [null, 64]; "(10,)" -> [10]. */
export function parseShape(param: ParamSpec, text: string): Parsed {
  let trimmed = text.trim();
  if (trimmed === "") return finish(param, undefined);
  trimmed = trimmed.replace(/^[([]\s*|\s*[)\]]$/g, "");
  const parts = trimmed.split(",").map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // "(10,)"
  const values: (number | null)[] = [];
  for (const part of parts) {
    if (part === "" || part === "?" || NONE_WORDS.has(part.toLowerCase())) {
      values.push(null);
      continue;
    }
    if (!/^-?\d+$/.test(part)) return { ok: false, error: `"${part}" is not a whole number (or None)` };
    values.push(Number(part));
  }
  return finish(param, values);
}

/** A number, or a list of numbers ("0.1" or "-0.2, 0.3"), for float_or_tuple params. */
export function parseFloatOrTuple(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim().replace(/^[([]|[)\]]$/g, "");
  if (trimmed === "") return finish(param, undefined);
  if (NONE_WORDS.has(trimmed.toLowerCase())) return finish(param, null);
  const parts = trimmed.split(",").map((p) => p.trim());
  const values: number[] = [];
  for (const part of parts) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(part))
      return { ok: false, error: `"${part}" is not a number` };
    values.push(Number(part));
  }
  return finish(param, values.length === 1 ? values[0] : values);
}

/** A free list of names: "accuracy, mae" -> ["accuracy", "mae"]. */
export function parseList(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === "") return finish(param, undefined);
  return finish(
    param,
    trimmed
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

export function parseText(param: ParamSpec, text: string): Parsed {
  return finish(param, text === "" ? undefined : text);
}

/** A menu's value: '' is "not set", '__none__' is None. */
export const NONE_OPTION = "__none__";
export function parseChoice(param: ParamSpec, selected: string): Parsed {
  if (selected === "") return finish(param, undefined);
  if (selected === NONE_OPTION) return finish(param, null);
  const match = (param.choices ?? []).find((c) => String(c) === selected);
  return finish(param, match === undefined ? selected : match);
}

function finish(param: ParamSpec, value: unknown): Parsed {
  const error = validateValue(param, value);
  return error ? { ok: false, error } : { ok: true, value };
}

// ---- showing values ----------------------------------------------------------

export function formatShapeValue(value: unknown): string {
  if (!Array.isArray(value)) return "";
  return value.map((v) => (v === null ? "None" : String(v))).join(", ");
}

export function formatNumber(value: unknown): string {
  if (value === null) return "None";
  if (value === undefined) return "";
  return String(value);
}

/** An int tuple as its N axes: a single int means every axis. */
export function tupleValues(param: ParamSpec, value: unknown): string[] {
  const n = param.length ?? (Array.isArray(value) ? value.length : 1);
  if (typeof value === "number") return Array(n).fill(String(value));
  if (Array.isArray(value))
    return Array.from({ length: n }, (_, i) =>
      value[i] === undefined || value[i] === null ? "" : String(value[i]),
    );
  return Array(n).fill("");
}

export function formatList(value: unknown): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return value.map((v) => (v === null ? "None" : String(v))).join(", ");
  if (value === undefined) return "";
  return String(value);
}

// ---- writing values ----------------------------------------------------------

function normalise(param: ParamSpec, value: unknown): unknown {
  if (param.kind === "int_tuple" && typeof value === "number" && param.length)
    return Array(param.length).fill(value);
  return value;
}

export function sameValue(param: ParamSpec, a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(param, a)) === JSON.stringify(normalise(param, b));
}

/** New params with one value set; a value equal to the default (or undefined) is left out. */
export function setParam(params: Params, param: ParamSpec, value: unknown): Params {
  const next = { ...params };
  if (value === undefined || (!param.required && sameValue(param, value, param.default))) {
    delete next[param.name];
  } else {
    next[param.name] = value;
  }
  return next;
}
