// Inspector forms generated from the catalog, and the field checks that run
// before a value is sent: the server's own rules (the catalog's `rules`), in its
// own words. Pure functions: no React here.
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

/** Where a block's form is: `inGroup` when the canvas shows a group's inner graph. */
export interface FormPlace {
  inGroup?: boolean;
}

/**
 * Inside a group its Input and Output markers are its ports (groups-format.md): an Input's shape
 * comes from the wire into the group (one given must match it), an Output has no loss there.
 */
const PORT_PARAMS: Record<string, string> = { Input: "shape", Output: "loss" };

/** The param as the form takes it at `place`: a group port's shape (or loss) is optional. */
export function paramAt(spec: LayerSpec, param: ParamSpec, place: FormPlace = {}): ParamSpec {
  if (!place.inGroup || PORT_PARAMS[spec.type] !== param.name) return param;
  return {
    ...param,
    required: false,
    ...(param.rules ? { rules: { ...param.rules, required: false } } : {}),
  };
}

export function formFor(spec: LayerSpec, params: Params, place: FormPlace = {}): FieldModel[] {
  return spec.params.map((given) => {
    const param = paramAt(spec, given, place);
    const isSet = Object.prototype.hasOwnProperty.call(params, param.name);
    const value = isSet ? params[param.name] : param.default;
    return {
      param,
      widget: widgetFor(param),
      value,
      isSet,
      error: validateValue(param, isSet ? params[param.name] : undefined, spec.type),
    };
  });
}

/** Every field's error for a node's params: name -> message (the server's words). */
export function checkParams(spec: LayerSpec, params: Params, place: FormPlace = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of formFor(spec, params, place)) if (field.error) errors[field.param.name] = field.error;
  return errors;
}

// ---- the server's rules -------------------------------------------------------
// GET /api/layers gives each parameter `rules`: what builder/catalog/checking.py asks of
// a value, and its words for it. They are interpreted here, the same way, so that a field
// says what the server would say about the same value.

export interface ShapeEntries {
  /** Whether an entry may be null (a variable length). */
  null: boolean;
  /** Whether one entry may be -1 (Reshape's "whatever is left"). */
  minus_one: boolean;
  min_count: number;
  max_count: number;
}

export interface Rules {
  kind: string;
  /** What fits, in the server's words: "an integer between 1 and 1000000". */
  expect: string;
  required: boolean;
  nullable: boolean;
  min: number | null;
  max: number | null;
  length: number | null;
  choices: unknown[] | null;
  /** A named check beyond kind and bounds: "permutation" or "increasing". */
  check: string | null;
  entries?: ShapeEntries;
}

type RuledParam = ParamSpec & { rules?: Rules | null };

/** A parameter's rules; a hand-made ParamSpec without them gets the plain ones of its fields. */
export function rulesOf(param: ParamSpec): Rules {
  const given = (param as RuledParam).rules;
  if (given) return given;
  return {
    kind: param.kind,
    expect: `a valid ${param.kind}`,
    required: param.required,
    nullable: param.nullable || (param.kind === "choice" && (param.choices ?? []).includes(null)),
    min: param.min,
    max: param.max,
    length: param.length,
    choices: param.choices,
    check: null,
    entries: param.kind === "shape" ? { null: true, minus_one: true, min_count: 1, max_count: 8 } : undefined,
  };
}

