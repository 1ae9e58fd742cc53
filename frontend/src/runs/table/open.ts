// "Open in editor": a run's graph and training settings (and its dataset) put in the editor as a new,
// unsaved project, with the Train panel open, through the editor's own loaders (as a sweep's trial is).
import { runsApi } from "../../api/runs";
import { loadDocument } from "../../editor/commands";
import { navigate } from "../../router";
import { flattenSettings } from "../../sweeps/analysis";
import { useSweep } from "../../sweeps/store";
import { loadDeclaration } from "../../train/panel/useSettings";
import { useTrain } from "../../train/store";

export async function openRunInEditor(id: number): Promise<void> {
  const [run, declaration] = await Promise.all([runsApi.run(id), loadDeclaration()]);
  // Not the run's project: a new project, unsaved (Save creates it); the load is one undo step.
  await loadDocument({ ...run.graph, name: run.name || run.graph_name || "untitled" }, { projectId: null });
  const train = useTrain.getState();
  train.resetForm();
  for (const [name, value] of Object.entries(flattenSettings(declaration, run.training)))
    train.setValue(name, value);
  if (run.dataset.ref !== null && !run.dataset.deleted) train.setDataset(String(run.dataset.ref));
  train.setOpen(true);
  useSweep.getState().setMode("train");
  navigate("/");
}
