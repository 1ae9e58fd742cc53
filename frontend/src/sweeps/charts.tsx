// The sweep page's charts: the best-so-far curve (uPlot), the parallel coordinates of the params
// against the objective and the Pareto front scatter (SVG, drawn here), the parameter importances
// (horizontal bars).
import { useCallback, useEffect, useMemo, useState } from "react";
import uPlot from "uplot";
import { UPlotChart } from "../runs/UPlotChart";
import { axisFor, bestSoFar, numericAxis, paretoFront, short, valueOf, type Axis } from "./analysis";
import type { Trial } from "./api";
import { targetLabel, type DimensionLike } from "./space";
import type { Objective } from "./store";

const VIOLET = "#6d28d9";
const VIOLET_SOFT = "rgba(109, 40, 217, 0.55)";
const GREY = "#cbd2dc";

/** A target's short name on a chart: "hidden.units", "learning_rate". */
export function shortTarget(target: string): string {
  const { owner, name } = targetLabel(target);
  return owner === "training" || !owner ? name : `${owner}.${name}`;
}

/** The objective's colour scale: pale (worst) to deep violet (best). */
export function rampColor(t: number): string {
  const stops = [
    [234, 179, 8],
    [22, 163, 74],
    [8, 145, 178],
    [79, 70, 229],
    [76, 29, 149],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** An element's width, measured again as it resizes (a callback ref: the element may come later). */
function useWidth<T extends HTMLElement>(): [(el: T | null) => void, number] {
  const [el, setEl] = useState<T | null>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    if (!el) return;
    setWidth(el.clientWidth || 600);
    const observer = new ResizeObserver(() => setWidth(el.clientWidth || 600));
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [setEl, width];
}

// ---- best so far --------------------------------------------------------------

export function BestCurve({ trials, objective }: { trials: Trial[]; objective: Objective }) {
  const curve = useMemo(() => bestSoFar(trials, objective.direction), [trials, objective.direction]);
  const data = useCallback(
    (): uPlot.AlignedData => [curve.x, curve.value, curve.best] as uPlot.AlignedData,
    [curve],
  );
  const options = useCallback(
    (width: number): uPlot.Options => ({
      width,
      height: 230,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        {
          label: "trial",
          size: 36,
          labelSize: 14,
          // Whole trial numbers only.
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500],
          values: (_u, s) => s.map((v) => (Number.isInteger(v) ? String(v) : "")),
        },
        { size: 56, values: (_u, s) => s.map((v) => (v === null ? "" : short(v))) },
      ],
      series: [
        { label: "trial" },
        {
          label: objective.metric,
          stroke: VIOLET_SOFT,
          width: 0,
          paths: () => null,
          points: { show: true, size: 8, space: 0, fill: "#fff", stroke: VIOLET_SOFT, width: 2 },
        },
        {
          label: `best so far (${objective.direction === "maximize" ? "max" : "min"})`,
          stroke: VIOLET,
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: false },
        },
      ],
    }),
    [objective.metric, objective.direction],
  );
  if (!curve.x.length) return <p className="muted chart-empty">No trial has a value yet.</p>;
  return (
    <UPlotChart
      options={options}
      data={data}
      optionsKey={`${objective.metric}:${objective.direction}:${curve.x.length}:${curve.best.at(-1)}`}
      height={230}
      testId="sweep-best-curve"
      className="uplot-holder"
    />
  );
}

// ---- parallel coordinates -----------------------------------------------------

