// Asks the server whether training could start (POST /api/runs/check: the very checks of POST /api/runs,
// nothing queued) whenever the graph, the dataset or the settings change: debounced, the latest
// request wins (older ones are aborted). Its answer — the field each block is bound to, or the refusal
// with per-node errors — is kept in the train store for the binding table and the Train button.
import { useEffect, useMemo } from "react";
import { ApiError } from "../api/client";
import { runsApi, type RunBody, type RunRefusal, type TrainingSettings } from "../api/runs";
import { useSession } from "../auth/session";
import { toDocument } from "../graph/serialise";
import { useGraph, type GraphState } from "../graph/store";
import { useSettingsCheck } from "./panel/useSettings";
import { isRunProblem, useTrain, type RunCheckState } from "./store";

export const CHECK_DELAY_MS = 300;

/** The body of POST /api/runs and /api/runs/check. */
export function runBody(
  graph: Pick<GraphState, "nodes" | "edges" | "name" | "projectId">,
  dataset: string,
  training: TrainingSettings,
  { positions = true } = {},
): RunBody {
  return {
    graph: toDocument(graph, { positions }),
    dataset: /^\d+$/.test(dataset) ? Number(dataset) : dataset,
    training,
    ...(graph.projectId !== null ? { project: graph.projectId } : {}),
  };
}

export function refusalOf(e: unknown): RunRefusal {
  const body = e instanceof ApiError ? (e.body as RunRefusal | null) : null;
  return { detail: (e as Error).message, errors: body?.errors, field: body?.field ?? null };
}

/** Mount once (the Train panel): keeps useTrain's `check` up to date. */
export function useRunCheck(): void {
  const username = useSession((s) => s.username);
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const name = useGraph((s) => s.name);
  const projectId = useGraph((s) => s.projectId);
  const validation = useGraph((s) => s.validation);
  const failure = useGraph((s) => s.validationFailure);
  const dataset = useTrain((s) => s.dataset);
  // Only a graph the editor's validation passed (the server's refusals on the blocks aside) is sent.
  const graphValid = !!validation && !failure && !validation.errors.some((e) => !isRunProblem(e));
  const settings = useSettingsCheck()?.settings ?? null;
  const key = useMemo(() => {
    if (!username || !graphValid || !nodes.length || !dataset || !settings) return null;
    return JSON.stringify(
      runBody({ nodes, edges, name, projectId }, dataset, settings, { positions: false }),
    );
  }, [username, graphValid, nodes, edges, name, projectId, dataset, settings]);

  useEffect(() => {
    const { check, setCheck } = useTrain.getState();
    if (!key) return; // the Train button gives the reason; the last answer stays for the table
    if (check?.key === key && check.status !== "pending") return;
    setCheck({ key, status: "pending", bindings: check?.bindings ?? [], refusal: check?.refusal ?? null });
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const answer = await runsApi.checkRun(JSON.parse(key) as RunBody, controller.signal);
        if (!controller.signal.aborted)
          setCheck({
            key,
            status: "ok",
            bindings: answer.bindings,
            refusal: null,
            // RunCheck.warnings: newer than this copy of schema.gen.ts
            warnings: (answer as { warnings?: RunCheckState["warnings"] }).warnings ?? [],
          });
      } catch (e) {
        if (controller.signal.aborted) return;
        const body =
          e instanceof ApiError ? (e.body as { warnings?: RunCheckState["warnings"] } | null) : null;
        // the refusal's binding warnings (node and field), not the graph's (node only)
        const warnings = (body?.warnings ?? []).filter((w) => typeof w.field === "string");
        setCheck({ key, status: "failed", bindings: [], refusal: refusalOf(e), warnings });
      }
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
}
