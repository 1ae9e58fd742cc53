// What the Pretrained and Applications fields fetch, shared by the Inspector and the blocks: the person's
// succeeded runs, their uploaded models, and the inner layers of each trained model (asked once per model).
import { create } from "zustand";
import { api, ApiError } from "../api/client";
import { runsApi, type RunSummary } from "../api/runs";
import { useSession } from "../auth/session";
import { graphTypes as typesOf, type InnerLayer, type ModelLike } from "./pretrained";

export interface Loaded<T> {
  value?: T;
  /** Why it could not be had, in the server's words. */
  error?: string;
}

interface TrainedModelsState {
  runs: Loaded<RunSummary[]> | null;
  /** null: not asked yet; `absent`: this server keeps no uploaded models (no GET /api/models). */
  models: (Loaded<ModelLike[]> & { absent?: boolean }) | null;
  /** Inner layers by source: "run:3", "upload:2". */
  layers: Record<string, Loaded<InnerLayer[]>>;
  /** Block types of each run's graph (runs whose graph was fetched), for weights_run pickers. */
  graphTypes: Record<number, string[]>;
  /** Asks again when what it has is older than `maxAgeMs` (a run may have finished since). */
  loadRuns(maxAgeMs?: number): Promise<void>;
  loadModels(maxAgeMs?: number): Promise<void>;
  loadLayers(key: string): Promise<void>;
  loadGraphTypes(ids: readonly number[]): Promise<void>;
  /** An Applications block's inner layers, under `key` (blockKey's). */
  loadBlockLayers(key: string, body: Parameters<typeof api.blockInnerLayers>[0]): Promise<void>;
}

function message(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return "Log in to use your trained models.";
  return (error as Error)?.message ?? String(error);
}

const asking = new Set<string>();
const fetchedAt: Record<string, number> = {};

function fresh(key: string, maxAgeMs: number): boolean {
  return key in fetchedAt && Date.now() - fetchedAt[key] <= maxAgeMs;
}

/** Runs one fetch per key at a time. */
async function once(key: string, work: () => Promise<void>) {
  if (asking.has(key)) return;
  asking.add(key);
  try {
    await work();
  } finally {
    asking.delete(key);
  }
}

export const useTrainedModels = create<TrainedModelsState>()((set, get) => ({
  runs: null,
  models: null,
  layers: {},
  graphTypes: {},
  loadRuns: (maxAgeMs = Infinity) =>
    once("runs", async () => {
      if (get().runs && fresh("runs", maxAgeMs)) return;
      fetchedAt.runs = Date.now();
      try {
        set({ runs: { value: await runsApi.runs({ status: "succeeded", limit: 200 }) } });
      } catch (error) {
        set({ runs: { error: message(error) } });
      }
    }),
  loadModels: (maxAgeMs = Infinity) =>
    once("models", async () => {
      if (get().models && fresh("models", maxAgeMs)) return;
      fetchedAt.models = Date.now();
      try {
        set({ models: { value: await api.models() } });
      } catch (error) {
        const absent = error instanceof ApiError && (error.status === 404 || error.status === 405);
        set({ models: absent ? { value: [], absent: true } : { error: message(error) } });
      }
    }),
  loadLayers: (key) =>
    once(`layers:${key}`, async () => {
      if (get().layers[key]?.value) return;
      const [kind, id] = key.split(":");
      try {
        const answer = kind === "run" ? await api.runLayers(Number(id)) : await api.modelLayers(Number(id));
        set({ layers: { ...get().layers, [key]: { value: answer.layers } } });
      } catch (error) {
        set({ layers: { ...get().layers, [key]: { error: message(error) } } });
      }
    }),
  loadBlockLayers: (key, body) =>
    once(`layers:${key}`, async () => {
      if (get().layers[key]?.value) return;
      try {
        const answer = await api.blockInnerLayers(body);
        set({ layers: { ...get().layers, [key]: { value: answer.layers } } });
      } catch (error) {
        set({ layers: { ...get().layers, [key]: { error: message(error) } } });
      }
    }),
  loadGraphTypes: (ids) =>
    once(`graphs:${ids.join(",")}`, async () => {
      const missing = ids.filter((id) => !(id in get().graphTypes));
      const found = await Promise.all(
        missing.map(async (id) => {
          try {
            const run = await runsApi.run(id);
            return [id, [...typesOf(run.graph)]] as const;
          } catch {
            return [id, [] as string[]] as const;
          }
        }),
      );
      if (found.length) set({ graphTypes: { ...get().graphTypes, ...Object.fromEntries(found) } });
    }),
}));

/** The key of a source for `layers`: "run:3". */
export function sourceKey(source: ["run" | "upload", number] | null): string | null {
  return source ? `${source[0]}:${source[1]}` : null;
}

// Another person signed in (or out): what was fetched was the last one's.
useSession.subscribe((now, before) => {
  if (now.username === before.username) return;
  for (const key of Object.keys(fetchedAt)) delete fetchedAt[key];
  useTrainedModels.setState({ runs: null, models: null, layers: {}, graphTypes: {} });
});
