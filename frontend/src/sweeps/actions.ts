// What the sweep page does with a trial: open it in the editor as a project (its graph and its
// settings, the space cleared), or train it longer (a new run with twice the epochs).
import { runsApi, type RunBody, type TrainingSettings } from "../api/runs";
import { loadDocument } from "../editor/commands";
import { navigate } from "../router";
import { loadDeclaration } from "../train/panel/useSettings";
import type { SettingsDeclaration } from "../train/settingsSchema";
import { useTrain } from "../train/store";
import { bestTrial, valueOf } from "./analysis";
import type { Sweep, Trial } from "./api";
import { useSweep } from "./store";

/** The trial to open: the best one, or with two objectives the front's best on the first objective. */
export function pickBest(sweep: Sweep): Trial | null {
  const objective = sweep.spec.objectives[0];
  const front = sweep.trials.filter((t) => sweep.best.includes(t.number) && t.run !== null);
  if (front.length) return bestTrial(front, objective?.direction ?? "maximize") ?? front[0];
  return bestTrial(
    sweep.trials.filter((t) => t.run !== null && valueOf(t) !== null),
    objective?.direction ?? "maximize",
  );
}

/** A run's nested `training` as the settings form's values by dotted name (only those off their default). */
export function flattenSettings(declaration: SettingsDeclaration, training: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  for (const decl of declaration.fields) {
    let node: unknown = training;
    for (const key of decl.name.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
    if (node !== undefined && node !== decl.default) values[decl.name] = node;
  }
  return values;
}

export async function openTrialAsProject(sweep: Sweep, trial: Trial) {
  const run = await runsApi.run(trial.run!);
  const declaration = await loadDeclaration();
  await loadDocument(run.graph, { projectId: sweep.project });
  const train = useTrain.getState();
  train.resetForm();
  for (const [name, value] of Object.entries(flattenSettings(declaration, run.training)))
    train.setValue(name, value);
  train.setDataset(String(sweep.dataset.ref));
  train.setOpen(true);
  useSweep.getState().setMode("train");
  navigate("/");
}

export async function trainLonger(sweep: Sweep, trial: Trial, factor = 2): Promise<number> {
  const run = await runsApi.run(trial.run!);
  const training = {
    ...run.training,
    epochs: Math.max(1, Math.round(run.training.epochs * factor)),
  } as TrainingSettings;
  const body: RunBody = {
    graph: run.graph as RunBody["graph"],
    dataset: sweep.dataset.ref,
    training,
    ...(sweep.project !== null ? { project: sweep.project } : {}),
  };
  const { id } = await runsApi.createRun(body);
  return id;
}
