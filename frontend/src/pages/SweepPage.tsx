// /sweeps/:id: one sweep, live (progress, the trials table, best so far, parallel coordinates,
// parameter importances, the Pareto front with two objectives), with Open as project, Train longer,
// Cancel and Delete.
import { useEffect, useMemo, useState } from "react";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { navigate } from "../router";
import { formatDuration } from "../runs/progress";
import "../runs/runs.css";
import { openTrialAsProject, trainLonger } from "../sweeps/actions";
import { ensemblesApi } from "../ensembles/api";
import { pickBest, progressOf, short, topTrials, valueOf, type SweepProgress } from "../sweeps/analysis";
import { SWEEP_FINISHED, sweepsApi, type Sweep } from "../sweeps/api";
import { BestCurve, Importances, ParallelCoordinates, ParetoScatter, shortTarget } from "../sweeps/charts";
import { describeDimension } from "../sweeps/space";
import "../sweeps/sweep.css";
import { TrialsTable } from "../sweeps/TrialsTable";
import { useSweepStream } from "../sweeps/useSweepStream";
import { notify } from "../ui/toast";
import { linkTo } from "./RunPage";

export function SweepPage({ id }: { id: string }) {
  const [view, replace] = useSweepStream(id);
  const sweep = view.sweep;
  useEffect(() => {
    document.title = sweep
      ? `${sweep.name || "Sweep"} #${sweep.id} (${sweep.status}) · Keras Canvas`
      : `Sweep ${id} · Keras Canvas`;
  }, [sweep, id]);
  return (
    <div
      className="run-page sweep-page"
      data-testid="sweep-page"
      data-connection={view.connection}
      data-status={sweep?.status}
    >
      <SweepHeader id={id} sweep={sweep} />
      <main className="run-main">
        {view.connection === "reconnecting" && sweep && !SWEEP_FINISHED.has(sweep.status) && (
          <div className="banner-warn" role="status" data-testid="sweep-reconnecting">
            Connection lost: reconnecting
            {view.info.delay ? ` in ${Math.ceil(view.info.delay / 1000)} s` : ""}… Nothing is lost: the sweep
            goes on on the workers.
          </div>
        )}
        {!sweep && view.error && (
          <div className="panel-card run-missing" data-testid="sweep-not-found">
            <h2>Cannot show sweep {id}</h2>
            <p>{view.error}</p>
            {view.info.code === 4401 ? (
              <AuthForm onDone={() => window.location.reload()} />
            ) : (
              <button onClick={() => navigate("/sweeps")}>All sweeps</button>
            )}
          </div>
        )}
        {!sweep && !view.error && <p className="muted pad">Loading sweep {id}…</p>}
        {sweep && <SweepBody sweep={sweep} replace={replace} />}
      </main>
    </div>
  );
}

function SweepHeader({ id, sweep }: { id: string; sweep: Sweep | null }) {
  const username = useSession((s) => s.username);
  return (
    <header className="toolbar run-toolbar">
      <a className="brand" href="/" onClick={linkTo("/")} title="Back to the editor">
        <span className="logo">K</span>
        <span className="brand-name">Keras Canvas</span>
      </a>
      <nav className="crumbs">
        <a href="/" onClick={linkTo("/")}>
          Editor
        </a>
        <span className="muted">/</span>
        <a href="/sweeps" onClick={linkTo("/sweeps")} data-testid="sweeps-link">
          Sweeps
        </a>
        <span className="muted">/</span>
        <strong>
          {sweep?.name || "sweep"} #{id}
        </strong>
      </nav>
      {sweep && <SweepStatus status={sweep.status} />}
      <span className="spacer" />
      {username && <span className="user-chip">{username}</span>}
    </header>
  );
}

export function SweepStatus({ status, testId = "sweep-status" }: { status: string; testId?: string }) {
  return (
    <span className={`run-status status-${status}`} data-testid={testId} data-status={status}>
      {status === "running" && <span className="pulse" />}
      {status}
    </span>
  );
}

/** Seconds since the epoch, ticking every second while `live`. */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

