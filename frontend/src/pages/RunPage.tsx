// /runs/:id: one run, live while it trains (charts, progress, cancel), its results when done.
import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { FINISHED, runsApi, type Run, type RunStatus } from "../api/runs";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { LrChart, MetricChart } from "../runs/charts";
import { SystemChart } from "../runs/SystemChart";
import { eta, formatDuration, formatRate, fractionDone, samplesPerSecond } from "../runs/progress";
import { ConfusionMatrix, SampleGrid, TestMetrics } from "../runs/results";
import { ProjectLink } from "../runs/ProjectLink";
import { Downloads } from "../runs/use/Downloads";
import { TryIt } from "../runs/use/TryIt";
import type { RunStream, RunView } from "../runs/stream";
import { useChartKeys, useRunStream } from "../runs/useRunStream";
import "../runs/runs.css";
import { navigate } from "../router";
import { summariseSettings } from "../train/settings";
import { notify } from "../ui/toast";

export function RunPage({ id }: { id: string }) {
  const { stream, view } = useRunStream(id);
  const run = view.run;
  useEffect(() => {
    document.title = run
      ? `${run.name || "Run"} #${run.id} (${view.status}) · Keras Canvas`
      : `Run ${id} · Keras Canvas`;
  }, [run, view.status, id]);

  return (
    <div
      className="run-page"
      data-testid="run-page"
      data-connection={view.connection}
      data-snapshots={view.snapshots}
    >
      <RunHeader id={id} run={run} status={view.status} />
      <main className="run-main">
        {view.connection === "reconnecting" && !(view.status && FINISHED.has(view.status)) && (
          <div className="banner-warn" data-testid="run-reconnecting" role="status">
            Connection lost: reconnecting
            {view.connectionInfo.delay ? ` in ${Math.ceil(view.connectionInfo.delay / 1000)} s` : ""}… The
            charts come back whole when it does.
          </div>
        )}
        {!run && view.connection === "closed" && view.error && (
          <div className="panel-card run-missing" data-testid="run-not-found">
            <h2>Cannot show run {id}</h2>
            <p>{view.error}</p>
            {view.connectionInfo.code === 4401 ? (
              <AuthForm onDone={() => window.location.reload()} />
            ) : (
              <button onClick={() => navigate("/runs")}>All runs</button>
            )}
          </div>
        )}
        {!run && !view.error && <p className="muted pad">Loading run {id}…</p>}
        {run && <RunBody stream={stream} view={view} run={run} />}
      </main>
    </div>
  );
}

function RunHeader({ id, run, status }: { id: string; run: Run | null; status: RunStatus | null }) {
  const username = useSession((s) => s.username);
  return (
    <header className="toolbar run-toolbar">
      <a className="brand" href="/" onClick={linkTo("/")} title="Back to the editor">
        <span className="logo">K</span>
        <span className="brand-name">Keras Canvas</span>
      </a>
      <nav className="crumbs">
        <a href="/" onClick={linkTo("/")} data-testid="run-back-editor">
          Editor
        </a>
        <span className="muted">/</span>
        <a
          href={run?.project ? `/runs?project=${run.project}` : "/runs"}
          onClick={linkTo(run?.project ? `/runs?project=${run.project}` : "/runs")}
          data-testid="runs-link"
        >
          Runs
        </a>
        <span className="muted">/</span>
        <strong>
          {run?.name || "run"} #{id}
        </strong>
      </nav>
      {status && <StatusBadge status={status} />}
      <span className="spacer" />
      {username && <span className="user-chip">{username}</span>}
    </header>
  );
}

export function linkTo(path: string) {
  return (e: React.MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(path);
  };
}

export function StatusBadge({ status, testId = "run-status" }: { status: RunStatus; testId?: string }) {
  return (
    <span className={`run-status status-${status}`} data-testid={testId} data-status={status}>
      {status === "running" && <span className="pulse" />}
      {status}
    </span>
  );
}

