// The datasets and their previews from the server: the list (loaded once someone is logged in), the
// chosen one, the first the graph fits when none is chosen, and a cached preview of each.
import { useEffect, useMemo, useState } from "react";
import { runsApi, type DatasetInfo, type DatasetPreview } from "../../api/runs";
import { useSession } from "../../auth/session";
import { graphStore } from "../../graph/store";
import { runBody } from "../check";
import { useTrain } from "../store";
import { currentSettings } from "./useSettings";

export function useChosenDataset(): DatasetInfo | null {
  const ref = useTrain((s) => s.dataset);
  const datasets = useTrain((s) => s.datasets);
  return useMemo(() => datasets?.find((d) => String(d.ref) === ref) ?? null, [datasets, ref]);
}

/** Loads the list when someone logs in; with no dataset chosen (or it is gone), chooses the first
 * the server says the graph fits (with the settings as they are), else the first. */
export function useDatasetList(): void {
  const username = useSession((s) => s.username);
  const datasets = useTrain((s) => s.datasets);
  const reload = useTrain((s) => s.loadDatasets);
  const ref = useTrain((s) => s.dataset);
  const setDataset = useTrain((s) => s.setDataset);
  // The settings are part of the check that picks a dataset the graph fits: wait for them.
  const declared = useTrain((s) => s.declaration !== null);
  useEffect(() => {
    if (username) reload();
  }, [username, reload]);

  useEffect(() => {
    if (!datasets?.length || !declared) return;
    if (ref && datasets.some((d) => String(d.ref) === ref)) return;
    let alive = true;
    (async () => {
      const graph = graphStore.getState();
      const settings = currentSettings()?.settings;
      let chosen = datasets[0];
      if (graph.validation?.valid && settings) {
        for (const d of datasets) {
          try {
            await runsApi.checkRun(runBody(graph, String(d.ref), settings, { positions: false }));
            chosen = d;
            break;
          } catch {
            if (!alive) return;
          }
        }
      }
      if (alive) setDataset(String(chosen.ref));
    })();
    return () => {
      alive = false;
    };
  }, [datasets, ref, setDataset, declared]);
}

const previewCache = new Map<string, DatasetPreview>();

/** The dataset's preview (fetched once per dataset version), or the error. */
export function usePreview(dataset: DatasetInfo): { preview: DatasetPreview | null; error: string | null } {
  const key = `${dataset.kind}:${dataset.ref}:${dataset.created_at ?? ""}`;
  const [preview, setPreview] = useState<DatasetPreview | null>(previewCache.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    setError(null);
    const cached = previewCache.get(key);
    setPreview(cached ?? null);
    if (cached) return;
    runsApi
      .preview(dataset.ref)
      .then((p) => {
        previewCache.set(key, p);
        if (alive) setPreview(p);
      })
      .catch((e: Error) => alive && setError(e.message));
    return () => {
      alive = false;
    };
  }, [key, dataset.ref]);
  return { preview, error };
}

/** Deletes an upload (after asking), then reloads the list. */
export async function deleteUpload(d: DatasetInfo): Promise<void> {
  if (typeof d.id !== "number") return;
  if (!window.confirm(`Delete the uploaded dataset "${d.title}"? Runs that used it keep their results.`))
    return;
  await runsApi.deleteDataset(d.id);
  const { setDataset, loadDatasets } = useTrain.getState();
  setDataset(null);
  await loadDatasets();
}
