// Calls of /api/ensembles and /api/crossval. The page follows a queued or running ensemble (or
// cross-validation) by polling its GET every couple of seconds: the server sends no websocket events
// for them.
import { callJson } from "../api/runs";
import type {
  Crossval,
  CrossvalBody,
  CrossvalCreated,
  Ensemble,
  EnsembleBody,
  EnsembleCreated,
  EnsembleSummary,
} from "./types";

const call = callJson;

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
