// The types of /api/ensembles and /api/crossval (webapp/ensembles/schemas.py), written out here until
// the regenerated schema.gen.ts (`make fixtures`) is in, then aliased from it.
import type { DatasetInfo, EpochEntry, RunBody } from "../api/runs";

export type EnsembleStatus = "queued" | "running" | "succeeded" | "failed";
export const ENSEMBLE_FINISHED: ReadonlySet<string> = new Set(["succeeded", "failed"]);

export type WeightsMode = "uniform" | "optimize" | "given";
export type WeightsFrom = "uniform" | "given" | "validation";
export type Metrics = Record<string, number | null>;

export interface DatasetRefInfo {
  ref: DatasetInfo["ref"] | null;
  kind: string;
  name: string;
  title: string;
}

export interface Gain {
  metric: string;
  higher_is_better: boolean;
  ensemble: number | null;
  best_member: number | null;
  best_run: number | null;
  /** > 0: the ensemble is better */
  value: number | null;
}

export interface EnsembleMember {
  run: number;
  name: string;
  seed: number | null;
  weight: number | null;
  test: Metrics | null;
  run_exists: boolean;
}

export interface EnsembleOutput {
  name: string;
  kind: "classification" | "regression";
  loss: string;
  shape: (number | null)[];
  classes: number | null;
}

export interface MemberVote {
  run: number;
  prediction: string;
  correct: boolean;
}

export interface Disagreement {
  index: number;
  truth: string;
  ensemble: string;
  confidence: number | null;
  members: MemberVote[];
  image: string | null;
}

export interface Disagreements {
  output: string;
  counts: { ensemble_right: number; ensemble_wrong: number };
  ensemble_right: Disagreement[];
  ensemble_wrong: Disagreement[];
}

export interface EnsembleSummary {
  id: number;
  name: string;
  status: EnsembleStatus;
  error: string;
  dataset: DatasetRefInfo;
  weights_mode: WeightsMode;
  weights: number[] | null;
  weights_from: WeightsFrom;
  runs: number[];
  crossval: number | null;
  test: Metrics | null;
  gain: Gain | null;
  has_model: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
}

export interface Ensemble extends EnsembleSummary {
  validation: { samples: number; shared: boolean; note: string } | null;
  members: EnsembleMember[];
  outputs: EnsembleOutput[];
  confusion: { output: string; labels: string[]; matrix: number[][] } | null;
  disagreements: Disagreements | null;
}

export interface EnsembleBody {
  runs: number[];
  weights: "uniform" | "optimize" | number[];
  name?: string;
}

export interface EnsembleCreated {
  id: number;
  status: EnsembleStatus;
}

export type CrossvalStatus = "queued" | "running" | "evaluating" | "succeeded" | "failed";
export const CROSSVAL_FINISHED: ReadonlySet<string> = new Set(["succeeded", "failed"]);

export interface FoldRun {
  fold: number;
  run: number;
  status: string;
  epochs_done: number;
  best: { metric: string; value: number; epoch: number } | null;
  history: EpochEntry[];
  test: Metrics | null;
}

export interface FoldStats {
  mean: number | null;
  std: number | null;
  values: (number | null)[];
}

export interface Crossval {
  id: number;
  name: string;
  status: CrossvalStatus;
  error: string;
  folds: number;
  stratified: boolean;
  project: number | null;
  dataset: DatasetRefInfo;
  training: RunBody["training"];
  /** the fold runs' ids, in fold order */
  runs: number[];
  fold_runs: FoldRun[];
  metrics: Record<string, { last?: FoldStats | null; best?: FoldStats | null }>;
  best_by: string | null;
  ensemble: {
    id: number;
    status: EnsembleStatus;
    test: Metrics | null;
    gain: Gain | null;
    has_model: boolean;
  } | null;
  created_at: string;
  finished_at: string | null;
}

export type CrossvalBody = Omit<RunBody, "graph"> & {
  graph?: RunBody["graph"];
  project?: number | null;
  folds: number;
  stratified: boolean;
};

export interface CrossvalCreated {
  id: number;
  status: CrossvalStatus;
  runs: number[];
}
