// The "use the trained model" API (notes: GET/POST /api/runs/{id}/predict, test-sample, exports), as the
// run page reads it. Mirrors the contract until the server's schema lands in api/schema.gen.ts.

export type InputKind = "image" | "tabular" | "sequence" | "array";
export type OutputKind = "classification" | "regression";

export interface ImageLayout {
  width: number;
  height: number;
  channels: number;
}

export interface ColumnSpec {
  name: string;
  /** "number", "category", "text"… as the dataset parsed the column. */
  kind: string;
  choices?: string[] | null;
}

export interface PredictInput {
  name: string;
  kind: InputKind;
  shape: (number | null)[];
  dtype: string;
  image?: ImageLayout | null;
  columns?: ColumnSpec[] | null;
  length?: number | null;
  vocabulary_size?: number | null;
}

export interface PredictOutput {
  name: string;
  kind: OutputKind;
  classes?: string[] | null;
  shape?: (number | null)[];
}

/** GET /api/runs/{id}/predict */
export interface PredictDescription {
  inputs: PredictInput[];
  outputs: PredictOutput[];
  max_samples: number;
}

export interface TopClass {
  class: number;
  name: string;
  probability: number;
}

export interface OutputAnswer {
  /** One row per sample. */
  values: (number | null)[][];
  /** Classification outputs: at most five classes per sample, most likely first. */
  top?: TopClass[][] | null;
}

/** POST /api/runs/{id}/predict's 200. */
export interface PredictAnswer {
  outputs: Record<string, OutputAnswer>;
}

/** GET /api/runs/{id}/test-sample */
export interface TestSample {
  index: number;
  /** Ready for POST predict's {"inputs": ...}. */
  inputs: Record<string, unknown>;
  label: unknown;
  name?: string | null;
  image?: string | null;
}

export type ModelFormat = "keras" | "savedmodel" | "onnx" | "tflite";

export interface ExportEntry {
  format: ModelFormat;
  filename: string;
  /** Bytes; null while the format has not been converted yet (converted on first download). */
  size: number | null;
  error: string | null;
}

/** GET /api/runs/{id}/exports */
export interface ExportList {
  formats: ExportEntry[];
}

/** POST predict's body: JSON samples per input, or a tabular upload's raw columns. */
export type PredictBody = { inputs: Record<string, unknown> } | { columns: Record<string, unknown[]> };
