// /runs: a person's runs (filtered by project), several selected to overlay their curves.
import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "../api/client";
import { FINISHED, runsApi, type Run, type RunSummary } from "../api/runs";
import type { ProjectSummary } from "../api/types";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { EnsembleBuilder } from "../ensembles/EnsembleBuilder";
import { EnsemblesList } from "../ensembles/EnsemblesList";
import { clickRow, EMPTY_SELECTION, keepShown, type Selection } from "../ensembles/selection";
import { CompareChart, PALETTE, type CompareLine } from "../runs/charts";
import { formatDuration } from "../runs/progress";
import { formatMetric } from "../runs/results";
import "../runs/runs.css";
import "../sweeps/sweep.css";
import { summariseSettings } from "../train/settings";
import { linkTo, StatusBadge } from "./RunPage";

function projectFromUrl(): number | null {
  const value = new URLSearchParams(window.location.search).get("project");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

export function RunsPage() {
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  useEffect(() => {
    document.title = "Runs · Keras Canvas";
  }, []);
  return (
    <div className="run-page">
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
          <strong>Runs</strong>
        </nav>
        <span className="spacer" />
        <a className="header-link" href="/sweeps" onClick={linkTo("/sweeps")} data-testid="runs-sweeps-link">
          Sweeps
        </a>
        {username && <span className="user-chip">{username}</span>}
      </header>
      <main className="run-main">
        {!checked ? null : username ? (
          <RunsList />
        ) : (
          <div className="panel-card narrow">
            <h2>Log in to see your runs</h2>
            <AuthForm />
          </div>
        )}
      </main>
    </div>
  );
}

function RunsList() {
  const [project, setProject] = useState<number | null>(projectFromUrl);
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const selected = selection.ids;
  // The run a refused ensemble names, marked in the table.
  const [refused, setRefused] = useState<number | null>(null);

  const load = useCallback(() => {
    runsApi
      .runs({ project })
      .then((list) => {
        setRuns(list);
        setSelection((s) =>
          keepShown(
            s,
            list.map((r) => r.id),
          ),
        );
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [project]);

  useEffect(() => {
    load();
    api
      .projects()
      .then(setProjects)
      .catch(() => setProjects([]));
  }, [load]);

  // Refresh while something is still going on.
  const busy = runs?.some((r) => !FINISHED.has(r.status)) ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [busy, load]);

  function chooseProject(value: string) {
    const next = value ? Number(value) : null;
    setProject(next);
    setSelection(EMPTY_SELECTION);
    setRefused(null);
    const url = next === null ? "/runs" : `/runs?project=${next}`;
    window.history.replaceState(null, "", url);
  }

  // Shift-click ticks (or unticks) every row from the last one clicked.
  function toggle(id: number, shift: boolean) {
    const order = (runs ?? []).map((r) => r.id);
    setSelection((s) => clickRow(s, id, order, shift));
  }

  const projectName = (id: number | null) =>
    id === null ? "" : (projects.find((p) => p.id === id)?.name ?? `#${id}`);

  return (
    <>
      <section className="panel-card">
        <header className="chart-head">
          <h2>Runs</h2>
          <label className="small">
            Project{" "}
            <select
              data-testid="runs-project"
              value={project ?? ""}
              onChange={(e) => chooseProject(e.target.value)}
            >
              <option value="">all projects</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button onClick={load} data-testid="runs-refresh">
            Refresh
          </button>
        </header>
        {error && <p className="form-error">{error}</p>}
        {runs === null && !error && <p className="muted">Loading…</p>}
        {runs && runs.length === 0 && (
          <p className="muted" data-testid="runs-empty">
            No runs yet. Open the Train panel in the{" "}
            <a href="/" onClick={linkTo("/")}>
              editor
            </a>{" "}
            to start one.
          </p>
        )}
        {runs && runs.length > 0 && (
          <div className="table-scroll">
            <table className="runs-table" data-testid="runs-table">
              <thead>
                <tr>
                  <th title="Tick to compare or ensemble (shift-click: a range)">⇄</th>
                  <th>Run</th>
                  <th>Status</th>
                  <th>Project</th>
                  <th>Dataset</th>
                  <th>Settings</th>
                  <th>Best</th>
                  <th>Test</th>
                  <th>Duration</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr
                    key={r.id}
                    data-testid={`run-row-${r.id}`}
                    className={
                      [selected.includes(r.id) && "selected", refused === r.id && "refused"]
                        .filter(Boolean)
                        .join(" ") || undefined
                    }
                  >
                    <td>
                      <input
                        type="checkbox"
                        data-testid={`run-select-${r.id}`}
                        checked={selected.includes(r.id)}
                        onChange={(e) => toggle(r.id, (e.nativeEvent as MouseEvent).shiftKey === true)}
                        aria-label={`compare run ${r.id}`}
                      />
                    </td>
                    <td>
                      <a
                        href={`/runs/${r.id}`}
                        onClick={linkTo(`/runs/${r.id}`)}
                        data-testid={`run-open-${r.id}`}
                      >
                        {r.name || "run"} #{r.id}
                      </a>
                      {r.sweep != null && (
                        <a
                          className="sweep-mark"
                          href={`/sweeps/${r.sweep}`}
                          onClick={linkTo(`/sweeps/${r.sweep}`)}
                          data-testid={`run-sweep-${r.id}`}
                          title={`Trial ${r.trial_number ?? "?"} of sweep #${r.sweep}`}
                        >
                          sweep #{r.sweep} · trial {r.trial_number ?? "?"}
                        </a>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={r.status} testId={`run-row-status-${r.id}`} />
                    </td>
                    <td>{projectName(r.project)}</td>
                    <td>{r.dataset?.title || r.dataset?.name}</td>
                    <td className="small">{summariseSettings(r.training)}</td>
                    <td data-testid={`run-best-${r.id}`}>
                      {r.best ? `${r.best.metric} ${formatMetric(r.best.value)} (ep ${r.best.epoch})` : "–"}
                    </td>
                    <td className="small">{testSummary(r.test)}</td>
                    <td>{formatDuration(r.duration)}</td>
                    <td className="small">
                      {r.started_at
                        ? new Date(r.started_at).toLocaleString()
                        : r.created_at
                          ? `queued ${new Date(r.created_at).toLocaleTimeString()}`
                          : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {runs && selected.length > 0 && (
          <EnsembleBuilder
            ids={selected}
            runs={runs}
            onRefused={setRefused}
            onClear={() => (setSelection(EMPTY_SELECTION), setRefused(null))}
          />
        )}
      </section>
      {selected.length > 0 && <Comparison ids={selected} />}
      {selected.length === 0 && runs && runs.length > 1 && (
        <p className="muted pad">
          Tick several runs to overlay their curves or ensemble them (shift-click ticks a range).
        </p>
      )}
      <EnsemblesList />
    </>
  );
}

function testSummary(test: Record<string, number | null> | null): string {
  if (!test) return "–";
  const acc = Object.entries(test).find(([k]) => /acc/.test(k));
  if (acc && acc[1] !== null) return `${acc[0]} ${(acc[1] * 100).toFixed(1)}%`;
  return test.loss !== undefined ? `loss ${formatMetric(test.loss)}` : "–";
}

function Comparison({ ids }: { ids: number[] }) {
  const [details, setDetails] = useState<Record<number, Run>>({});
  const [metric, setMetric] = useState("val_loss");
  const [log, setLog] = useState(false);

  useEffect(() => {
    let alive = true;
    for (const id of ids) {
      if (details[id] && FINISHED.has(details[id].status)) continue;
      runsApi
        .run(id)
        .then((run) => alive && setDetails((d) => ({ ...d, [id]: run })))
        .catch(() => undefined);
    }
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids.join(",")]);

  const metrics = useMemo(() => {
    const names = new Set<string>();
    for (const id of ids)
      for (const h of details[id]?.history ?? []) for (const k of Object.keys(h.metrics ?? {})) names.add(k);
    return [...names].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  }, [ids, details]);
  const chosen = metrics.includes(metric) ? metric : (metrics[0] ?? metric);

  const lines: CompareLine[] = useMemo(
    () =>
      ids
        .filter((id) => details[id])
        .map((id) => {
          const run = details[id];
          const points = new Map<number, number | null>();
          for (const h of run.history ?? []) points.set(h.epoch, h.metrics?.[chosen] ?? null);
          return { label: `#${id} ${run.name}`, points };
        }),
    [ids, details, chosen],
  );

  return (
    <section className="panel-card" data-testid="runs-compare">
      <header className="chart-head">
        <h3>
          Compare {ids.length} run{ids.length === 1 ? "" : "s"}
        </h3>
        <label className="small">
          Metric{" "}
          <select value={chosen} onChange={(e) => setMetric(e.target.value)} data-testid="compare-metric">
            {metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="switch small">
          <input
            type="checkbox"
            checked={log}
            onChange={(e) => setLog(e.target.checked)}
            data-testid="compare-log"
          />{" "}
          log scale
        </label>
      </header>
      {lines.length > 0 ? (
        <CompareChart lines={lines} metric={chosen} log={log} />
      ) : (
        <p className="muted">Loading…</p>
      )}
      <div className="legend-list small">
        {lines.map((l, i) => (
          <span key={l.label}>
            <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} /> {l.label}
          </span>
        ))}
      </div>
    </section>
  );
}

function order(name: string): number {
  if (name === "val_loss") return 0;
  if (name === "loss") return 1;
  if (name.startsWith("val_")) return 2;
  return 3;
}
