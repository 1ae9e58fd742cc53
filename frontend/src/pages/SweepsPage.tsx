// /sweeps: a person's sweeps, newest first, with their progress and best value.
import { useCallback, useEffect, useState } from "react";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { formatDuration } from "../runs/progress";
import "../runs/runs.css";
import { SWEEP_FINISHED, sweepsApi, type SweepSummary } from "../sweeps/api";
import { shortTarget } from "../sweeps/charts";
import "../sweeps/sweep.css";
import { linkTo } from "./RunPage";
import { SweepStatus } from "./SweepPage";

export function SweepsPage() {
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  useEffect(() => {
    document.title = "Sweeps · Keras Canvas";
  }, []);
  return (
    <div className="run-page" data-testid="sweeps-page">
      <header className="toolbar run-toolbar">
        <a className="brand" href="/" onClick={linkTo("/")}>
          <span className="logo">K</span>
          <span className="brand-name">Keras Canvas</span>
        </a>
        <nav className="crumbs">
          <a href="/" onClick={linkTo("/")}>
            Editor
          </a>
          <span className="muted">/</span>
          <a href="/runs" onClick={linkTo("/runs")}>
            Runs
          </a>
          <span className="muted">/</span>
          <strong>Sweeps</strong>
        </nav>
        <span className="spacer" />
        {username && <span className="user-chip">{username}</span>}
      </header>
      <main className="run-main">
        {!checked ? null : username ? (
          <SweepsList />
        ) : (
          <div className="panel-card narrow">
            <h2>Log in to see your sweeps</h2>
            <AuthForm />
          </div>
        )}
      </main>
    </div>
  );
}

/** "best: trial 3", or "4 on the front" with two objectives. */
function bestOf(s: SweepSummary): string {
  if (!s.best.length) return "";
  return s.best.length > 1 || s.spec.objectives.length > 1
    ? `${s.best.length} on the front`
    : `best: trial ${s.best[0]}`;
}

function SweepsList() {
  const [sweeps, setSweeps] = useState<SweepSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    sweepsApi
      .list()
      .then((list) => {
        setSweeps(list);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  const busy = sweeps?.some((s) => !SWEEP_FINISHED.has(s.status)) ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [busy, load]);
  return (
    <section className="panel-card">
      <header className="chart-head">
        <h2>Sweeps</h2>
        <button onClick={load} data-testid="sweeps-refresh">
          Refresh
        </button>
      </header>
      {error && <p className="form-error">{error}</p>}
      {sweeps === null && !error && <p className="muted">Loading…</p>}
      {sweeps && sweeps.length === 0 && (
        <p className="muted" data-testid="sweeps-empty">
          No sweeps yet. In the{" "}
          <a href="/" onClick={linkTo("/")}>
            editor
          </a>
          , press ⚙ tune beside the numbers to search, then start one from the Train panel’s Sweep mode.
        </p>
      )}
      {sweeps && sweeps.length > 0 && (
        <div className="table-scroll">
          <table className="runs-table sweeps-table" data-testid="sweeps-table">
            <thead>
              <tr>
                <th>Sweep</th>
                <th>Status</th>
                <th>Dataset</th>
                <th>Searching</th>
                <th>Trials</th>
                <th>Objective</th>
                <th>Sampler</th>
                <th>Duration</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {sweeps.map((s) => {
                const done = s.counts.succeeded + s.counts.pruned + s.counts.failed + s.counts.cancelled;
                return (
                  <tr key={s.id} data-testid={`sweep-row-${s.id}`}>
                    <td>
                      <a
                        href={`/sweeps/${s.id}`}
                        onClick={linkTo(`/sweeps/${s.id}`)}
                        data-testid={`sweep-open-${s.id}`}
                      >
                        {s.name || "sweep"} #{s.id}
                      </a>
                    </td>
                    <td>
                      <SweepStatus status={s.status} testId={`sweep-row-status-${s.id}`} />
                    </td>
                    <td>{s.dataset.title || s.dataset.name}</td>
                    <td className="small">
                      {s.spec.space.map((d) => (
                        <code key={d.target} className="space-tag">
                          {shortTarget(d.target)}
                        </code>
                      ))}
                    </td>
                    <td className="num">
                      {done} / {Math.max(s.spec.trials, s.counts.total)}
                      {s.counts.pruned > 0 && (
                        <span className="muted small"> ({s.counts.pruned} pruned)</span>
                      )}
                    </td>
                    <td className="small">
                      {s.spec.objectives
                        .map((o) => `${o.direction === "maximize" ? "max" : "min"} ${o.metric}`)
                        .join(", ")}
                      {s.best.length > 0 && <span className="muted"> · {bestOf(s)}</span>}
                    </td>
                    <td>{s.spec.sampler}</td>
                    <td>{formatDuration(s.duration)}</td>
                    <td className="small">{s.created_at ? new Date(s.created_at).toLocaleString() : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
