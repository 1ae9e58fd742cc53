// GET /api/runs/{id}/predict read into the contract's shape. The server fills in `kind`, `image`,
// `classes`…; a field it leaves out is derived from the plainer facts (shape, dtype, modality,
// class_names) that trainer.predict.Predictor.describe() gives, so the page never guesses wrong silently.
import type { ImageLayout, InputKind, PredictDescription, PredictInput, PredictOutput } from "./types";

type Loose = Record<string, unknown>;

function dims(value: unknown): (number | null)[] {
  return Array.isArray(value) ? value.map((d) => (typeof d === "number" ? d : null)) : [];
}

/** The image layout of a shape (h, w) or (h, w, 1|3), null when it is no image. */
export function imageOf(shape: (number | null)[]): ImageLayout | null {
  const [h, w, c] = shape;
  if (typeof h !== "number" || typeof w !== "number") return null;
  if (shape.length === 2) return { height: h, width: w, channels: 1 };
  if (shape.length === 3 && (c === 1 || c === 3)) return { height: h, width: w, channels: c };
  return null;
}

/** A flat image input (784 = 28x28): square grey, or square RGB. */
function flatImage(shape: (number | null)[]): ImageLayout | null {
  const [n] = shape;
  if (shape.length !== 1 || typeof n !== "number") return null;
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(n / channels));
    if (side > 1 && side * side * channels === n) return { height: side, width: side, channels };
  }
  return null;
}

function inputKind(raw: Loose, shape: (number | null)[], dtype: string): InputKind {
  const kind = raw.kind;
  if (kind === "image" || kind === "tabular" || kind === "sequence" || kind === "array") return kind;
  const modality = raw.modality;
  if (modality === "image" || raw.image) return "image";
  if (modality === "tabular" && Array.isArray(raw.columns)) return "tabular";
  if (modality === "text" || (dtype.startsWith("int") && shape.length === 1)) return "sequence";
  return "array";
}

export function normaliseInput(raw: Loose): PredictInput {
  const shape = dims(raw.shape);
  const dtype = typeof raw.dtype === "string" ? raw.dtype : "float32";
  const kind = inputKind(raw, shape, dtype);
  const image =
    (raw.image as ImageLayout | undefined) ??
    (kind === "image" ? (imageOf(shape) ?? flatImage(shape)) : null);
  const length = typeof raw.length === "number" ? raw.length : shape.length === 1 ? shape[0] : null;
  return {
    accepts: Array.isArray(raw.accepts) ? (raw.accepts as PredictInput["accepts"]) : ["samples"],
    field: typeof raw.field === "string" ? raw.field : null,
    modality: typeof raw.modality === "string" ? raw.modality : null,
    name: String(raw.name),
    kind: kind === "image" && !image ? "array" : kind,
    shape,
    dtype,
    ...(image ? { image } : {}),
    ...(Array.isArray(raw.columns) ? { columns: raw.columns as PredictInput["columns"] } : {}),
    ...(kind === "sequence" ? { length } : {}),
    ...(typeof raw.vocabulary_size === "number" ? { vocabulary_size: raw.vocabulary_size } : {}),
  };
}

export function normaliseOutput(raw: Loose): PredictOutput {
  const classes = (raw.classes ?? raw.class_names ?? undefined) as string[] | undefined;
  const kind =
    raw.kind === "classification" || raw.kind === "regression"
      ? raw.kind
      : raw.task === "classification" || (classes && classes.length > 0)
        ? "classification"
        : "regression";
  return {
    name: String(raw.name),
    kind,
    shape: dims(raw.shape),
    target: typeof raw.target === "string" ? raw.target : null,
    task: typeof raw.task === "string" ? raw.task : null,
    ...(classes ? { classes } : {}),
  };
}

export function normaliseDescription(raw: unknown): PredictDescription {
  const body = (raw ?? {}) as Loose;
  return {
    inputs: Array.isArray(body.inputs) ? body.inputs.map((i) => normaliseInput(i as Loose)) : [],
    outputs: Array.isArray(body.outputs) ? body.outputs.map((o) => normaliseOutput(o as Loose)) : [],
    max_samples: typeof body.max_samples === "number" ? body.max_samples : 1,
  };
}

/**
 * Where a server error belongs: `inputs.<name>…`, `files…`, `columns.<column>`, `input` point at an
 * input (and a column of it); anything else is the request's.
 */
export function errorPlace(
  field: unknown,
  inputs: PredictInput[],
): { input: string | null; column: string | null } {
  if (typeof field !== "string" || !field) return { input: null, column: null };
  const match = /^inputs\.([^.[\]]+)/.exec(field);
  if (match && inputs.some((i) => i.name === match[1])) return { input: match[1], column: null };
  if (field.startsWith("files") || field === "input") {
    const image = inputs.find((i) => i.kind === "image");
    return { input: image?.name ?? inputs[0]?.name ?? null, column: null };
  }
  const column = /^columns\.(.+)$/.exec(field);
  if (column || field === "rows" || field === "columns") {
    const tabular = inputs.find((i) => i.kind === "tabular");
    return { input: tabular?.name ?? null, column: column ? column[1] : null };
  }
  return { input: null, column: null };
}

function depth(value: unknown): number {
  let d = 0;
  while (Array.isArray(value)) {
    d++;
    value = value[0];
  }
  return d;
}

/**
 * A test sample's inputs as POST predict's `inputs` (a list of samples per input). The server gives
 * each input's one sample; a value already nested one deeper than the input's shape is a list of
 * samples and kept as it is.
 */
export function asBatch(
  inputs: Record<string, unknown>,
  description: PredictDescription,
): Record<string, unknown> {
  const shapes = new Map(description.inputs.map((i) => [i.name, i.shape.length]));
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => {
      const rank = shapes.get(name);
      return [name, rank !== undefined && depth(value) === rank + 1 ? value : [value]];
    }),
  );
}
