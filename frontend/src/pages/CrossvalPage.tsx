// /crossval/:id: a K-fold cross-validation, followed live (GET polled): each fold's run, the fold
// curves of a metric overlaid with their mean ± standard deviation band, the statistics of the last
// and best epochs over the folds, and the test ensemble of the K fold models (its page, its download).
import { useCallback, useEffect, useMemo, useState } from "react";
import { AuthForm } from "../auth/AuthForm";
import { crossvalApi, ensemblesApi } from "../ensembles/api";
import { curveOf } from "../ensembles/band";
import { formatValue, isFraction } from "../ensembles/compare";
import "../ensembles/ensembles.css";
import { FoldChart } from "../ensembles/FoldChart";
import { gainText, headline, metricOrder } from "../ensembles/format";
import { Badge, PageHeader } from "../ensembles/parts";
import { CROSSVAL_FINISHED, type Crossval, type FoldStats } from "../ensembles/types";
import { usePolled } from "../ensembles/usePolled";
import { navigate } from "../router";
import { PALETTE } from "../runs/charts";
import "../runs/runs.css";
import { summariseSettings } from "../train/settings";
import { notify } from "../ui/toast";
import { linkTo } from "./RunPage";

export function CrossvalPage({ id }: { id: string }) {
  const load = useCallback(() => crossvalApi.get(id), [id]);
  const polled = usePolled(load, CROSSVAL_FINISHED);
  const xv = polled.data;
  useEffect(() => {
    document.title = xv
      ? `${xv.name || "Cross-validation"} #${xv.id} (${xv.status}) · Keras Canvas`
      : `Cross-validation ${id} · Keras Canvas`;
  }, [xv, id]);
  const runsPath = xv?.project != null ? `/runs?project=${xv.project}` : "/runs";
  return (
    <div className="run-page crossval-page" data-testid="crossval-page" data-status={xv?.status}>
      <PageHeader
        crumbs={[{ label: "Runs", path: runsPath, testId: "runs-link" }]}
        title={`${xv?.name || "cross-validation"} #${id}`}
        status={xv?.status}
      />
      <main className="run-main">
        {polled.error && xv && !polled.final && (
          <div className="banner-warn" role="status">
            Cannot reach the server ({polled.error}); trying again…
          </div>
        )}
        {!xv && polled.final && (
          <div className="panel-card run-missing" data-testid="crossval-not-found">
            <h2>Cannot show cross-validation {id}</h2>
            <p>{polled.error}</p>
            {polled.final === 401 ? (
              <AuthForm onDone={() => window.location.reload()} />
            ) : (
              <button onClick={() => navigate("/runs")}>All runs</button>
            )}
          </div>
        )}
        {!xv && !polled.final && <p className="muted pad">Loading cross-validation {id}…</p>}
        {xv && <CrossvalBody xv={xv} />}
      </main>
    </div>
  );
}

function pm(stats: FoldStats | null | undefined, metric: string): string {
  if (!stats || stats.mean === null) return "–";
  const std = stats.std ?? 0;
  if (isFraction(metric)) return `${(stats.mean * 100).toFixed(2)}% ± ${(std * 100).toFixed(2)} pp`;
  return `${formatValue(metric, stats.mean)} ± ${formatValue(metric, std)}`;
}

