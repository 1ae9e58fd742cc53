// A small typed client for the HTTP API: JSON in and out, the session cookie
// and Django's CSRF header on unsafe methods, and {"detail"} errors as ApiError.
import type { components } from "./schema.gen";
import type { Catalog, Example, GraphDocument, Me, Project, ProjectSummary, ValidationResult } from "./types";

export class ApiError extends Error {
  status: number;
  body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

export function readCookie(
  name: string,
  cookies: string = typeof document === "undefined" ? "" : document.cookie,
): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

interface RequestOptions {
  body?: unknown;
  form?: FormData;
  signal?: AbortSignal;
}

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (opts.form) {
    body = opts.form;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  if (UNSAFE.has(method)) {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }
  const response = await fetch(path, {
    method,
    headers,
    body,
    credentials: "same-origin",
    signal: opts.signal,
  });
  if (!response.ok) {
    let parsed: unknown = null;
    let message = `${response.status} ${response.statusText}`;
    try {
      parsed = await response.json();
      const detail = (parsed as { detail?: unknown })?.detail;
      if (typeof detail === "string") message = detail;
      else if (detail !== undefined) message = JSON.stringify(detail);
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message, parsed);
  }
  return response;
}

async function json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, opts);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The filename of a Content-Disposition header, or the fallback. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/** One inner layer of a trained model (GET /api/runs/{id}/layers, /api/models/{id}/layers). */
export type InnerLayerInfo = components["schemas"]["InnerLayer"];

/** An inner layer list (GET /api/runs/{id}/layers, /api/models/{id}/layers, POST /api/graphs/inner-layers). */
export type InnerLayers = components["schemas"]["InnerLayers"];

/** An uploaded .keras model (GET /api/models, POST /api/models). */
export type UploadedModelInfo = components["schemas"]["UploadedModelInfo"];

/** What POST /api/graphs/inner-layers asks: a model block's type and params at an input shape (no batch axis). */
export type InnerLayersRequest = components["schemas"]["InnerLayersRequest"];

export type ExportFormat = "python" | "keras" | "json" | "savedmodel" | "onnx" | "tflite";
const EXTENSIONS: Record<ExportFormat, string> = {
  python: "py",
  keras: "keras",
  json: "json",
  savedmodel: "zip",
  onnx: "onnx",
  tflite: "tflite",
};

export const api = {
  layers: () => json<Catalog>("GET", "/api/layers"),
  examples: () => json<Example[]>("GET", "/api/examples"),
  validate: (graph: GraphDocument, signal?: AbortSignal) =>
    json<ValidationResult>("POST", "/api/graphs/validate", { body: graph, signal }),
  async exportGraph(graph: GraphDocument, format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
    const response = await send("POST", `/api/graphs/export?format=${format}`, { body: graph });
    const fallback = `${safeName(graph.name)}.${EXTENSIONS[format]}`;
    return {
      blob: await response.blob(),
      filename: filenameFrom(response.headers.get("Content-Disposition"), fallback),
    };
  },
  importModel(file: File) {
    const form = new FormData();
    form.append("file", file);
    // notice: the file held trained weights, which a graph does not carry (a Pretrained block keeps them)
    return json<GraphDocument & { notice?: string }>("POST", "/api/graphs/import", { form });
  },
  /** A succeeded run's trained model, layer by layer (a Pretrained block's cut_at and trainable_from). */
  runLayers: (id: number) => json<InnerLayers>("GET", `/api/runs/${id}/layers`),
  /** The person's uploaded .keras models (GET /api/models). */
  models: () => json<UploadedModelInfo[]>("GET", "/api/models"),
  modelLayers: (id: number) => json<InnerLayers>("GET", `/api/models/${id}/layers`),
  /** The inner layers of a model block (a Keras Application, a Pretrained block) at an input shape (no batch axis). */
  blockInnerLayers: (body: InnerLayersRequest) =>
    json<InnerLayers>("POST", "/api/graphs/inner-layers", { body }),
  /** Keeps a .keras file as one of the person's models, for a Pretrained block's `upload`. */
  uploadModel(file: File) {
    const form = new FormData();
    form.append("file", file);
    return json<UploadedModelInfo>("POST", "/api/models", { form });
  },
  me: () => json<Me>("GET", "/api/auth/me"),
  login: (username: string, password: string) =>
    json<Me>("POST", "/api/auth/login", { body: { username, password } }),
  signup: (username: string, password: string) =>
    json<Me>("POST", "/api/auth/signup", { body: { username, password } }),
  logout: () => json<unknown>("POST", "/api/auth/logout"),
  projects: () => json<ProjectSummary[]>("GET", "/api/projects"),
  project: (id: number) => json<Project>("GET", `/api/projects/${id}`),
  createProject: (name: string, graph: GraphDocument) =>
    json<Project>("POST", "/api/projects", { body: { name, graph } }),
  updateProject: (id: number, changes: { name?: string; graph?: GraphDocument }) =>
    json<Project>("PUT", `/api/projects/${id}`, { body: changes }),
  deleteProject: (id: number) => json<unknown>("DELETE", `/api/projects/${id}`),
};

export function safeName(name: string | undefined, fallback = "model"): string {
  const text = (name ?? "").replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[._]+|[._]+$/g, "");
  return text.slice(0, 80) || fallback;
}
