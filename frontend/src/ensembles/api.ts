// Calls of /api/ensembles and /api/crossval. The page follows a queued or running ensemble (or
// cross-validation) by polling its GET every couple of seconds: the server sends no websocket events
// for them.
import { ApiError, readCookie } from "../api/client";
import type {
  Crossval,
  CrossvalBody,
  CrossvalCreated,
  Ensemble,
  EnsembleBody,
  EnsembleCreated,
  EnsembleSummary,
} from "./types";

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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

export const ensemblesApi = {
  create: (body: EnsembleBody) => call<EnsembleCreated>("POST", "/api/ensembles", body),
  list: () => call<EnsembleSummary[]>("GET", "/api/ensembles"),
  get: (id: number | string) => call<Ensemble>("GET", `/api/ensembles/${id}`),
  remove: (id: number | string) => call<void>("DELETE", `/api/ensembles/${id}`),
  modelUrl: (id: number | string) => `/api/ensembles/${id}/model`,
};

export const crossvalApi = {
  create: (body: CrossvalBody) => call<CrossvalCreated>("POST", "/api/crossval", body),
  get: (id: number | string) => call<Crossval>("GET", `/api/crossval/${id}`),
  remove: (id: number | string) => call<void>("DELETE", `/api/crossval/${id}`),
};

/** The run a refusal names ("run 13: ..." / "run 99 is not ..."), to mark its row; null if none. */
export function runNamed(detail: string): number | null {
  const match = /\brun #?(\d+)\b/i.exec(detail);
  return match ? Number(match[1]) : null;
}
