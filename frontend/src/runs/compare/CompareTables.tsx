// The compared runs side by side: every training setting (dotted), the metrics (best, final, test) and
// what their graphs change against the baseline run. A setting that differs is highlighted, and the
// cells that differ from the baseline's; on a metric row the best run's value is.
import { useMemo, useState } from "react";
import type { Run } from "../../api/runs";
import { PALETTE } from "../charts";
import { formatMetric } from "../results";
import { formatValue, graphDiff, metricRows, sameValue, settingsRows, type GraphDiff } from "./diff";

export interface Compared {
  id: number;
  run: Run;
  /** its colour on the chart */
  color: string;
}

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function RunHeads({ runs, first }: { runs: Compared[]; first: string }) {
  return (
    <thead>
      <tr>
        <th>{first}</th>
        {runs.map((r) => (
          <th key={r.id} title={r.run.name}>
            <span className="swatch" style={{ background: r.color }} /> #{r.id}
            <span className="compare-run-name"> {r.run.name}</span>
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function SettingsTable({ runs, baseline = 0 }: { runs: Compared[]; baseline?: number }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const rows = useMemo(() => settingsRows(runs.map((r) => r.run.training)), [runs]);
  const differing = rows.filter((r) => r.differs);
  // the settings that differ first, then the rest (each group in name order)
  const shown = onlyDiff ? differing : [...differing, ...rows.filter((r) => !r.differs)];
  return (
    <section className="compare-block compare-settings" data-testid="compare-settings">
      <header className="chart-head">
        <h4>Settings</h4>
        <span className="muted small" data-testid="compare-settings-summary">
          {differing.length ? `${differing.length} of ${rows.length} differ` : `all ${rows.length} the same`}
        </span>
        <label className="switch small">
          <input
            type="checkbox"
            checked={onlyDiff}
            onChange={(e) => setOnlyDiff(e.target.checked)}
            data-testid="compare-only-diff"
          />{" "}
          only differences
        </label>
      </header>
      <div className="table-scroll compare-scroll">
        <table className="runs-table compare-table">
          <RunHeads runs={runs} first="setting" />
          <tbody>
            {shown.map((row) => (
              <tr
                key={row.key}
                className={row.differs ? "differs" : undefined}
                data-testid={`compare-setting-${row.key}`}
                data-differs={row.differs ? "true" : "false"}
              >
                <td className="mono">{row.key}</td>
                {row.values.map((v, i) => (
                  <td
                    key={runs[i].id}
                    className={
                      i !== baseline && !sameValue(v, row.values[baseline]) ? "changed mono" : "mono"
                    }
                  >
                    {formatValue(v)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function MetricsTable({ runs }: { runs: Compared[] }) {
  const rows = useMemo(() => metricRows(runs.map((r) => r.run)), [runs]);
  return (
    <section className="compare-block" data-testid="compare-metrics">
      <header className="chart-head">
        <h4>Metrics</h4>
        <span className="muted small">best: the monitored metric's best epoch; final: the last epoch</span>
      </header>
      {rows.length === 0 ? (
        <p className="muted small">No epoch finished yet.</p>
      ) : (
        <div className="table-scroll compare-scroll">
          <table className="runs-table compare-table">
            <RunHeads runs={runs} first="metric" />
            <tbody>
              {rows.map((row) => (
                <tr
                  key={`${row.kind}-${row.metric}`}
                  data-testid={`compare-metric-${row.kind}-${row.metric}`}
                  className={row.differs ? "differs" : undefined}
                >
                  <td className="mono">
                    <span className="compare-kind">{row.kind}</span> {row.metric}
                  </td>
                  {row.values.map((v, i) => (
                    <td
                      key={runs[i].id}
                      className={row.best === i ? "best mono" : "mono"}
                      data-best={row.best === i ? "true" : undefined}
                      title={row.epochs[i] !== null ? `epoch ${row.epochs[i]}` : undefined}
                    >
                      {formatMetric(v)}
                      {row.kind === "best" && row.epochs[i] !== null && (
                        <span className="muted"> (ep {row.epochs[i]})</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DiffList({ diff }: { diff: GraphDiff }) {
  if (diff.same) return <p className="muted small">the same graph</p>;
  return (
    <ul className="graph-diff small">
      {diff.added.map((n) => (
        <li key={`+${n.id}`} className="added" data-testid={`graph-added-${n.id}`}>
          + <span className="mono">{n.id}</span> ({n.type})
        </li>
      ))}
      {diff.removed.map((n) => (
        <li key={`-${n.id}`} className="removed" data-testid={`graph-removed-${n.id}`}>
          − <span className="mono">{n.id}</span> ({n.type})
        </li>
      ))}
      {diff.changed.map((c) => (
        <li key={`~${c.id}`} className="changed" data-testid={`graph-changed-${c.id}`}>
          ~ <span className="mono">{c.id}</span> ({c.typeBefore ? `${c.typeBefore} → ${c.type}` : c.type})
          {c.params.length > 0 && (
            <ul>
              {c.params.map((p) => (
                <li key={p.name} className="mono">
                  {p.name}: {formatValue(p.before)} → {formatValue(p.after)}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
      {diff.edgesAdded.map((e) => (
        <li key={`+e${e}`} className="added">
          + wire <span className="mono">{e}</span>
        </li>
      ))}
      {diff.edgesRemoved.map((e) => (
        <li key={`-e${e}`} className="removed">
          − wire <span className="mono">{e}</span>
        </li>
      ))}
    </ul>
  );
}

export function GraphDiffs({ runs, baseline }: { runs: Compared[]; baseline: Compared }) {
  const others = runs.filter((r) => r.id !== baseline.id);
  return (
    <section className="compare-block" data-testid="compare-graphs">
      <header className="chart-head">
        <h4>Graph</h4>
        <span className="muted small">
          against #{baseline.id} {baseline.run.graph_name || baseline.run.name}
        </span>
      </header>
      {others.map((r) => (
        <div key={r.id} className="graph-diff-run" data-testid={`compare-graph-diff-${r.id}`}>
          <strong>
            <span className="swatch" style={{ background: r.color }} /> #{r.id}{" "}
            {r.run.graph_name || r.run.name}
          </strong>
          <DiffList diff={graphDiff(baseline.run.graph, r.run.graph)} />
        </div>
      ))}
    </section>
  );
}
