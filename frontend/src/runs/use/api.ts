// The run page's calls for using a trained model: what it takes, predictions, test samples, exports.
// Same conventions as api/runs.ts (session cookie, CSRF header, {"detail", "field"} errors as ApiError).
import { ApiError, filenameFrom, readCookie } from "../../api/client";
import { normaliseDescription } from "./describe";
import type {
  ExportList,
  ModelFormat,
  PredictAnswer,
  PredictBody,
  PredictDescription,
  TestSample,
} from "./types";

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const detail = (parsed as { detail?: unknown } | null)?.detail;
  const message =
    typeof detail === "string"
      ? detail
      : detail !== undefined
        ? JSON.stringify(detail)
        : `${response.status} ${response.statusText}`;
  return new ApiError(response.status, message, parsed);
}

async function request(method: string, path: string, body?: BodyInit, json = false, signal?: AbortSignal) {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (json) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }
  const response = await fetch(path, { method, headers, body, credentials: "same-origin", signal });
  if (!response.ok) throw await failure(response);
  return response;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request("GET", path, undefined, false, signal)).json()) as T;
}

export const modelApi = {
  describe: async (id: number | string, signal?: AbortSignal): Promise<PredictDescription> =>
    normaliseDescription(await getJson<unknown>(`/api/runs/${id}/predict`, signal)),

  predict: async (id: number | string, body: PredictBody, signal?: AbortSignal): Promise<PredictAnswer> =>
    (await (
      await request("POST", `/api/runs/${id}/predict`, JSON.stringify(body), true, signal)
    ).json()) as PredictAnswer,

  /** Image files for `input` (multipart `files`); `inputs` holds any other inputs as JSON samples. */
  predictFiles: async (
    id: number | string,
    files: File[],
    options: { input?: string; inputs?: Record<string, unknown> } = {},
    signal?: AbortSignal,
  ): Promise<PredictAnswer> => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    if (options.input) form.append("input", options.input);
    if (options.inputs && Object.keys(options.inputs).length)
      form.append("inputs", JSON.stringify(options.inputs));
    return (await (
      await request("POST", `/api/runs/${id}/predict`, form, false, signal)
    ).json()) as PredictAnswer;
  },

  testSample: (id: number | string, index?: number, signal?: AbortSignal) =>
    getJson<TestSample>(`/api/runs/${id}/test-sample${index === undefined ? "" : `?index=${index}`}`, signal),

  exports: (id: number | string, signal?: AbortSignal) =>
    getJson<ExportList>(`/api/runs/${id}/exports`, signal),
};

export const modelLinks = {
  export: (id: number | string, format: ModelFormat) => `/api/runs/${id}/export?format=${format}`,
  script: (id: number | string) => `/api/runs/${id}/script`,
  notebook: (id: number | string) => `/api/runs/${id}/notebook`,
  data: (id: number | string) => `/api/runs/${id}/data.npz`,
};

export interface Progress {
  loaded: number;
  /** null when the server sends no Content-Length. */
  total: number | null;
}

/**
 * GET a file as a blob with download progress; the filename from Content-Disposition. Rejects with
 * the server's ApiError (a 422 says why a format cannot hold the model).
 */
export async function fetchFile(
  url: string,
  fallback: string,
  onProgress: (p: Progress) => void,
  signal?: AbortSignal,
): Promise<{ blob: Blob; filename: string }> {
  const response = await fetch(url, { credentials: "same-origin", signal });
  if (!response.ok) throw await failure(response);
  const length = Number(response.headers.get("Content-Length"));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const filename = filenameFrom(response.headers.get("Content-Disposition"), fallback);
  const type = response.headers.get("Content-Type") ?? "application/octet-stream";
  if (!response.body) return { blob: await response.blob(), filename };
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  return { blob: new Blob(chunks, { type }), filename };
}
