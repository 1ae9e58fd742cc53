// The runs ticked in the runs table, compared: their curves on one live chart (metric, x by epoch, step
// or wall time, smoothing, log scale), and beside it their settings, metrics and graphs side by side.
import { useMemo, useState } from "react";
import { runCurve, type XMode } from "./series";
import { CompareChart, type CompareLine } from "./CompareChart";
import { colorOf, GraphDiffs, MetricsTable, SettingsTable, type Compared } from "./CompareTables";
import { useCompareRuns } from "./useCompareRuns";
import "./compare.css";

/** val_loss first, then loss, the other validation metrics, the rest. */
export function metricOrder(name: string): number {
  if (name === "val_loss") return 0;
  if (name === "loss") return 1;
  if (name.startsWith("val_")) return 2;
  return 3;
}

export function ComparePanel({ ids }: { ids: number[] }) {
  const details = useCompareRuns(ids);
  const [metric, setMetric] = useState("val_loss");
  const [log, setLog] = useState(false);
  const [mode, setMode] = useState<XMode>("epoch");
  const [smoothing, setSmoothing] = useState(0);
  const [baselineId, setBaselineId] = useState<number | null>(null);

  const compared: Compared[] = useMemo(
    () =>
      ids
        .map((id, i) => ({ id, run: details[id], color: colorOf(i) }))
        .filter((c): c is Compared => c.run !== undefined),
    [ids, details],
  );

  const metrics = useMemo(() => {
    const names = new Set<string>();
    for (const c of compared)
      for (const h of c.run.history ?? []) for (const k of Object.keys(h.metrics ?? {})) names.add(k);
    return [...names].sort((a, b) => metricOrder(a) - metricOrder(b) || a.localeCompare(b));
  }, [compared]);
  const chosen = metrics.includes(metric) ? metric : (metrics[0] ?? metric);

  const lines: CompareLine[] = useMemo(
    () => compared.map((c) => ({ label: `#${c.id} ${c.run.name}`, curve: runCurve(c.run, chosen, mode) })),
    [compared, chosen, mode],
  );
  const baseline = compared.find((c) => c.id === baselineId) ?? compared[0];
  const running = compared.filter((c) => c.run.status === "running" || c.run.status === "queued").length;

  return (
    <section className="panel-card" data-testid="runs-compare" data-x-mode={mode}>
      <header className="chart-head compare-head">
        <h3>
          Compare {ids.length} run{ids.length === 1 ? "" : "s"}
        </h3>
        {running > 0 && (
          <span className="muted small" data-testid="compare-live">
            <span className="pulse" /> {running} training: following live
          </span>
        )}
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
        <label className="small">
          x{" "}
          <select value={mode} onChange={(e) => setMode(e.target.value as XMode)} data-testid="compare-x">
            <option value="epoch">epoch</option>
            <option value="step">step</option>
            <option value="time">wall time</option>
          </select>
        </label>
        <label className="small compare-smoothing" title="Exponential moving average, as TensorBoard's">
          smoothing{" "}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
            data-testid="compare-smoothing"
          />{" "}
          <span className="mono">{smoothing.toFixed(2)}</span>
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
      {compared.length === 0 ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="compare-layout">
          <div className="compare-main">
            <CompareChart lines={lines} metric={chosen} log={log} mode={mode} smoothing={smoothing} />
            <div className="legend-list small">
              {compared.map((c) => (
                <span key={c.id}>
                  <span className="swatch" style={{ background: c.color }} /> #{c.id} {c.run.name}
                </span>
              ))}
            </div>
            <MetricsTable runs={compared} />
          </div>
          <div className="compare-side">
            <SettingsTable runs={compared} baseline={Math.max(0, compared.indexOf(baseline))} />
            {compared.length > 1 && baseline && (
              <>
                <label className="small">
                  Baseline{" "}
                  <select
                    value={baseline.id}
                    onChange={(e) => setBaselineId(Number(e.target.value))}
                    data-testid="compare-baseline"
                  >
                    {compared.map((c) => (
                      <option key={c.id} value={c.id}>
                        #{c.id} {c.run.name}
                      </option>
                    ))}
                  </select>
                </label>
                <GraphDiffs runs={compared} baseline={baseline} />
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