/** A value as Python's json.dumps writes it (the server quotes values so), cut short if long. */
export function show(value: unknown, limit = 80): string {
  const text = pyJson(value);
  return text.length <= limit ? text : text.slice(0, limit - 3) + "...";
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // Python's repr: 1e-05, 1.5e+16 (two exponent digits at least).
    const [mantissa, exponent] = n.toExponential().split("e");
    const sign = exponent.startsWith("-") ? "-" : "+";
    const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

function pyJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string")
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
    );
  if (Array.isArray(value)) return "[" + value.map(pyJson).join(", ") + "]";
  if (typeof value === "object")
    return (
      "{" +
      Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`)
        .join(", ") +
      "}"
    );
  return JSON.stringify(String(value));
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const inBounds = (r: Rules, v: number) => (r.min === null || v >= r.min) && (r.max === null || v <= r.max);
const inChoices = (r: Rules, v: unknown) => (r.choices ?? []).some((c) => c === v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a (non-null) value has the kind and bounds the rules ask for. */
function fits(r: Rules, v: unknown): boolean {
  switch (r.kind) {
    case "int":
      return isInt(v) && inBounds(r, v);
    case "float":
      return isNumber(v) && inBounds(r, v);
    case "bool":
      return typeof v === "boolean";
    case "choice":
      return inChoices(r, v);
    case "string":
      return typeof v === "string";
    case "int_tuple":
      if (isInt(v)) return inBounds(r, v);
      return Array.isArray(v) && v.length === r.length && v.every((x) => isInt(x) && inBounds(r, x));
    case "float_or_tuple":
      if (isNumber(v)) return inBounds(r, v);
      return Array.isArray(v) && v.length === r.length && v.every((x) => isNumber(x) && inBounds(r, x));
    case "shape": {
      const e = r.entries ?? { null: false, minus_one: false, min_count: 1, max_count: 8 };
      if (!Array.isArray(v) || v.length < e.min_count || v.length > e.max_count) return false;
      let minusOnes = 0;
      for (const x of v) {
        if (x === null && e.null) continue;
        if (x === -1 && e.minus_one) {
          minusOnes += 1;
          continue;
        }
        if (!isInt(x) || !inBounds(r, x)) return false;
      }
      return minusOnes <= 1;
    }
    case "string_list":
      return (
        Array.isArray(v) &&
        v.every((x) => typeof x === "string") &&
        (r.choices === null || v.every((x) => inChoices(r, x))) &&
        new Set(v).size === v.length
      );
    case "layer":
      return isObject(v) && typeof v.type === "string";
    default:
      return true;
  }
}

/** The named checks, as builder/catalog/common.py has them: a message tail or null. */
const CHECKS: Record<string, (v: unknown) => string | null> = {
  permutation: (v) => {
    const dims = (v as number[]).slice().sort((a, b) => a - b);
    return dims.every((d, i) => d === i + 1)
      ? null
      : `must be an ordering of 1..${dims.length} (each axis once, the batch axis excluded)`;
  },
  increasing: (v) => {
    if (!Array.isArray(v)) return "must be a list of two numbers [low, high]";
    return (v[0] as number) >= (v[1] as number) ? "must be [low, high] with low < high" : null;
  },
};

/** A nested block's own problems, beyond its shape {type, params}. */
function nestedProblem(r: Rules, path: string, v: Record<string, unknown>): string | null {
  const extra = Object.keys(v)
    .filter((k) => k !== "type" && k !== "params")
    .sort();
  if (extra.length) return `${path} has unknown keys ${extra.join(", ")}; it takes only type and params`;
  const type = v.type as string;
  if (!inChoices(r, type))
    return `${path}.type must be one of ${(r.choices ?? []).join(", ")}; got ${show(type)}`;
  const inner = v.params;
  if (inner !== undefined && inner !== null && !isObject(inner))
    return `${path}.params of ${type} must be an object of name: value; got ${show(inner)}`;
  return null;
}

/**
 * What is wrong with a param's value, in the server's words, or null. `undefined` is
 * "not set": a problem only for a required param (`blockType` names the block, as the
 * server does; `path` is the name the message uses, "layer.units" inside a wrapper).
 */
export function validateValue(
  param: ParamSpec,
  value: unknown,
  blockType?: string,
  path: string = param.name,
): string | null {
  const r = rulesOf(param);
  if (value === undefined) {
    if (!r.required) return null;
    return `${blockType ? `${blockType} needs` : "needs"} ${path}: ${r.expect}; it has no default`;
  }
  if (value === null) return r.nullable ? null : `${path} must be ${r.expect}; got null`;
  if (!fits(r, value)) return `${path} must be ${r.expect}; got ${show(value)}`;
  if (r.kind === "layer") return nestedProblem(r, path, value as Record<string, unknown>);
  const check = r.check ? CHECKS[r.check] : undefined;
  const tail = check ? check(value) : null;
  return tail ? `${path} ${tail}; got ${show(value)}` : null;
}

// ---- reading what is typed ----------------------------------------------------
// Text becomes the value it spells (a number, null for None, else the text itself),
// and the value is checked by the server's rules: "abc" in an integer field is
// refused as the server would refuse "abc".

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function readItem(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "" || NONE_WORDS.has(trimmed.toLowerCase())) return null;
  return NUMBER.test(trimmed) ? Number(trimmed) : trimmed;
}

/** A number field's text: '' is "not set", "None" is null for a nullable param. */
export function parseNumber(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === "") return finish(param, undefined);
  return finish(param, readItem(trimmed));
}

/** An int tuple from its N small fields; all empty is "not set". */
export function parseTuple(param: ParamSpec, texts: string[]): Parsed {
  if (texts.every((t) => t.trim() === "")) return finish(param, undefined);
  if (texts.length === 1 && NONE_WORDS.has(texts[0].trim().toLowerCase())) return finish(param, null);
  return finish(param, texts.map(readItem));
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
  return finish(param, parts.map(readItem));
}

/** A shape field: "28, 28, 1" -> [28, 28, 1]; "None, 64" or ", 64" -> [null, 64]; "(10,)" -> [10]. */
export function parseShape(param: ParamSpec, text: string): Parsed {
  let trimmed = text.trim();
  if (trimmed === "") return finish(param, undefined);
  trimmed = trimmed.replace(/^[([]\s*|\s*[)\]]$/g, "");
  const parts = trimmed.split(",").map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // "(10,)"
  return finish(
    param,
    parts.map((part) => (part === "?" ? null : readItem(part))),
  );
}

/** A number, or a list of numbers ("0.1" or "-0.2, 0.3"), for float_or_tuple params. */
export function parseFloatOrTuple(param: ParamSpec, text: string): Parsed {
  const trimmed = text.trim().replace(/^[([]|[)\]]$/g, "");
  if (trimmed === "") return finish(param, undefined);
  if (NONE_WORDS.has(trimmed.toLowerCase())) return finish(param, null);
  const values = trimmed.split(",").map(readItem);
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