function RunBody({ stream, view, run }: { stream: RunStream; view: RunView; run: Run }) {
  const keys = useChartKeys(stream);
  const status = view.status ?? run.status;
  const finished = FINISHED.has(status);
  const epochsPlanned = run.training?.epochs ?? 0;
  const epochs = useCallback(() => epochsPlanned, [epochsPlanned]);
  return (
    <>
      <section className="panel-card run-summary">
        <div className="run-facts">
          <div>
            <span className="muted">Dataset</span>{" "}
            <strong data-testid="run-dataset">{run.dataset?.title || run.dataset?.name}</strong>
          </div>
          <div>
            <span className="muted">Settings</span>{" "}
            <span data-testid="run-settings">{summariseSettings(run.training)}</span>
          </div>
          <ProjectLink project={run.project} version={run.project_version ?? null} />
          <div>
            <span className="muted">Started</span>{" "}
            {run.started_at ? new Date(run.started_at).toLocaleString() : "not yet"}
          </div>
          {run.worker && (
            <div>
              <span className="muted">Worker</span> {run.worker}
            </div>
          )}
        </div>
        <Progress view={view} run={run} />
        {(view.error || run.error) && status === "failed" && (
          <div className="run-error" data-testid="run-error" role="alert">
            <strong>Training failed.</strong> {run.error || view.error}
          </div>
        )}
        {status === "cancelled" && (
          <p className="muted" data-testid="run-cancelled-note">
            Cancelled after {run.epochs_done} epoch{run.epochs_done === 1 ? "" : "s"}; the epochs done{" "}
            {run.has_model ? "and the model are" : "are"} kept.
          </p>
        )}
      </section>

      <div className="charts-grid">
        {keys.length === 0 && (
          <div className="panel-card chart-placeholder muted" data-testid="charts-waiting">
            {finished ? "No metrics were recorded." : "Waiting for the first batch…"}
          </div>
        )}
        {keys.map((key) => (
          <MetricChart key={key} stream={stream} metric={key} epochs={epochs} />
        ))}
        {keys.length > 0 && <LrChart stream={stream} epochs={epochs} />}
        {(run.system?.length ?? 0) > 0 && <SystemChart samples={run.system ?? []} />}
      </div>

      {finished && (
        <div className="results">
          {run.test && Object.keys(run.test).length > 0 && <TestMetrics test={run.test} />}
          {status === "succeeded" && run.has_model && <TryIt run={run} />}
          {run.confusion && <ConfusionMatrix confusion={run.confusion} />}
          {run.samples && run.samples.length > 0 && <SampleGrid samples={run.samples} />}
          <Downloads run={run} />
        </div>
      )}
    </>
  );
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function Progress({ view, run }: { view: RunView; run: Run }) {
  const status = view.status ?? run.status;
  const active = status === "running" || status === "queued";
  const now = useNow(active);
  const [cancelling, setCancelling] = useState(false);
  const planned = run.training?.epochs ?? 0;
  const position = view.position;
  const fraction =
    status === "succeeded" ? 1 : position ? fractionDone(position) : planned ? run.epochs_done / planned : 0;
  const seconds = (run.history ?? []).map((h) => h.seconds ?? NaN);
  const left =
    status === "running" && position
      ? eta(position, { stepsPerSecond: view.stepsPerSecond, epochSeconds: seconds })
      : null;
  const sps = samplesPerSecond(view.stepsPerSecond, run.training?.batch_size ?? 0);
  let elapsed: number | null = run.duration ?? null;
  if (status === "running" && run.started_at) {
    elapsed = now / 1000 + view.clockOffset - Date.parse(run.started_at) / 1000;
  }

  async function cancel() {
    setCancelling(true);
    try {
      await runsApi.cancel(run.id);
      notify("Cancelling: the run stops after its current batch.", "info");
    } catch (e) {
      notify(`Cancel failed: ${e instanceof ApiError ? e.message : String(e)}`, "error");
      setCancelling(false);
    }
  }

  const cancelRequested = cancelling || run.cancel_requested;
  return (
    <div className="run-progress" data-testid="run-progress" data-fraction={fraction.toFixed(4)}>
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div
          className={`progress-fill status-${status}`}
          style={{ width: `${(fraction * 100).toFixed(1)}%` }}
        />
      </div>
      <div className="progress-facts">
        <span data-testid="run-epoch">
          Epoch{" "}
          <strong>{position ? Math.min(position.epoch, planned || position.epoch) : run.epochs_done}</strong>/
          {planned || "?"}
        </span>
        {position && position.steps > 1 && status === "running" && (
          <span data-testid="run-step">
            Step <strong>{position.step}</strong>/{position.steps}
          </span>
        )}
        {status === "running" && (
          <span data-testid="run-speed">
            <strong>{formatRate(sps)}</strong> samples/s
          </span>
        )}
        <span data-testid="run-elapsed">
          Elapsed <strong>{formatDuration(elapsed)}</strong>
        </span>
        {status === "running" && (
          <span data-testid="run-eta">
            ETA <strong>{formatDuration(left)}</strong>
          </span>
        )}
        {status === "queued" && <span className="muted">Waiting for a worker…</span>}
        <span className="spacer" />
        {active && (
          <button className="danger" data-testid="run-cancel" onClick={cancel} disabled={cancelRequested}>
            {cancelRequested ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
    </div>
  );
}
