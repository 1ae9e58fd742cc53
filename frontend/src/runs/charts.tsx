// The run page's charts: one per metric (training per batch as a thin line, training and validation
// per epoch as markers) and the learning rate. The comparison of several runs is in compare/.
import { useCallback, useState } from "react";
import type uPlot from "uplot";
import { alignedData, pointCount, type Series } from "./series";
import type { RunStream } from "./stream";
import { UPlotChart } from "./UPlotChart";
import { axisLabels } from "./axis";

const BLUE = "#2357d9";
const BLUE_SOFT = "rgba(35, 87, 217, 0.45)";
const ORANGE = "#d97706";
export const PALETTE = [
  "#2357d9",
  "#d97706",
  "#16a34a",
  "#dc2626",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#92400e",
  "#475569",
];

function noLine() {
  return null;
}

export function metricLabel(key: string): string {
  return key.replace(/_/g, " ");
}

function xRange(epochs: () => number) {
  return (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => {
    const planned = epochs();
    const hi = Math.max(planned || 0, max ?? 0, 1);
    return [Math.min(0, min ?? 0), hi];
  };
}

/** Where fine-tuning's second phase starts on the epoch axis (the end of the last frozen epoch), or null
 * for a run of one phase: the history marks each epoch's phase. */
export function phaseBoundary(series: Pick<Series, "epochs">): number | null {
  const second = Object.values(series.epochs)
    .filter((e) => e.phase === 2)
    .map((e) => e.epoch);
  return second.length ? Math.min(...second) - 1 : null;
}

/** A dashed vertical line at the phase boundary, labelled. */
function drawPhaseBoundary(u: uPlot, x: number | null) {
  if (x === null) return;
  const left = u.valToPos(x, "x", true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = "#7a7a7a";
  ctx.fillStyle = "#7a7a7a";
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  ctx.moveTo(left, u.bbox.top);
  ctx.lineTo(left, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.fillText("fine-tuning", left + 4, u.bbox.top + 12);
  ctx.restore();
}

function emptyData(): uPlot.AlignedData {
  return [[], [], [], []];
}

export function MetricChart({
  stream,
  metric,
  epochs,
}: {
  stream: RunStream;
  metric: string;
  epochs: () => number;
}) {
  const [log, setLog] = useState(false);
  const isLoss = metric === "loss" || metric.endsWith("_loss");
  const data = useCallback((): uPlot.AlignedData => {
    const chart = stream.series.charts[metric];
    return chart ? (alignedData(chart) as uPlot.AlignedData) : emptyData();
  }, [stream, metric]);
  const afterDraw = useCallback(
    (el: HTMLElement) => {
      const counts = pointCount(stream.series.charts[metric]);
      el.dataset.batchPoints = String(counts.batch);
      el.dataset.epochPoints = String(counts.epoch);
      el.dataset.valPoints = String(counts.val);
      el.dataset.phaseBoundary = String(phaseBoundary(stream.series) ?? "");
    },
    [stream, metric],
  );
  const options = useCallback(
    (width: number): uPlot.Options => {
      // Smaller markers when there are many epochs, so the batch line stays visible between them.
      const planned = epochs();
      const size = planned > 40 ? 4 : planned > 15 ? 6 : 8;
      return {
        width,
        height: 220,
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
        hooks: { draw: [(u) => drawPhaseBoundary(u, phaseBoundary(stream.series))] },
        scales: {
          x: { time: false, range: xRange(epochs) },
          y: log ? { distr: 3 } : {},
        },
        axes: [
          {
            label: "epoch",
            size: 36,
            labelSize: 14,
            values: (_u, splits) => axisLabels(splits),
          },
          { size: 56, values: (_u, splits) => axisLabels(splits) },
        ],
        series: [
          { label: "epoch", value: (_u, v) => (v === null || v === undefined ? "–" : v.toFixed(2)) },
          { label: "train (batch)", stroke: BLUE_SOFT, width: 1, spanGaps: true, points: { show: false } },
          {
            label: "train (epoch)",
            stroke: BLUE,
            width: 0,
            paths: noLine,
            spanGaps: true,
            points: { show: true, size, space: 0, fill: BLUE, stroke: BLUE },
          },
          {
            label: "validation",
            stroke: ORANGE,
            width: 1.5,
            spanGaps: true,
            points: { show: true, size, space: 0, fill: ORANGE, stroke: ORANGE },
          },
        ],
      };
    },
    [log, epochs, stream],
  );
  return (
    <section className="chart-card">
      <header className="chart-head">
        <h3>{metricLabel(metric)}</h3>
        {isLoss && (
          <label className="switch small" title="Logarithmic y axis">
            <input
              type="checkbox"
              data-testid={`chart-${metric}-log`}
              checked={log}
              onChange={(e) => setLog(e.target.checked)}
            />{" "}
            log scale
          </label>
        )}
      </header>
      <UPlotChart
        options={options}
        data={data}
        subscribe={stream.subscribeSeries}
        optionsKey={`${metric}:${log}`}
        height={220}
        testId={`chart-${metric}`}
        afterDraw={afterDraw}
      />
    </section>
  );
}

export function LrChart({ stream, epochs }: { stream: RunStream; epochs: () => number }) {
  const data = useCallback((): uPlot.AlignedData => [stream.series.lr.x, stream.series.lr.y], [stream]);
  const afterDraw = useCallback(
    (el: HTMLElement) => {
      el.dataset.points = String(stream.series.lr.y.filter((v) => v !== null).length);
    },
    [stream],
  );
  const options = useCallback(
    (width: number): uPlot.Options => ({
      width,
      height: 120,
      legend: { show: true, live: true },
      scales: { x: { time: false, range: xRange(epochs) } },
      axes: [
        { size: 28, values: (_u, splits) => axisLabels(splits) },
        { size: 56, values: (_u, splits) => axisLabels(splits) },
      ],
      series: [
        { label: "epoch" },
        {
          label: "learning rate",
          stroke: "#7c3aed",
          width: 1.5,
          spanGaps: true,
          points: { show: true, size: 6, space: 0, fill: "#7c3aed" },
        },
      ],
    }),
    [epochs],
  );
  return (
    <section className="chart-card chart-card-small">
      <header className="chart-head">
        <h3>learning rate</h3>
      </header>
      <UPlotChart
        options={options}
        data={data}
        subscribe={stream.subscribeSeries}
        optionsKey="lr"
        height={120}
        testId="chart-lr"
        afterDraw={afterDraw}
      />
    </section>
  );
}

export type { Series };
