// The runs workspace's calls: the filtered list, a run's name/tags/note, deleting several.
import { callJson, type Run, type RunStatus, type RunSummary } from "../../api/runs";
import type { components } from "../../api/schema.gen";

export type RunPatch = components["schemas"]["RunPatch"];
export type RunsDeleted = components["schemas"]["RunsDeleted"];

export interface ListQuery {
  project?: number | null;
  status?: RunStatus | "";
  tag?: string;
  /** text in the run's name, its graph's, its project's or its dataset's */
  q?: string;
  limit?: number;
}

/** GET /api/runs with its filters (the empty ones left out). */
export function listPath(query: ListQuery = {}): string {
  const params = new URLSearchParams();
  if (query.project != null) params.set("project", String(query.project));
  if (query.status) params.set("status", query.status);
  if (query.tag?.trim()) params.set("tag", query.tag.trim());
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.limit) params.set("limit", String(query.limit));
  const qs = params.toString();
  return `/api/runs${qs ? `?${qs}` : ""}`;
}

export const workspaceApi = {
  list: (query: ListQuery = {}, signal?: AbortSignal) =>
    callJson<RunSummary[]>("GET", listPath(query), undefined, signal),
  /** Rename, tag or annotate: only the keys given change. */
  patch: (id: number, body: RunPatch) => callJson<Run>("PATCH", `/api/runs/${id}`, body),
  /** Deletes the runs (a running one is stopped first); the ids that are not the person's come back in not_found. */
  deleteMany: (ids: number[]) => callJson<RunsDeleted>("POST", "/api/runs/delete", { ids }),
};
