// The Sweep button: disabled with the reason why (the Train button's reasons, then the space's),
// the server's refusal (at the field or dimension it names, and summed up here), and when pressed,
// POST /api/sweeps and on to the sweep's page.
import { useState } from "react";
import { ApiError } from "../../api/client";
import { graphStore, useGraph } from "../../graph/store";
import { navigate } from "../../router";
import { sweepsApi } from "../../sweeps/api";
import { sweepBody } from "../../sweeps/request";
import { checkDimension, targetLabel } from "../../sweeps/space";
import { sweepRefusal, useSweep } from "../../sweeps/store";
import { notify } from "../../ui/toast";
import { refusalOf } from "../check";
import { useTrain } from "../store";
import { boundsOfTarget } from "./SweepSection";
import { useDisabledReason } from "./useDisabledReason";
import { currentSettings } from "./useSettings";

function targetExists(target: string): boolean {
  const { nodes, specs } = graphStore.getState();
  return boundsOfTarget(target, nodes, specs, useTrain.getState().declaration) !== null;
}

async function startSweep(setSubmitting: (v: boolean) => void) {
  const { dataset } = useTrain.getState();
  const settings = currentSettings()?.settings;
  if (!dataset || !settings) return;
  const graph = graphStore.getState();
  const body = sweepBody(graph, dataset, settings, graph.space, useSweep.getState(), targetExists);
  setSubmitting(true);
  useSweep.getState().setRefusal(null);
  try {
    const sweep = await sweepsApi.create(body);
    navigate(`/sweeps/${sweep.id}`);
  } catch (e) {
    const field =
      e instanceof ApiError ? ((e.body as { field?: string | null } | null)?.field ?? null) : null;
    const refusal = sweepRefusal(
      (e as Error).message,
      field,
      body.space.map((d) => d.target),
    );
    useSweep.getState().setRefusal(refusal);
    // The run's own checks (graph, dataset, settings) show where the Train button shows them.
    if (
      !refusal.target &&
      !/^(space|objectives|sampler|pruner|trials|parallel|seed|enqueue)\b/.test(field ?? "")
    )
      useTrain.getState().setRefusal(refusalOf(e));
    if (e instanceof ApiError && e.status === 401)
      notify("Your session ended: log in again to sweep.", "error");
  } finally {
    setSubmitting(false);
  }
}

export function SweepFooter() {
  const [submitting, setSubmitting] = useState(false);
  const base = useDisabledReason(submitting);
  const refusal = useSweep((s) => s.refusal);
  const trials = useSweep((s) => s.trials);
  const space = useGraph((s) => s.space);
  const nodes = useGraph((s) => s.nodes);
  const specs = useGraph((s) => s.specs);
  const declaration = useTrain((s) => s.declaration);
  const dims = Object.values(space);
  let reason = base?.replace("Log in to train.", "Log in to run a sweep.") ?? null;
  if (!reason && !dims.length) reason = "Tune at least one number or choice (⚙ tune beside it).";
  if (!reason) {
    for (const dim of dims) {
      const bounds = boundsOfTarget(dim.target, nodes, specs, declaration);
      const problems = bounds ? Object.entries(checkDimension(dim, bounds)) : [];
      if (!bounds) continue; // a dimension whose block is gone is left out of the request
      if (problems.length) {
        const { owner, name } = targetLabel(dim.target);
        reason = `Fix the range of ${owner} ${name}: ${problems[0][0]} ${problems[0][1]}.`;
        break;
      }
    }
  }
  if (!reason && submitting) reason = "Starting the sweep…";
  return (
    <footer className="train-foot">
      {refusal && (
        <div className="train-errors" data-testid="sweep-errors" role="alert">
          <strong>The server refused the sweep.</strong> {refusal.detail}
          {refusal.target && (
            <div className="small">
              At <code>{refusal.target}</code>
              {refusal.dimensionField ? ` (${refusal.dimensionField})` : ""}.
            </div>
          )}
        </div>
      )}
      {reason && (
        <p className="small muted" data-testid="sweep-disabled-reason">
          {reason}
        </p>
      )}
      <button
        className="primary train-submit sweep-submit"
        data-testid="sweep-submit"
        disabled={!!reason}
        onClick={() => startSweep(setSubmitting)}
      >
        {submitting ? "Starting…" : `Sweep ${trials} trial${trials === 1 ? "" : "s"}`}
      </button>
    </footer>
  );
}
