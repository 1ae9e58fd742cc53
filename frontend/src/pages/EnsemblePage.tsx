// /ensembles/:id: an ensemble of runs, followed live while its worker evaluates it (GET polled):
// the headline (its test metric, the best member's, the gain), the members with their weights and
// test metrics against the ensemble's, the confusion matrix, where the members disagree, the
// download of the .keras model, and Delete.
import { useCallback, useEffect, useState } from "react";
import { AuthForm } from "../auth/AuthForm";
import { ensemblesApi } from "../ensembles/api";
import "../ensembles/ensembles.css";
import { formatValue } from "../ensembles/compare";
import { gainText, headline, weightsSource } from "../ensembles/format";
import { DisagreementSamples, MembersTable, MetricBars, PageHeader } from "../ensembles/parts";
import { ENSEMBLE_FINISHED, type Ensemble } from "../ensembles/types";
import { usePolled } from "../ensembles/usePolled";
import { navigate } from "../router";
import { formatDuration } from "../runs/progress";
import { ConfusionMatrix } from "../runs/results";
import "../runs/runs.css";
import { notify } from "../ui/toast";
import { linkTo } from "./RunPage";

export function EnsemblePage({ id }: { id: string }) {
  const load = useCallback(() => ensemblesApi.get(id), [id]);
  const polled = usePolled(load, ENSEMBLE_FINISHED);
  const ensemble = polled.data;
  useEffect(() => {
    document.title = ensemble
      ? `${ensemble.name || "Ensemble"} #${ensemble.id} (${ensemble.status}) · Keras Canvas`
      : `Ensemble ${id} · Keras Canvas`;
  }, [ensemble, id]);
  const crumbs: { label: string; path: string; testId?: string }[] = [
    { label: "Runs", path: "/runs", testId: "runs-link" },
  ];
  if (ensemble?.crossval != null)
    crumbs.push({ label: `Cross-validation #${ensemble.crossval}`, path: `/crossval/${ensemble.crossval}` });
  return (
    <div className="run-page ensemble-page" data-testid="ensemble-page" data-status={ensemble?.status}>
      <PageHeader
        crumbs={crumbs}
        title={`${ensemble?.name || "ensemble"} #${id}`}
        status={ensemble?.status}
      />
      <main className="run-main">
        {polled.error && ensemble && !polled.final && (
          <div className="banner-warn" role="status">
            Cannot reach the server ({polled.error}); trying again…
          </div>
        )}
        {!ensemble && polled.final && (
          <div className="panel-card run-missing" data-testid="ensemble-not-found">
            <h2>Cannot show ensemble {id}</h2>
            <p>{polled.error}</p>
            {polled.final === 401 ? (
              <AuthForm onDone={() => window.location.reload()} />
            ) : (
              <button onClick={() => navigate("/runs")}>All runs</button>
            )}
          </div>
        )}
        {!ensemble && !polled.final && <p className="muted pad">Loading ensemble {id}…</p>}
        {ensemble && <EnsembleBody ensemble={ensemble} />}
      </main>
    </div>
  );
}

