// After training: test metrics, confusion matrix, sample predictions (downloads: use/Downloads.tsx).
import { useMemo, useState } from "react";
import type { Confusion, SamplePrediction } from "../api/runs";
import { formatConfidence } from "./format";
import { cellColor, cellTextColor, classStats, normalise, orderSamples, type Normalise } from "./confusion";

export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(3);
  return value.toFixed(4);
}

export function TestMetrics({ test }: { test: Record<string, number | null> }) {
  const entries = Object.entries(test);
  if (!entries.length) return null;
  // loss first, then accuracy-like metrics, then the rest.
  entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return (
    <section className="card-section" data-testid="run-test-metrics">
      <h3>Test metrics</h3>
      <div className="metric-tiles">
        {entries.map(([name, value]) => (
          <div className="metric-tile" key={name} data-testid={`test-metric-${name}`}>
            <span className="metric-name">{name.replace(/_/g, " ")}</span>
            <strong className="metric-value">
              {/acc/.test(name) && value !== null ? `${(value * 100).toFixed(2)}%` : formatMetric(value)}
            </strong>
          </div>
        ))}
      </div>
    </section>
  );
}

function rank(name: string): number {
  if (name === "loss") return 0;
  if (name.endsWith("loss")) return 1;
  if (/acc/.test(name)) return 2;
  return 3;
}

export function ConfusionMatrix({ confusion }: { confusion: Confusion }) {
  const [mode, setMode] = useState<Normalise>("true");
  const { labels, matrix } = confusion;
  const fractions = useMemo(() => normalise(matrix, mode), [matrix, mode]);
  const stats = useMemo(() => classStats(matrix), [matrix]);
  return (
    <section className="card-section" data-testid="confusion-matrix">
      <header className="chart-head">
        <h3>
          Confusion matrix{" "}
          <span className="muted small">
            ({confusion.output}, {stats.total.toLocaleString("en-US")} test samples, accuracy{" "}
            {(stats.accuracy * 100).toFixed(1)}%)
          </span>
        </h3>
        <label className="small">
          Normalise{" "}
          <select
            value={mode}
            onChange={(e) => setMode(e.target.value as Normalise)}
            data-testid="confusion-normalise"
          >
            <option value="true">by true class (recall)</option>
            <option value="pred">by predicted class (precision)</option>
            <option value="none">over all samples</option>
          </select>
        </label>
      </header>
      <div className="confusion-scroll">
        <table className="confusion">
          <thead>
            <tr>
              <th className="confusion-corner">
                <span>true ↓ / predicted →</span>
              </th>
              {labels.map((label, j) => (
                <th key={j} className="confusion-col" title={label}>
                  <span>{label}</span>
                </th>
              ))}
              <th className="confusion-col">
                <span>recall</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={i}>
                <th className="confusion-row" title={labels[i]}>
                  {labels[i]}
                </th>
                {row.map((count, j) => {
                  const f = fractions[i][j];
                  return (
                    <td
                      key={j}
                      data-testid={`confusion-cell-${i}-${j}`}
                      title={`true ${labels[i]}, predicted ${labels[j]}: ${count} (${(f * 100).toFixed(1)}%)`}
                      style={{ background: cellColor(f, i === j), color: cellTextColor(f) }}
                    >
                      {count > 0 ? count : ""}
                    </td>
                  );
                })}
                <td className="confusion-recall">{(stats.recall[i] * 100).toFixed(0)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(", ")}]`;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return String(value);
}

export function SampleGrid({ samples }: { samples: SamplePrediction[] }) {
  const ordered = useMemo(() => orderSamples(samples), [samples]);
  if (!ordered.length) return null;
  const wrong = ordered.filter((s) => s.correct === false).length;
  return (
    <section className="card-section" data-testid="run-samples">
      <h3>
        Test predictions{" "}
        <span className="muted small">({wrong ? `${wrong} wrong shown first` : "a sample"})</span>
      </h3>
      <div className="sample-grid">
        {ordered.map((s) => {
          const isWrong = s.correct === false;
          return (
            <figure
              key={s.index}
              className={`sample ${isWrong ? "sample-wrong" : s.correct ? "sample-right" : ""}`}
              data-testid={`sample-${s.index}`}
              data-correct={s.correct === undefined ? undefined : String(s.correct)}
            >
              {s.image && <img src={s.image} alt={`test sample ${s.index}`} />}
              <figcaption>
                <div>
                  <span className="muted">pred</span> <strong>{show(s.pred)}</strong>
                  {s.confidence !== null && s.confidence !== undefined && (
                    <span className="muted" data-testid={`sample-confidence-${s.index}`}>
                      {" "}
                      {formatConfidence(s.confidence)}
                    </span>
                  )}
                </div>
                <div>
                  <span className="muted">true</span> {show(s.true)}
                </div>
                {s.error !== undefined && <div className="muted">error {show(s.error)}</div>}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}
