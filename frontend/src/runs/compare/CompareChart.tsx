// Several runs' values of one metric on one chart: x by epoch (whole-number ticks), training step or
// wall time; TensorBoard-style smoothing draws the moving average over the faint raw line. The chart is
// built once per set of lines and fed new data as the runs train (setData, no rebuild).
import { useCallback, useMemo, useRef } from "react";
import type uPlot from "uplot";
import { axisLabels } from "../axis";
import { PALETTE } from "../charts";
import { UPlotChart, useDataNotifier } from "../UPlotChart";
import {
  alignCurves,
  ema,
  formatElapsed,
  INTEGER_INCREMENTS,
  pointCounts,
  type Curve,
  type XMode,
} from "./series";

export interface CompareLine {
  label: string;
  curve: Curve;
}

const X_LABEL: Record<XMode, string> = { epoch: "epoch", step: "step", time: "wall time" };

/** The aligned data: raw lines, or with smoothing each run's raw line then its moving average. */
export function chartData(lines: CompareLine[], smoothing: number): (number | null)[][] {
  const curves: Curve[] = [];
  for (const l of lines) {
    curves.push(l.curve);
    if (smoothing > 0) curves.push({ x: l.curve.x, y: ema(l.curve.y, smoothing) });
  }
  return alignCurves(curves);
}

function faint(hex: string): string {
  return `${hex}55`;
}

export function CompareChart({
  lines,
  metric,
  log,
  mode,
  smoothing,
}: {
  lines: CompareLine[];
  metric: string;
  log: boolean;
  mode: XMode;
  smoothing: number;
}) {
  const smooth = smoothing > 0;
  const data = useMemo(() => chartData(lines, smoothing) as uPlot.AlignedData, [lines, smoothing]);
  const latest = useRef({ data, lines });
  latest.current = { data, lines };
  const subscribe = useDataNotifier(data);

  const maxPoints = Math.max(0, ...lines.map((l) => l.curve.x.length));
  const markers = maxPoints <= 60;
  const key = [metric, log, mode, smooth, markers, lines.map((l) => l.label).join("|")].join(":");
  const options = useCallback(
    (width: number): uPlot.Options => {
      const series: uPlot.Series[] = [
        {
          label: X_LABEL[mode],
          value: (_u, v) =>
            v === null || v === undefined ? "–" : mode === "time" ? formatElapsed(v) : String(Math.round(v)),
        },
      ];
      lines.forEach((l, i) => {
        const color = PALETTE[i % PALETTE.length];
        const points = { show: markers, size: 5, space: 0, fill: color, stroke: color };
        if (smooth) {
          series.push({
            label: `${l.label} (raw)`,
            stroke: faint(color),
            width: 1,
            spanGaps: true,
            points: { show: false },
          });
          series.push({
            label: l.label,
            stroke: color,
            width: 2,
            spanGaps: true,
            points: { ...points, show: false },
          });
        } else {
          series.push({ label: l.label, stroke: color, width: 1.5, spanGaps: true, points });
        }
      });
      const whole = mode !== "time";
      return {
        width,
        height: 280,
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
        axes: [
          {
            label: X_LABEL[mode],
            size: 36,
            labelSize: 14,
            ...(whole ? { incrs: INTEGER_INCREMENTS } : {}),
            values: (_u, splits) =>
              mode === "time"
                ? splits.map((v) => formatElapsed(v))
                : splits.map((v) => String(Math.round(v))),
          },
          { size: 56, values: (_u, splits) => axisLabels(splits) },
        ],
        series,
      };
    },
    // rebuilt only when the key says so; the lines' data comes through setData
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  const getData = useCallback(() => latest.current.data, []);
  const afterDraw = useCallback((el: HTMLElement) => {
    const current = latest.current;
    el.dataset.points = pointCounts(current.lines.map((l) => l.curve)).join(",");
    el.dataset.lines = String(current.lines.length);
    el.dataset.series = String(current.data.length - 1);
    el.dataset.x = (current.data[0] as number[]).join(",");
  }, []);
  return (
    <UPlotChart
      options={options}
      data={getData}
      subscribe={subscribe}
      optionsKey={key}
      height={280}
      testId="compare-chart"
      afterDraw={afterDraw}
    />
  );
}