function EnsembleBody({ ensemble }: { ensemble: Ensemble }) {
  const finished = ENSEMBLE_FINISHED.has(ensemble.status);
  const top = headline(ensemble.test, ensemble.gain);
  const gain = ensemble.gain;
  const bestRun = gain?.best_run ?? null;
  const [deleting, setDeleting] = useState(false);

  async function remove() {
    if (!window.confirm(`Delete ensemble #${ensemble.id} and its model? Its member runs stay.`)) return;
    setDeleting(true);
    try {
      await ensemblesApi.remove(ensemble.id);
      notify(`Ensemble #${ensemble.id} deleted.`, "info");
      navigate(ensemble.crossval != null ? `/crossval/${ensemble.crossval}` : "/runs");
    } catch (e) {
      notify((e as Error).message, "error");
      setDeleting(false);
    }
  }

  return (
    <>
      <section className="panel-card ensemble-summary">
        <div className="run-facts">
          <div>
            <span className="muted">Dataset</span>{" "}
            <strong data-testid="ensemble-dataset">
              {ensemble.dataset?.title || ensemble.dataset?.name}
            </strong>
          </div>
          <div>
            <span className="muted">Members</span> <strong>{ensemble.members.length}</strong>
          </div>
          <div data-testid="ensemble-weights-from">
            <span className="muted">Weights</span>{" "}
            <strong>{weightsSource(ensemble.weights_from, ensemble.validation?.samples)}</strong>
          </div>
          {ensemble.outputs.length > 0 && (
            <div>
              <span className="muted">Output{ensemble.outputs.length > 1 ? "s" : ""}</span>{" "}
              {ensemble.outputs
                .map(
                  (o) =>
                    `${o.name} (${o.kind === "classification" ? `${o.classes} classes, probabilities averaged` : "values averaged"})`,
                )
                .join(", ")}
            </div>
          )}
          {ensemble.crossval != null && (
            <div>
              <span className="muted">From</span>{" "}
              <a href={`/crossval/${ensemble.crossval}`} onClick={linkTo(`/crossval/${ensemble.crossval}`)}>
                cross-validation #{ensemble.crossval}
              </a>
            </div>
          )}
          {finished && (
            <div>
              <span className="muted">Evaluated in</span> {formatDuration(ensemble.duration)}
            </div>
          )}
        </div>
        {ensemble.validation?.note && <p className="muted small">{ensemble.validation.note}</p>}
        {!finished && (
          <div className="ensemble-waiting" data-testid="ensemble-waiting" role="status">
            <span className="progress-bar indeterminate" />
            <span>
              {ensemble.status === "queued"
                ? "Waiting for a worker…"
                : `Evaluating ${ensemble.members.length} members and the ensemble on the test split${
                    ensemble.weights_mode === "optimize"
                      ? " (weights fitted on the validation split first)"
                      : ""
                  }…`}
            </span>
          </div>
        )}
        {ensemble.status === "failed" && (
          <div className="run-error" role="alert" data-testid="ensemble-error">
            <strong>The evaluation failed.</strong> {ensemble.error}
          </div>
        )}
        <div className="ensemble-headline">
          {top && (
            <div className="metric-tile main" data-testid="ensemble-headline">
              <span className="metric-name">Ensemble test {top[0].replace(/_/g, " ")}</span>
              <strong className="metric-value" data-testid="ensemble-accuracy">
                {formatValue(top[0], top[1])}
              </strong>
            </div>
          )}
          {gain && gain.best_member !== null && (
            <div className="metric-tile">
              <span className="metric-name">Best member {bestRun !== null ? `(#${bestRun})` : ""}</span>
              <strong className="metric-value">{formatValue(gain.metric, gain.best_member)}</strong>
            </div>
          )}
          {gain && gain.value !== null && (
            <div
              className={`metric-tile ${gain.value > 0 ? "up" : gain.value < 0 ? "down" : ""}`}
              data-testid="ensemble-gain"
            >
              <span className="metric-name">Gain over the best member</span>
              <strong className="metric-value">{gainText(gain)}</strong>
              <span className="metric-note">
                {gain.value > 0
                  ? "the ensemble is better"
                  : gain.value < 0
                    ? "a member is better"
                    : "the same"}
              </span>
            </div>
          )}
          <div className="ensemble-actions">
            {ensemble.has_model ? (
              <a
                className="button primary"
                href={ensemblesApi.modelUrl(ensemble.id)}
                download
                data-testid="ensemble-download"
                title="One .keras file: the members as nested models and a weighted average per Output; keras.saving.load_model loads it"
              >
                Download .keras
              </a>
            ) : (
              <span className="button disabled" title="Once the evaluation has succeeded">
                Download .keras
              </span>
            )}
            <button className="danger" onClick={remove} disabled={deleting} data-testid="ensemble-delete">
              Delete
            </button>
          </div>
        </div>
      </section>

      <div className="results">
        {gain && ensemble.test && (
          <div className="compare-grid">
            <MetricBars ensemble={ensemble} metric={gain.metric} />
            {"loss" in ensemble.test && gain.metric !== "loss" ? (
              <MetricBars ensemble={ensemble} metric="loss" />
            ) : (
              <span />
            )}
          </div>
        )}
        <MembersTable ensemble={ensemble} />
        {ensemble.confusion && <ConfusionMatrix confusion={ensemble.confusion} />}
        {ensemble.disagreements && <DisagreementSamples d={ensemble.disagreements} ensemble={ensemble} />}
      </div>
    </>
  );
}
