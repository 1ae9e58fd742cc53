// The Train panel's "Cross-validate (K folds)" option: K runs of the graph, each validating on its own
// fold of the training split (stratified by class where there is one target class), then the K fold
// models scored on the test split as one ensemble. POST /api/crossval and on to its page; the server's
// refusal (the run checks' own, or `folds`) shows here.
import { useState } from "react";
import { ApiError } from "../../api/client";
import { crossvalApi } from "../../ensembles/api";
import "../../ensembles/ensembles.css";
import { graphStore } from "../../graph/store";
import { navigate } from "../../router";
import { notify } from "../../ui/toast";
import { runBody } from "../check";
import { useTrain } from "../store";
import { useDisabledReason } from "./useDisabledReason";
import { currentSettings } from "./useSettings";

export const MIN_FOLDS = 2;
export const MAX_FOLDS = 10;

export function CrossvalOption() {
  const [on, setOn] = useState(false);
  const [folds, setFolds] = useState(5);
  const [stratified, setStratified] = useState(true);
  const [submitting, setSubmitting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const base = useDisabledReason(submitting);
  const badFolds = !Number.isInteger(folds) || folds < MIN_FOLDS || folds > MAX_FOLDS;
  const reason = base ?? (badFolds ? `Folds: a whole number from ${MIN_FOLDS} to ${MAX_FOLDS}.` : null);

  async function start() {
    const { dataset } = useTrain.getState();
    const settings = currentSettings()?.settings;
    if (!dataset || !settings) return;
    setSubmitting(true);
    setRefusal(null);
    try {
      const body = { ...runBody(graphStore.getState(), dataset, settings), folds, stratified };
      const created = await crossvalApi.create(body);
      navigate(`/crossval/${created.id}`);
    } catch (e) {
      const field = e instanceof ApiError ? (e.body as { field?: string | null } | null)?.field : null;
      setRefusal(field ? `${(e as Error).message} (${field})` : (e as Error).message);
      if (e instanceof ApiError && e.status === 401)
        notify("Your session ended: log in again to train.", "error");
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <section className="train-section crossval-option" data-testid="crossval-option">
      <label className="row">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => setOn(e.target.checked)}
          data-testid="crossval-toggle"
        />
        <strong>Cross-validate (K folds)</strong>
      </label>
      {on && (
        <>
          <p className="muted small">
            {Number.isInteger(folds) && folds >= MIN_FOLDS ? folds : "K"} runs, each trained on the rest of
            the training split and validated on its own fold; the test split then scores the fold models
            together as one ensemble. The validation split setting is not used.
          </p>
          <div className="row">
            <label className="row small">
              Folds
              <input
                type="number"
                min={MIN_FOLDS}
                max={MAX_FOLDS}
                step={1}
                value={Number.isFinite(folds) ? folds : ""}
                onChange={(e) => setFolds(e.target.value === "" ? NaN : Number(e.target.value))}
                aria-invalid={badFolds}
                data-testid="crossval-folds"
              />
            </label>
            <label className="row small" title="Each fold keeps every class's share of the training split">
              <input
                type="checkbox"
                checked={stratified}
                onChange={(e) => setStratified(e.target.checked)}
                data-testid="crossval-stratified"
              />
              Stratified
            </label>
          </div>
          {refusal && (
            <div className="train-errors" role="alert" data-testid="crossval-errors">
              <strong>The server refused the cross-validation.</strong> {refusal}
            </div>
          )}
          {reason && !base && (
            <p className="small muted" data-testid="crossval-disabled-reason">
              {reason}
            </p>
          )}
          <button
            className="crossval-submit"
            disabled={!!reason}
            onClick={start}
            data-testid="crossval-submit"
            title={reason ?? undefined}
          >
            {submitting ? "Starting…" : `Cross-validate ${badFolds ? "K" : folds} folds`}
          </button>
        </>
      )}
    </section>
  );
}
