// The Train button: disabled with the reason why, the server's refusal of the last run started,
// and, when pressed, POST /api/runs and on to the run's page.
import { useState } from "react";
import { ApiError } from "../../api/client";
import { runsApi } from "../../api/runs";
import { graphStore, useGraph } from "../../graph/store";
import { navigate } from "../../router";
import { notify } from "../../ui/toast";
import { refusalOf, runBody } from "../check";
import { useTrain } from "../store";
import { useDisabledReason } from "./useDisabledReason";
import { currentSettings } from "./useSettings";

async function startRun(setSubmitting: (v: boolean) => void) {
  const { dataset, setRefusal } = useTrain.getState();
  const settings = currentSettings()?.settings;
  if (!dataset || !settings) return;
  setSubmitting(true);
  setRefusal(null);
  try {
    const { id } = await runsApi.createRun(runBody(graphStore.getState(), dataset, settings));
    navigate(`/runs/${id}`);
  } catch (e) {
    setRefusal(refusalOf(e));
    if (e instanceof ApiError && e.status === 401)
      notify("Your session ended: log in again to train.", "error");
  } finally {
    setSubmitting(false);
  }
}

export function TrainFooter() {
  const [submitting, setSubmitting] = useState(false);
  const reason = useDisabledReason(submitting);
  const refusal = useTrain((s) => s.refusal);
  const tuned = useGraph((s) => Object.keys(s.space).length);
  return (
    <footer className="train-foot">
      {tuned > 0 && (
        <p className="small muted" data-testid="train-tuned-note">
          {tuned} tuned value{tuned === 1 ? " is" : "s are"} searched in Sweep mode only; Train uses the
          values set.
        </p>
      )}
      {refusal && (
        <div className="train-errors" data-testid="train-errors" role="alert">
          <strong>The server refused the run.</strong> {refusal.detail}
          {refusal.errors && refusal.errors.length > 1 && (
            <ul>
              {refusal.errors.map((e, i) => (
                <li key={i} data-testid={`train-error-item-${i}`}>
                  {e.node && <code>{e.node}</code>} {e.message}
                </li>
              ))}
            </ul>
          )}
          {refusal.errors?.some((e) => e.node) && (
            <div className="small">The blocks at fault are marked on the canvas.</div>
          )}
        </div>
      )}
      {reason && (
        <p className="small muted" data-testid="train-disabled-reason">
          {reason}
        </p>
      )}
      <button
        className="primary train-submit"
        data-testid="train-submit"
        disabled={!!reason}
        onClick={() => startRun(setSubmitting)}
      >
        {submitting ? "Starting…" : "Train"}
      </button>
    </footer>
  );
}