function SweepBody({ sweep, replace }: { sweep: Sweep; replace(s: Sweep): void }) {
  const finished = SWEEP_FINISHED.has(sweep.status);
  const now = useNow(!finished);
  const objectives = sweep.spec.objectives;
  const space = sweep.spec.space;
  const progress = useMemo(
    () =>
      progressOf(
        sweep.counts,
        sweep.spec.trials,
        sweep.spec.parallel,
        sweep.trials.filter((t) => t.duration !== null && t.status !== "running").map((t) => t.duration!),
      ),
    [sweep],
  );
  const best = pickBest(sweep);
  const top = topTrials(sweep, 3);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(name: string, fn: () => Promise<void>) {
    setBusy(name);
    try {
      await fn();
    } catch (e) {
      notify((e as Error).message, "error");
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <section className="panel-card sweep-summary">
        <div className="run-facts">
          <div>
            <span className="muted">Dataset</span>{" "}
            <strong data-testid="sweep-dataset">{sweep.dataset.title || sweep.dataset.name}</strong>
          </div>
          <div>
            <span className="muted">Sampler</span> <strong>{sweep.spec.sampler}</strong>
          </div>
          <div>
            <span className="muted">Pruner</span>{" "}
            <strong>
              {typeof sweep.spec.pruner === "string" ? sweep.spec.pruner : sweep.spec.pruner.name}
            </strong>
          </div>
          <div>
            <span className="muted">At once</span> <strong>{sweep.spec.parallel}</strong>
          </div>
          {sweep.spec.seed !== null && (
            <div>
              <span className="muted">Seed</span> <strong>{sweep.spec.seed}</strong>
            </div>
          )}
          <div>
            <span className="muted">Objective{objectives.length > 1 ? "s" : ""}</span>{" "}
            <strong>{objectives.map((o) => `${o.direction} ${o.metric} (${o.at})`).join(", ")}</strong>
          </div>
          <div title={`Open with: optuna-dashboard <database url>, study ${sweep.study}`}>
            <span className="muted">Study</span> <code>{sweep.study}</code>
          </div>
        </div>
        <Progress progress={progress} finished={finished} elapsed={sweep.duration} />
        {sweep.error && (
          <div className="form-error" role="alert">
            {sweep.error}
          </div>
        )}
        <div className="sweep-actions">
          {best ? (
            <div className="best-box" data-testid="sweep-best">
              <span className="muted">{objectives.length > 1 ? "Front's best" : "Best"}</span>{" "}
              <strong>trial {best.number}</strong>
              {objectives.map((o, i) => (
                <span key={i} className="best-value">
                  {o.metric} <strong>{valueOf(best, i) === null ? "–" : short(valueOf(best, i)!)}</strong>
                </span>
              ))}
              <span className="best-params small">
                {space
                  .map((d) => `${shortTarget(d.target)} ${formatValue(best.params[d.target])}`)
                  .join(" · ")}
              </span>
            </div>
          ) : (
            <span className="muted">No finished trial yet.</span>
          )}
          <div className="action-buttons">
            <button
              data-testid="sweep-open-best"
              disabled={!best || !!busy}
              onClick={() => best && act("open", () => openTrialAsProject(sweep, best))}
              title="Put the best trial's graph and settings in the editor"
            >
              {busy === "open" ? "Opening…" : "Open as project"}
            </button>
            <button
              data-testid="sweep-train-longer"
              disabled={!best || !!busy}
              title="Train the best trial again with twice the epochs"
              onClick={() =>
                best &&
                act("longer", async () => {
                  const run = await trainLonger(sweep, best);
                  navigate(`/runs/${run}`);
                })
              }
            >
              {busy === "longer" ? "Starting…" : "Train longer (×2 epochs)"}
            </button>
            <button
              data-testid="sweep-ensemble-top"
              disabled={top.length < 2 || !!busy}
              title={
                top.length < 2
                  ? "Needs at least two succeeded trials"
                  : `One model averaging trials ${top.map((t) => t.number).join(", ")} (weights fitted on the validation split)`
              }
              onClick={() =>
                act("ensemble", async () => {
                  const created = await ensemblesApi.create({
                    runs: top.map((t) => t.run!),
                    weights: "optimize",
                    name: `sweep ${sweep.id} top ${top.length}`,
                  });
                  navigate(`/ensembles/${created.id}`);
                })
              }
            >
              {busy === "ensemble" ? "Starting…" : `Ensemble the top ${Math.max(top.length, 2)}`}
            </button>
            {!finished && (
              <button
                data-testid="sweep-cancel"
                disabled={!!busy}
                onClick={() => act("cancel", async () => replace(await sweepsApi.cancel(sweep.id)))}
              >
                {busy === "cancel" ? "Cancelling…" : "Cancel"}
              </button>
            )}
            <button
              className="danger"
              data-testid="sweep-delete"
              disabled={!!busy}
              onClick={() => {
                if (!window.confirm(`Delete sweep #${sweep.id} and its ${sweep.trials.length} trial runs?`))
                  return;
                act("delete", async () => {
                  await sweepsApi.remove(sweep.id);
                  notify(`Sweep #${sweep.id} deleted.`);
                  navigate("/sweeps");
                });
              }}
            >
              Delete
            </button>
          </div>
        </div>
      </section>

      <section className="panel-card">
        <header className="chart-head">
          <h3>Trials</h3>
          <span className="muted small">
            {space.map((d) => (
              <span key={d.target} className="space-chip" title={d.target}>
                <code>{shortTarget(d.target)}</code> {describeDimension(d)}
              </span>
            ))}
          </span>
        </header>
        {sweep.trials.length ? (
          <TrialsTable
            trials={sweep.trials}
            space={space}
            objectives={objectives}
            best={sweep.best}
            now={now}
          />
        ) : (
          <p className="muted" data-testid="trials-empty">
            The first trials are being queued…
          </p>
        )}
      </section>

      <div className="sweep-charts">
        <section className="panel-card">
          <header className="chart-head">
            <h3>Best so far</h3>
            <span className="muted small">{objectives[0].metric}</span>
          </header>
          <BestCurve trials={sweep.trials} objective={objectives[0]} />
        </section>
        <section className="panel-card">
          <header className="chart-head">
            <h3>Parameter importance</h3>
            <span className="muted small">Optuna’s fANOVA estimate</span>
          </header>
          <Importances importances={sweep.importances} />
        </section>
      </div>
      {objectives.length > 1 && (
        <section className="panel-card">
          <header className="chart-head">
            <h3>Pareto front</h3>
            <span className="muted small">filled: no other trial is better in both</span>
          </header>
          <ParetoScatter trials={sweep.trials} objectives={objectives} />
        </section>
      )}
      <section className="panel-card">
        <header className="chart-head">
          <h3>Parameters against {objectives[0].metric}</h3>
          <span className="muted small">one line per trial; deeper colour: better; dashed: no value</span>
        </header>
        <ParallelCoordinates
          trials={sweep.trials}
          space={space}
          objective={objectives[0]}
          best={sweep.best}
        />
      </section>
    </>
  );
}

function formatValue(v: unknown): string {
  if (typeof v === "number") return short(v);
  if (v === null) return "None";
  return String(v);
}

function Progress({
  progress,
  finished,
  elapsed,
}: {
  progress: SweepProgress;
  finished: boolean;
  elapsed: number | null;
}) {
  const p = progress;
  const pct = (n: number) => `${p.total ? (n / p.total) * 100 : 0}%`;
  return (
    <div className="sweep-progress" data-testid="sweep-progress" data-done={p.done} data-total={p.total}>
      <div className="segbar" aria-label={`${p.done} of ${p.total} trials done`}>
        <span className="seg seg-succeeded" style={{ width: pct(p.succeeded) }} />
        <span className="seg seg-pruned" style={{ width: pct(p.pruned) }} />
        <span className="seg seg-failed" style={{ width: pct(p.failed) }} />
        <span className="seg seg-cancelled" style={{ width: pct(p.cancelled) }} />
        <span className="seg seg-running" style={{ width: pct(p.running) }} />
      </div>
      <div className="progress-legend small">
        <strong data-testid="sweep-done">
          {p.done} / {p.total} done
        </strong>
        <Legend kind="running" n={p.running} label="running" />
        <Legend kind="queued" n={p.queued} label="queued" />
        <Legend kind="succeeded" n={p.succeeded} label="complete" />
        <Legend kind="pruned" n={p.pruned} label="pruned" />
        <Legend kind="failed" n={p.failed} label="failed" />
        {p.cancelled > 0 && <Legend kind="cancelled" n={p.cancelled} label="cancelled" />}
        <span className="spacer" />
        {!finished && p.eta !== null && p.eta > 0 && (
          <span data-testid="sweep-eta">about {formatDuration(p.eta)} left</span>
        )}
        {elapsed !== null && (
          <span className="muted">
            {finished ? "took" : "elapsed"} {formatDuration(elapsed)}
          </span>
        )}
      </div>
    </div>
  );
}

function Legend({ kind, n, label }: { kind: string; n: number; label: string }) {
  return (
    <span className="legend-item" data-testid={`sweep-count-${kind}`} data-count={n}>
      <span className={`dot seg-${kind}`} /> {n} {label}
    </span>
  );
}
