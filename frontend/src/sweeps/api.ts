// The sweeps side of the HTTP API (POST/GET /api/sweeps, /api/sweeps/{id}, cancel, delete) and the
// messages of /ws/sweeps/{id}/. The types are the server's schemas (schema.gen.ts, `make fixtures`);
// the websocket's messages are written out here after docs (the schema does not declare them).
import { callJson } from "../api/runs";
import type { RunBody } from "../api/runs";
import type { components } from "../api/schema.gen";
import type { Dimension } from "./space";
import type { Objective, Pruner, Sampler } from "./store";

type Schemas = components["schemas"];

export type SweepStatus = Schemas["SweepSummary"]["status"];
export const SWEEP_FINISHED: ReadonlySet<string> = new Set(["succeeded", "cancelled", "failed"]);

/** A trial: its run, the values tried (by target), its objective values, state and timing. */
export type Trial = Schemas["SweepTrial"];
export type TrialRunStatus = Trial["status"];
export type Counts = Schemas["SweepCounts"];
export type SweepSpec = Schemas["SweepSpec"];
/** A dimension as the server stores it (every key present, null where unused). */
export type SpecDimension = Schemas["SweepDimension"];
export type SweepSummary = Schemas["SweepSummary"];
export type Sweep = Schemas["SweepDetail"];

/** What POST /api/sweeps takes (SweepIn), with the keys the editor sends typed. */
export type SweepBody = Schemas["SweepIn"] & {
  graph?: RunBody["graph"];
  project?: number | null;
  dataset: RunBody["dataset"];
  training?: RunBody["training"];
  space: Dimension[];
  objectives: Objective[];
  sampler: Sampler;
  pruner: Pruner;
  trials: number;
  parallel: number;
  seed: number | null;
  name?: string;
};

/** A message of /ws/sweeps/{id}/. */
export type SweepEvent =
  | { type: "snapshot"; t: number; sweep: Sweep }
  | { type: "trial"; t: number; trial: Trial; counts: Counts }
  | {
      type: "sweep";
      t: number;
      status: SweepStatus;
      counts: Counts;
      best: number[];
      importances: Record<string, number> | null;
    }
  | { type: "done"; t: number; status: SweepStatus }
  | { type: "error"; t: number; message: string };

const call = callJson;

export const sweepsApi = {
  create: (body: SweepBody) => call<Sweep>("POST", "/api/sweeps", body),
  list: (params: { project?: number | null; status?: string; limit?: number } = {}) => {
    const query = new URLSearchParams();
    if (params.project != null) query.set("project", String(params.project));
    if (params.status) query.set("status", params.status);
    if (params.limit) query.set("limit", String(params.limit));
    const qs = query.toString();
    return call<SweepSummary[]>("GET", `/api/sweeps${qs ? `?${qs}` : ""}`);
  },
  get: (id: number | string) => call<Sweep>("GET", `/api/sweeps/${id}`),
  cancel: (id: number | string) => call<Sweep>("POST", `/api/sweeps/${id}/cancel`),
  remove: (id: number | string) => call<void>("DELETE", `/api/sweeps/${id}`),
};