function CrossvalBody({ xv }: { xv: Crossval }) {
  const metrics = useMemo(() => {
    const names = new Set<string>();
    for (const f of xv.fold_runs)
      for (const h of f.history ?? []) for (const k of Object.keys(h.metrics ?? {})) names.add(k);
    return metricOrder([...names]);
  }, [xv]);
  const preferred = xv.best_by ?? "val_loss";
  const [metric, setMetric] = useState<string | null>(null);
  const chosen =
    metric && metrics.includes(metric)
      ? metric
      : metrics.includes(preferred)
        ? preferred
        : (metrics[0] ?? preferred);
  const curves = useMemo(() => xv.fold_runs.map((f) => curveOf(f.history, chosen)), [xv, chosen]);
  const epochs = Number(xv.training?.epochs ?? 0) || 1;
  const done = xv.fold_runs.filter((f) => f.status === "succeeded").length;
  const statsNames = metricOrder(Object.keys(xv.metrics ?? {}));
  const [deleting, setDeleting] = useState(false);

  async function remove() {
    if (!window.confirm(`Delete cross-validation #${xv.id}, its ${xv.folds} fold runs and its ensemble?`))
      return;
    setDeleting(true);
    try {
      await crossvalApi.remove(xv.id);
      notify(`Cross-validation #${xv.id} deleted.`, "info");
      navigate("/runs");
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
            <strong data-testid="crossval-dataset">{xv.dataset?.title || xv.dataset?.name}</strong>
          </div>
          <div>
            <span className="muted">Folds</span>{" "}
            <strong data-testid="crossval-folds">
              {xv.folds}
              {xv.stratified ? ", stratified" : ""}
            </strong>
          </div>
          <div>
            <span className="muted">Settings</span> <span>{summariseSettings(xv.training)}</span>
          </div>
          <div>
            <span className="muted">Done</span>{" "}
            <strong data-testid="crossval-done">
              {done} / {xv.folds}
            </strong>
          </div>
          <span className="spacer" />
          <button className="danger small" onClick={remove} disabled={deleting} data-testid="crossval-delete">
            Delete
          </button>
        </div>
        <p className="muted small">
          Each fold trains on the other {xv.folds - 1} parts of the training split and validates on its own
          held-out part; the test split is used only to score the {xv.folds} fold models together at the end.
        </p>
        <div className="fold-chips">
          {xv.fold_runs.map((f, i) => (
            <a
              key={f.run}
              className="fold-chip"
              href={`/runs/${f.run}`}
              onClick={linkTo(`/runs/${f.run}`)}
              data-status={f.status}
              data-testid={`fold-${f.fold}`}
            >
              <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />
              <strong>fold {f.fold + 1}</strong> run #{f.run}
              <span className="fold-state">
                {f.status === "running" ? `epoch ${f.epochs_done}/${epochs}` : f.status}
              </span>
            </a>
          ))}
        </div>
        {xv.status === "failed" && (
          <div className="run-error" role="alert" data-testid="crossval-error">
            <strong>The cross-validation failed.</strong> {xv.error}
          </div>
        )}
      </section>

      <section className="panel-card">
        <header className="chart-head">
          <h3>Fold curves</h3>
          <label className="small">
            Metric{" "}
            <select value={chosen} onChange={(e) => setMetric(e.target.value)} data-testid="crossval-metric">
              {metrics.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <span className="muted small">
            <span className="band-swatch" /> mean ± standard deviation over the folds
          </span>
        </header>
        {metrics.length ? (
          <FoldChart curves={curves} metric={chosen} epochs={epochs} />
        ) : (
          <p className="muted chart-placeholder">Waiting for the first epoch of a fold…</p>
        )}
      </section>

      <div className="compare-grid">
        <section className="panel-card" data-testid="crossval-stats">
          <header className="chart-head">
            <h3>Over the folds</h3>
            <span className="muted small">
              mean ± std (population) of each fold's last epoch and best epoch
              {xv.best_by ? ` (by ${xv.best_by})` : ""}
            </span>
          </header>
          {statsNames.length ? (
            <div className="table-scroll">
              <table className="runs-table stats-table">
                <thead>
                  <tr>
                    <th>Metric</th>
                    <th className="num">Last epoch</th>
                    <th className="num">Best epoch</th>
                    <th className="num">Per fold (best)</th>
                  </tr>
                </thead>
                <tbody>
                  {statsNames.map((name) => (
                    <tr key={name} data-testid={`crossval-stat-${name}`}>
                      <td>{name.replace(/_/g, " ")}</td>
                      <td className="num" data-testid={`crossval-last-${name}`}>
                        {pm(xv.metrics[name]?.last, name)}
                      </td>
                      <td className="num" data-testid={`crossval-best-${name}`}>
                        {pm(xv.metrics[name]?.best, name)}
                      </td>
                      <td className="num small muted">
                        {(xv.metrics[name]?.best?.values ?? []).map((v) => formatValue(name, v)).join(" · ")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted small">Once a fold has finished.</p>
          )}
        </section>
        <TestEnsemble xv={xv} />
      </div>
    </>
  );
}

function TestEnsemble({ xv }: { xv: Crossval }) {
  const e = xv.ensemble;
  const top = e ? headline(e.test, e.gain) : null;
  return (
    <section className="panel-card" data-testid="crossval-ensemble">
      <header className="chart-head">
        <h3>Test ensemble</h3>
        {e && <Badge status={e.status} testId="crossval-ensemble-status" />}
      </header>
      {!e && (
        <p className="muted">
          When every fold has succeeded, the {xv.folds} fold models are averaged (equal weights) and scored on
          the test split.
        </p>
      )}
      {e && !top && e.status !== "failed" && (
        <div className="ensemble-waiting" role="status">
          <span className="progress-bar indeterminate" />
          <span>Scoring the {xv.folds} fold models on the test split…</span>
        </div>
      )}
      {e && (
        <div className="xv-ensemble">
          {top && (
            <div className="metric-tile main" style={{ borderColor: "#c9d6f6", background: "#f5f8ff" }}>
              <span className="metric-name">Ensemble test {top[0].replace(/_/g, " ")}</span>
              <strong
                className="metric-value"
                style={{ color: "var(--primary)" }}
                data-testid="crossval-ensemble-accuracy"
              >
                {formatValue(top[0], top[1])}
              </strong>
            </div>
          )}
          {e.gain && e.gain.value !== null && (
            <div className="metric-tile">
              <span className="metric-name">Over the best fold model</span>
              <strong
                className={`metric-value ${e.gain.value > 0 ? "gain-up" : e.gain.value < 0 ? "gain-down" : ""}`}
              >
                {gainText(e.gain)}
              </strong>
            </div>
          )}
          <div className="ensemble-actions">
            <a
              className="button"
              href={`/ensembles/${e.id}`}
              onClick={linkTo(`/ensembles/${e.id}`)}
              data-testid="crossval-ensemble-link"
            >
              Open the ensemble
            </a>
            {e.has_model && (
              <a
                className="button primary"
                href={ensemblesApi.modelUrl(e.id)}
                download
                data-testid="crossval-ensemble-download"
              >
                Download .keras
              </a>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
