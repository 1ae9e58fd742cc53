// The run page's system chart: the training process's CPU use (percent of one core) and resident memory
// (MB) over the run's wall time, and the GPU's utilisation and memory on a GPU worker. The samples come
// with the run (`system`) and, while it trains, as the websocket's `system` events.
import { useCallback, useMemo, useRef } from "react";
import type uPlot from "uplot";
import type { components } from "../api/schema.gen";
import { axisLabels } from "./axis";
import { formatElapsed } from "./compare/series";
import { UPlotChart, useDataNotifier } from "./UPlotChart";

export type SystemSample = components["schemas"]["SystemSample"];

const MB = 1024 * 1024;

/** [seconds since the first sample, cpu %, memory MB, (gpu %, gpu memory MB)] for uPlot. */
export function systemData(samples: SystemSample[], gpu: boolean): (number | null)[][] {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const t0 = sorted.length ? sorted[0].t : 0;
  const rows: (number | null)[][] = [
    sorted.map((s) => s.t - t0),
    sorted.map((s) => s.cpu ?? null),
    sorted.map((s) => (s.memory === null || s.memory === undefined ? null : s.memory / MB)),
  ];
  if (gpu) {
    rows.push(sorted.map((s) => s.gpu ?? null));
    rows.push(sorted.map((s) => (s.gpu_memory === undefined ? null : s.gpu_memory / MB)));
  }
  return rows;
}

export function SystemChart({ samples }: { samples: SystemSample[] }) {
  const gpu = samples.some((s) => s.gpu !== undefined || s.gpu_memory !== undefined);
  const data = useMemo(() => systemData(samples, gpu) as uPlot.AlignedData, [samples, gpu]);
  const latest = useRef({ data, count: samples.length });
  latest.current = { data, count: samples.length };
  const subscribe = useDataNotifier(data);

  const options = useCallback(
    (width: number): uPlot.Options => {
      const series: uPlot.Series[] = [
        { label: "time", value: (_u, v) => (v === null || v === undefined ? "–" : formatElapsed(v)) },
        {
          label: "CPU %",
          scale: "pct",
          stroke: "#2357d9",
          width: 1.5,
          spanGaps: true,
          value: (_u, v) => (v === null || v === undefined ? "–" : `${v.toFixed(0)}%`),
        },
        {
          label: "memory MB",
          scale: "mb",
          stroke: "#16a34a",
          width: 1.5,
          spanGaps: true,
          value: (_u, v) => (v === null || v === undefined ? "–" : `${v.toFixed(0)} MB`),
        },
      ];
      if (gpu) {
        series.push(
          { label: "GPU %", scale: "pct", stroke: "#d97706", width: 1.5, spanGaps: true, dash: [5, 3] },
          {
            label: "GPU memory MB",
            scale: "mb",
            stroke: "#7c3aed",
            width: 1.5,
            spanGaps: true,
            dash: [5, 3],
          },
        );
      }
      return {
        width,
        height: 160,
        legend: { show: true, live: true },
        scales: {
          x: { time: false },
          pct: { range: (_u, _min, max) => [0, Math.max(100, max ?? 0)] },
          mb: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 1.1)] },
        },
        axes: [
          { size: 28, values: (_u, splits) => splits.map((v) => formatElapsed(v)) },
          { scale: "pct", size: 48, values: (_u, splits) => splits.map((v) => `${v}%`) },
          {
            scale: "mb",
            side: 1,
            size: 56,
            grid: { show: false },
            values: (_u, splits) => axisLabels(splits).map((v) => (v ? `${v} MB` : v)),
          },
        ],
        series,
      };
    },
    [gpu],
  );
  const getData = useCallback(() => latest.current.data, []);
  const afterDraw = useCallback((el: HTMLElement) => {
    el.dataset.points = String(latest.current.count);
  }, []);
  const last = samples.length ? samples[samples.length - 1] : null;
  return (
    <section className="chart-card chart-card-small" data-testid="system-card">
      <header className="chart-head">
        <h3>system</h3>
        {last && (
          <span className="muted small" data-testid="system-now">
            CPU {last.cpu === null ? "–" : `${last.cpu.toFixed(0)}%`} · memory{" "}
            {last.memory === null ? "–" : `${(last.memory / MB).toFixed(0)} MB`}
            {last.gpu !== undefined && ` · GPU ${last.gpu.toFixed(0)}%`}
          </span>
        )}
      </header>
      <UPlotChart
        options={options}
        data={getData}
        subscribe={subscribe}
        optionsKey={`system:${gpu}`}
        height={160}
        testId="chart-system"
        afterDraw={afterDraw}
      />
    </section>
  );
}
