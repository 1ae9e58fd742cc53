// The training side of the HTTP API: datasets, uploads, runs (see DESIGN.md). Kept apart from
// client.ts; it reuses that file's fetch helper behaviour (session cookie, CSRF, {"detail"} errors).
import { ApiError, readCookie } from "./client";
import type { components } from "./schema.gen";
import type { Problem } from "./types";

type Schemas = components["schemas"];

export type DatasetInfo = Schemas["DatasetInfo"];
export type DatasetField = Schemas["DatasetField"];
/** A built-in dataset's name, or the id of an upload. */
export type DatasetRef = DatasetInfo["ref"];
export type DatasetPreview = Schemas["ImagesPreview"] | Schemas["TablePreview"];

export type RunStatus = Schemas["RunSummary"]["status"];
export const FINISHED: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "cancelled", "pruned"]);

/** `training` as a run stores it: every setting filled in (trainer/settings.py; GET /api/training/settings). */
export type TrainingSettings = Schemas["TrainingSettings"];
export type Callbacks = TrainingSettings["callbacks"];

export type EpochEntry = Schemas["EpochEntry"];
/** A batch event as the server keeps it (throttled, thinned evenly past a limit), for a rebuild. */
export type BatchRecord = Schemas["BatchRecord"];
export type Confusion = Schemas["Confusion"];
export type SamplePrediction = Schemas["SamplePrediction"];
export type RunSummary = Schemas["RunSummary"];
export type Run = Schemas["RunDetail"];
export type RunCreated = Schemas["RunCreated"];

/** The body of a 4xx from POST /api/runs (and /check): per-block errors (graph or binding), or the
 * field at fault. Its `errors` are read as Problems: the ones without a `node` (the request's own
 * validation issues) are never shown on a block. */
export type RunRefusal = {
  detail: Schemas["Error"]["detail"];
  field?: Schemas["Error"]["field"];
  errors?: Problem[] | null;
};

/** What POST /api/runs and POST /api/runs/check take. */
export type RunBody = Schemas["RunIn"];

/** Which dataset field an Input or Output block is bound to (trainer/binding.py's `bindings`). */
export type Binding = Schemas["Binding"];

/** POST /api/runs/check's 200: training could start. Its 4xx bodies are RunRefusal, as POST /api/runs's. */
export type RunCheck = Schemas["RunCheck"];

/** A JSON call of the API with the session's CSRF token; a 4xx/5xx is an ApiError with the server's `detail`. */
export async function callJson<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
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

const call = callJson;

export const runsApi = {
  datasets: () => call<DatasetInfo[]>("GET", "/api/datasets"),
  preview: (ref: DatasetRef) =>
    call<DatasetPreview>("GET", `/api/datasets/${encodeURIComponent(String(ref))}/preview`),
  deleteDataset: (id: number) => call<void>("DELETE", `/api/datasets/${id}`),
  createRun: (body: RunBody) => call<RunCreated>("POST", "/api/runs", body),
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
  cancel: (id: number | string) => call<Run>("POST", `/api/runs/${id}/cancel`),
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