export function ParallelCoordinates({
  trials,
  space,
  objective,
  best,
}: {
  trials: Trial[];
  space: DimensionLike[];
  objective: Objective;
  best: number[];
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const height = 280;
  const values = trials.map((t) => valueOf(t)).filter((v): v is number => v !== null);
  const axes: Axis[] = useMemo(() => {
    const list = space.map((d) =>
      axisFor(
        d.target,
        shortTarget(d.target),
        d,
        trials.map((t) => t.params[d.target]),
      ),
    );
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    list.push(numericAxis("objective", objective.metric, lo, hi));
    return list;
    // values is derived from trials
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [space, trials, objective.metric]);
  const top = 34;
  const bottom = 18;
  const left = 56;
  const right = 64;
  const plotH = height - top - bottom;
  const xAt = (i: number) =>
    axes.length <= 1 ? width / 2 : left + (i * (width - left - right)) / (axes.length - 1);
  const yAt = (p: number) => top + (1 - p) * plotH;
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const goodness = (v: number) => {
    const t = hi === lo ? 1 : (v - lo) / (hi - lo);
    return objective.direction === "maximize" ? t : 1 - t;
  };
  const lines = trials
    .map((t) => {
      const v = valueOf(t);
      const pts = axes.map((a, i) => {
        const p = a.key === "objective" ? a.place(v) : a.place(t.params[a.key]);
        return p === null ? null : [xAt(i), yAt(p)];
      });
      const placed = pts.filter((p): p is number[] => p !== null);
      return { trial: t, v, pts: placed, full: placed.length === axes.length };
    })
    .filter((l) => l.pts.length >= 2)
    // Without a value first (grey, below), then from worst to best: the best on top.
    .sort((a, b) => (a.v === null ? -1 : b.v === null ? 1 : goodness(a.v) - goodness(b.v)));
  return (
    <div ref={ref} className="parcoords" data-testid="sweep-parallel">
      <svg
        width={width}
        height={height}
        role="img"
        aria-label="Parallel coordinates of the params against the objective"
      >
        {lines.map(({ trial, v, pts }) => {
          const isBest = best.includes(trial.number);
          return (
            <polyline
              key={trial.number}
              points={pts.map((p) => p.join(",")).join(" ")}
              fill="none"
              stroke={v === null ? GREY : rampColor(goodness(v))}
              strokeWidth={isBest ? 3 : 1.6}
              strokeOpacity={v === null ? 0.7 : isBest ? 1 : 0.8}
              strokeDasharray={v === null ? "4 3" : undefined}
              data-trial={trial.number}
            >
              <title>
                {`trial ${trial.number}: ${v === null ? trial.status : `${objective.metric} ${short(v)}`}`}
              </title>
            </polyline>
          );
        })}
        {axes.map((a, i) => {
          const x = xAt(i);
          const isObjective = a.key === "objective";
          return (
            <g key={a.key} className={isObjective ? "axis objective-axis" : "axis"}>
              <line x1={x} x2={x} y1={top} y2={top + plotH} />
              <text x={x} y={top - 14} textAnchor="middle" className="axis-label">
                {a.label}
              </text>
              {a.ticks.map((t, k) => (
                <text
                  key={k}
                  x={isObjective ? x + 6 : x - 6}
                  y={yAt(t.at) + 4}
                  textAnchor={isObjective ? "start" : "end"}
                  className="axis-tick"
                >
                  {t.label}
                </text>
              ))}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

// ---- importances --------------------------------------------------------------

export function Importances({ importances }: { importances: Record<string, number> | null }) {
  if (!importances || !Object.keys(importances).length)
    return <p className="muted chart-empty">Shown once two trials have finished.</p>;
  const entries = Object.entries(importances).sort((a, b) => b[1] - a[1]);
  const max = Math.max(...entries.map(([, v]) => v), 1e-9);
  return (
    <ul className="importances" data-testid="sweep-importances">
      {entries.map(([target, v]) => (
        <li key={target} data-target={target}>
          <code title={target}>{shortTarget(target)}</code>
          <span className="bar-track">
            <span className="bar" style={{ width: `${(v / max) * 100}%` }} />
          </span>
          <span className="bar-value">{(v * 100).toFixed(0)}%</span>
        </li>
      ))}
    </ul>
  );
}

// ---- Pareto front -------------------------------------------------------------

export function ParetoScatter({ trials, objectives }: { trials: Trial[]; objectives: Objective[] }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const height = 280;
  const points = trials
    .map((t) => ({ t, y: valueOf(t, 0), x: valueOf(t, 1) }))
    .filter((p): p is { t: Trial; x: number; y: number } => p.x !== null && p.y !== null);
  const front = new Set(
    paretoFront(
      points.map((p) => [p.y, p.x]),
      [objectives[0].direction, objectives[1].direction],
    ),
  );
  if (!points.length) return <p className="muted chart-empty">No trial has both values yet.</p>;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xLog = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 20;
  const pad = (lo: number, hi: number) =>
    hi === lo ? [lo - 1, hi + 1] : [lo - (hi - lo) * 0.06, hi + (hi - lo) * 0.06];
  const [x0, x1] = xLog
    ? [Math.min(...xs) / 1.3, Math.max(...xs) * 1.3]
    : pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const xAxis = numericAxis("x", objectives[1].metric, x0, x1, xLog);
  const yAxis = numericAxis("y", objectives[0].metric, y0, y1);
  const left = 58;
  const right = 16;
  const top = 14;
  const bottom = 40;
  const px = (v: number) => left + xAxis.place(v)! * (width - left - right);
  const py = (v: number) => top + (1 - yAxis.place(v)!) * (height - top - bottom);
  const frontPts = points.filter((_, i) => front.has(i)).sort((a, b) => a.x - b.x);
  return (
    <div ref={ref} className="pareto" data-testid="sweep-pareto">
      <svg width={width} height={height} role="img" aria-label="Pareto front">
        <g className="axis">
          <line x1={left} x2={width - right} y1={height - bottom} y2={height - bottom} />
          <line x1={left} x2={left} y1={top} y2={height - bottom} />
          {xAxis.ticks.map((t, k) => (
            <text
              key={k}
              x={left + t.at * (width - left - right)}
              y={height - bottom + 15}
              textAnchor="middle"
              className="axis-tick"
            >
              {t.label}
            </text>
          ))}
          {yAxis.ticks.map((t, k) => (
            <text
              key={k}
              x={left - 6}
              y={top + (1 - t.at) * (height - top - bottom) + 4}
              textAnchor="end"
              className="axis-tick"
            >
              {t.label}
            </text>
          ))}
          <text x={(left + width - right) / 2} y={height - 6} textAnchor="middle" className="axis-label">
            {objectives[1].metric} ({objectives[1].direction}){xLog ? ", log" : ""}
          </text>
          <text
            x={12}
            y={(top + height - bottom) / 2}
            textAnchor="middle"
            className="axis-label"
            transform={`rotate(-90 12 ${(top + height - bottom) / 2})`}
          >
            {objectives[0].metric} ({objectives[0].direction})
          </text>
        </g>
        {frontPts.length > 1 && (
          <polyline
            points={frontPts.map((p) => `${px(p.x)},${py(p.y)}`).join(" ")}
            fill="none"
            stroke={VIOLET}
            strokeWidth={1.5}
            strokeDasharray="5 3"
          />
        )}
        {points.map((p, i) => (
          <circle
            key={p.t.number}
            cx={px(p.x)}
            cy={py(p.y)}
            r={front.has(i) ? 6 : 4.5}
            fill={front.has(i) ? VIOLET : "#fff"}
            stroke={front.has(i) ? VIOLET : "#8b95a5"}
            strokeWidth={1.5}
            data-front={front.has(i)}
          >
            <title>{`trial ${p.t.number}: ${objectives[0].metric} ${short(p.y)}, ${objectives[1].metric} ${short(p.x)}`}</title>
          </circle>
        ))}
      </svg>
    </div>
  );
}
