// The cross-validation page's chart: every fold's curve of one metric (thin, coloured as its fold
// chip), their mean (thick) and the band of mean ± one standard deviation (shaded), per epoch.
import { useCallback, useMemo } from "react";
import type uPlot from "uplot";
import { PALETTE } from "../runs/charts";
import { UPlotChart } from "../runs/UPlotChart";
import { bandData, foldBand, type FoldCurve } from "./band";

const MEAN = "#1d2330";

function axisValue(v: number | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function FoldChart({
  curves,
  metric,
  epochs,
}: {
  curves: FoldCurve[];
  metric: string;
  epochs: number;
}) {
  const band = useMemo(() => foldBand(curves), [curves]);
  const data = useMemo(() => bandData(curves, band) as uPlot.AlignedData, [curves, band]);
  const k = curves.length;
  const options = useCallback(
    (width: number): uPlot.Options => ({
      width,
      height: 300,
      legend: { show: true, live: true },
      scales: {
        x: { time: false, range: (_u, min, max) => [Math.min(1, min ?? 1), Math.max(epochs, max ?? 1, 2)] },
      },
      axes: [
        {
          label: "epoch",
          size: 36,
          labelSize: 14,
          // Whole epochs only.
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          values: (_u, splits) => splits.map((v) => axisValue(v)),
        },
        { size: 56, values: (_u, splits) => splits.map((v) => axisValue(v)) },
      ],
      series: [
        { label: "epoch" },
        ...Array.from({ length: k }, (_c, i) => ({
          label: `fold ${i + 1}`,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.25,
          spanGaps: true,
          points: { show: true, size: 4, space: 0, fill: PALETTE[i % PALETTE.length] },
        })),
        {
          label: "mean",
          stroke: MEAN,
          width: 2.5,
          spanGaps: true,
          points: { show: true, size: 6, space: 0, fill: MEAN },
        },
        {
          label: "mean − std",
          stroke: "rgba(29, 35, 48, 0.3)",
          width: 1,
          dash: [4, 3],
          spanGaps: true,
          points: { show: false },
        },
        {
          label: "mean + std",
          stroke: "rgba(29, 35, 48, 0.3)",
          width: 1,
          dash: [4, 3],
          spanGaps: true,
          points: { show: false },
        },
      ],
      bands: [{ series: [k + 3, k + 2], fill: "rgba(29, 35, 48, 0.14)" }],
    }),
    [k, epochs],
  );
  const getData = useCallback(() => data, [data]);
  const afterDraw = useCallback(
    (el: HTMLElement) => {
      el.dataset.folds = String(k);
      el.dataset.epochs = String(band.epochs.length);
    },
    [k, band],
  );
  // Not appended to in place: new data (another poll, another metric) is a new chart.
  const key = `${metric}:${k}:${epochs}:${curves.map((c) => c.size).join(",")}:${band.mean.join(",")}`;
  return (
    <UPlotChart
      options={options}
      data={getData}
      optionsKey={key}
      height={300}
      testId="crossval-chart"
      afterDraw={afterDraw}
    />
  );
}
