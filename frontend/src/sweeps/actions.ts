// What the sweep page does with a trial: open it in the editor as a project (its graph and its
// settings, the space cleared), or train it longer (a new run with twice the epochs).
import { runsApi, type RunBody, type TrainingSettings } from "../api/runs";
import { loadDocument } from "../editor/commands";
import { navigate } from "../router";
import { loadDeclaration } from "../train/panel/useSettings";
import { useTrain } from "../train/store";
import { flattenSettings } from "./analysis";
import type { Sweep, Trial } from "./api";
import { useSweep } from "./store";

/** The sweep's dataset, to train on again; refused when its upload has been deleted since. */
function datasetOf(sweep: Sweep): string | number {
  if (sweep.dataset.ref === null) throw new Error(`the dataset “${sweep.dataset.name}” has been deleted`);
  return sweep.dataset.ref;
}

export async function openTrialAsProject(sweep: Sweep, trial: Trial) {
  const run = await runsApi.run(trial.run!);
  const declaration = await loadDeclaration();
  await loadDocument(run.graph, { projectId: sweep.project });
  const train = useTrain.getState();
  train.resetForm();
  for (const [name, value] of Object.entries(flattenSettings(declaration, run.training)))
    train.setValue(name, value);
  train.setDataset(String(datasetOf(sweep)));
  train.setOpen(true);
  useSweep.getState().setMode("train");
  navigate("/");
}

export async function trainLonger(sweep: Sweep, trial: Trial, factor = 2): Promise<number> {
  const run = await runsApi.run(trial.run!);
  const training = {
    ...run.training,
    epochs: Math.max(1, Math.round((run.training.epochs ?? 1) * factor)),
  } as TrainingSettings;
  const body: RunBody = {
    graph: run.graph as RunBody["graph"],
    dataset: datasetOf(sweep),
    training,
    ...(sweep.project !== null ? { project: sweep.project } : {}),
  };
  const { id } = await runsApi.createRun(body);
  return id;
}
