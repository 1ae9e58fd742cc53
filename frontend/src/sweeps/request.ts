// The body of POST /api/sweeps from the editor's state: the run's body (graph, dataset, base
// settings; train/check.ts) with the space (the dimensions whose target still exists, in order) and
// the sweep's own settings.
import type { TrainingSettings } from "../api/runs";
import type { GraphState } from "../graph/store";
import { runBody } from "../train/check";
import type { SweepBody } from "./api";
import { spaceList, type SpaceMap } from "./space";
import type { SweepForm } from "./store";

export function sweepBody(
  graph: Pick<GraphState, "nodes" | "edges" | "name" | "projectId">,
  dataset: string,
  training: TrainingSettings,
  space: SpaceMap,
  form: SweepForm,
  exists: (target: string) => boolean,
): SweepBody {
  const body: SweepBody = {
    ...runBody(graph, dataset, training),
    space: spaceList(space, exists),
    objectives: form.objectives,
    sampler: form.sampler,
    // Two objectives make a multi-objective study: Optuna prunes none of those.
    pruner: form.objectives.length > 1 ? "none" : form.pruner,
    trials: form.trials,
    parallel: form.parallel,
    seed: form.seed,
  };
  return body;
}
