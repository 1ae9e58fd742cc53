// The training side of the HTTP API: datasets, uploads, runs (see DESIGN.md). Kept apart from
// client.ts; it reuses that file's fetch helper behaviour (session cookie, CSRF, {"detail"} errors).
import { ApiError, readCookie } from "./client";
import type { GraphDocument, Problem } from "./types";

export type DatasetRef = string | number;

export interface DatasetField {
  name: string;
  shape: (number | null)[];
  dtype: string;
  modality?: string;
  classes?: number | null;
  class_names?: string[] | null;
  task?: "classification" | "regression";
}

export interface DatasetInfo {
  id: number | null;
  ref: DatasetRef;
  kind: "builtin" | "upload";
  name: string;
  title: string;
  task?: string;
  description?: string;
  inputs: DatasetField[];
  targets: DatasetField[];
  train_size: number;
  test_size: number;
  filename?: string;
  size?: number;
  created_at?: string;
}

export type DatasetPreview =
  | { kind: "images"; input: string; images: { src: string; targets: Record<string, unknown> }[] }
  | { kind: "table"; columns: string[]; rows: unknown[][]; truncated?: boolean };

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export const FINISHED: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "cancelled"]);

export interface Callbacks {
  early_stopping: { enabled: boolean; monitor: string; patience: number };
  reduce_lr: { enabled: boolean; factor: number; patience: number };
  checkpoint_best: { enabled: boolean; monitor: string };
  lr_schedule: { enabled: boolean; kind: "cosine" | "step"; step_size: number; gamma: number };
  terminate_on_nan: boolean;
  tensorboard: boolean;
}

export interface TrainingSettings {
  optimizer: string;
  learning_rate: number;
  batch_size: number;
  epochs: number;
  validation_split: number;
  max_samples: number | null;
  seed: number;
  callbacks: Callbacks;
}

export interface EpochEntry {
  type?: "epoch";
  t?: number;
  epoch: number;
  epochs?: number;
  metrics: Record<string, number | null>;
  lr?: number | null;
  seconds?: number | null;
}

/** A batch event as the server keeps it (throttled, thinned evenly past a limit), for a rebuild. */
export interface BatchRecord {
  epoch: number;
  step: number;
  steps: number;
  metrics: Record<string, number | null>;
}

export interface Confusion {
  output: string;
  labels: string[];
  matrix: number[][];
}

export interface SamplePrediction {
  index: number;
  true: unknown;
  pred: unknown;
  correct?: boolean;
  confidence: number | null;
  error?: number;
  image: string | null;
}

export interface RunSummary {
  id: number;
  status: RunStatus;
  project: number | null;
  name: string;
  dataset: { ref: DatasetRef | null; kind: string; name: string; title: string; deleted?: boolean };
  training: TrainingSettings;
  epochs_done: number;
  best: { metric: string; value: number; epoch: number } | null;
  test: Record<string, number | null> | null;
  error: string | null;
  cancel_requested: boolean;
  has_model: boolean;
  has_tensorboard: boolean;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at?: string | null;
  duration: number | null;
}

export interface Run extends RunSummary {
  graph: GraphDocument;
  history: EpochEntry[];
  /** the throttled batch events so far ({epoch, step, steps, metrics}), thinned evenly past a limit */
  batches?: { epoch: number; step: number; steps: number; metrics: Record<string, number | null> }[];
  confusion: Confusion | null;
  samples: SamplePrediction[];
  worker?: string | null;
}

/** The body of a 400 from POST /api/runs: per-node errors (graph or binding), or the field at fault. */
export interface RunRefusal {
  detail: string;
  errors?: (Problem & { field?: string })[];
  field?: string | null;
}

/** What POST /api/runs and POST /api/runs/check take. */
export interface RunBody {
  graph: GraphDocument;
  project?: number;
  dataset: DatasetRef;
  training: TrainingSettings;
}

/** Which dataset field an Input or Output block is bound to (trainer/binding.py's `bindings`). */
export interface Binding {
  node: string;
  kind: "input" | "output";
  /** null: the block matches no field (the check's errors say why) */
  field: string | null;
  how: "name" | "only" | null;
}

/** POST /api/runs/check's 200: training could start. Its 4xx bodies are RunRefusal, as POST /api/runs's. */
export interface RunCheck {
  ok: true;
  bindings: Binding[];
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const detail = (parsed as { detail?: unknown } | null)?.detail;
    const message =
      typeof detail === "string"
        ? detail
        : detail !== undefined
          ? JSON.stringify(detail)
          : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, parsed);
  }
  return parsed as T;
}

export const runsApi = {
  datasets: () => call<DatasetInfo[]>("GET", "/api/datasets"),
  preview: (ref: DatasetRef) =>
    call<DatasetPreview>("GET", `/api/datasets/${encodeURIComponent(String(ref))}/preview`),
  deleteDataset: (id: number) => call<void>("DELETE", `/api/datasets/${id}`),
  createRun: (body: RunBody) => call<{ id: number; status: RunStatus }>("POST", "/api/runs", body),
  /** The checks of createRun, with nothing queued or created (the server's rules are the only ones). */
  checkRun: (body: RunBody, signal?: AbortSignal) => call<RunCheck>("POST", "/api/runs/check", body, signal),
  runs: (params: { project?: number | null; status?: string; limit?: number } = {}) => {
    const query = new URLSearchParams();
    if (params.project != null) query.set("project", String(params.project));
    if (params.status) query.set("status", params.status);
    if (params.limit) query.set("limit", String(params.limit));
    const qs = query.toString();
    return call<RunSummary[]>("GET", `/api/runs${qs ? `?${qs}` : ""}`);
  },
  run: (id: number | string) => call<Run>("GET", `/api/runs/${id}`),
  cancel: (id: number | string) => call<RunSummary>("POST", `/api/runs/${id}/cancel`),
  deleteRun: (id: number | string) => call<void>("DELETE", `/api/runs/${id}`),
};

export const downloads = {
  model: (id: number | string) => `/api/runs/${id}/model`,
  script: (id: number | string) => `/api/runs/${id}/script`,
  history: (id: number | string) => `/api/runs/${id}/history.csv`,
  tensorboard: (id: number | string) => `/api/runs/${id}/tensorboard`,
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadHandle {
  promise: Promise<DatasetInfo>;
  abort(): void;
}

/**
 * POST /api/datasets with XMLHttpRequest, for its upload progress events. Rejects with an ApiError
 * whose body is the server's {"detail", "field"}.
 */
export function uploadDataset(
  file: File,
  name: string,
  options: Record<string, unknown>,
  onProgress: (p: UploadProgress) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<DatasetInfo>((resolve, reject) => {
    const form = new FormData();
    form.append("file", file);
    form.append("name", name);
    form.append("options", JSON.stringify(options));
    xhr.open("POST", "/api/datasets");
    xhr.setRequestHeader("Accept", "application/json");
    const token = readCookie("csrftoken");
    if (token) xhr.setRequestHeader("X-CSRFToken", token);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) =>
      onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as DatasetInfo);
      else {
        const detail = (body as { detail?: unknown } | null)?.detail;
        const message =
          typeof detail === "string"
            ? detail
            : xhr.status === 413
              ? "the file is too large"
              : `${xhr.status} ${xhr.statusText}`;
        reject(new ApiError(xhr.status, message, body));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "the upload failed: the server could not be reached", null));
    xhr.onabort = () => reject(new ApiError(0, "upload cancelled", null));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
