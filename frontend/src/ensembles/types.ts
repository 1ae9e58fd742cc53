// The types of /api/ensembles and /api/crossval: the server's schemas (webapp/ensembles/schemas.py),
// from the generated schema.gen.ts (`make fixtures`).
import type { RunBody } from "../api/runs";
import type { components } from "../api/schema.gen";

type Schemas = components["schemas"];

export type EnsembleStatus = Schemas["EnsembleSummary"]["status"];
export const ENSEMBLE_FINISHED: ReadonlySet<string> = new Set<EnsembleStatus>(["succeeded", "failed"]);

export type WeightsMode = Schemas["EnsembleSummary"]["weights_mode"];
export type WeightsFrom = Schemas["EnsembleSummary"]["weights_from"];
export type Metrics = NonNullable<Schemas["EnsembleSummary"]["test"]>;

/** The ensemble's gain over its best member on one metric: `value` > 0 means the ensemble is better. */
export type Gain = Schemas["Gain"];
export type EnsembleMember = Schemas["EnsembleMember"];
export type EnsembleOutput = Schemas["EnsembleOutput"];
export type MemberVote = Schemas["MemberVote"];
export type Disagreement = Schemas["Disagreement"];
export type Disagreements = Schemas["Disagreements"];
export type EnsembleSummary = Schemas["EnsembleSummary"];
export type Ensemble = Schemas["EnsembleDetail"];
export type EnsembleCreated = Schemas["EnsembleCreated"];

/** What POST /api/ensembles takes. */
export type EnsembleBody = Schemas["EnsembleIn"];

export type CrossvalStatus = Schemas["CrossvalSummary"]["status"];
export const CROSSVAL_FINISHED: ReadonlySet<string> = new Set<CrossvalStatus>(["succeeded", "failed"]);

export type FoldRun = Schemas["FoldRun"];
/** Mean and population standard deviation over the folds, and each fold's value. */
export type FoldStats = Schemas["MeanStd"];
export type Crossval = Schemas["CrossvalDetail"];
export type CrossvalSummary = Schemas["CrossvalSummary"];
export type CrossvalCreated = Schemas["CrossvalCreated"];

/** What POST /api/crossval takes (CrossvalIn), with the run's keys typed as the editor sends them. */
export type CrossvalBody = Schemas["CrossvalIn"] & {
  graph?: RunBody["graph"];
  project?: number | null;
  dataset: RunBody["dataset"];
  training?: RunBody["training"];
  folds: number;
  stratified: boolean;
};
