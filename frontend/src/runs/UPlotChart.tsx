// A uPlot chart that is created once (again only when its options change, e.g. the log switch) and
// fed with setData: the data arrays are appended to in place by the series reducer; `subscribe`
// tells the chart when to redraw, at most once per animation frame.
import { useCallback, useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** A `subscribe` for UPlotChart that notifies the chart each time `data` changes (a new value, not a
 * mutation): for charts whose data is recomputed from props. */
export function useDataNotifier(data: unknown): (listener: () => void) => () => void {
  const listeners = useRef(new Set<() => void>());
  const subscribe = useCallback((listener: () => void) => {
    listeners.current.add(listener);
    return () => listeners.current.delete(listener);
  }, []);
  useEffect(() => {
    for (const l of listeners.current) l();
  }, [data]);
  return subscribe;
}

export interface UPlotChartProps {
  /** builds the options for a given width (height is the prop) */
  options: (width: number) => uPlot.Options;
  /** the data to show now (the same arrays may come back, mutated) */
  data: () => uPlot.AlignedData;
  /** change notifications; the chart redraws on the next frame */
  subscribe?: (listener: () => void) => () => void;
  /** recreate the chart when this changes */
  optionsKey: string;
  height: number;
  testId?: string;
  /** called after each redraw, with the chart's root element (for data-* attributes) */
  afterDraw?: (el: HTMLElement) => void;
  className?: string;
}

export function UPlotChart({
  options,
  data,
  subscribe,
  optionsKey,
  height,
  testId,
  afterDraw,
  className,
}: UPlotChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ options, data, afterDraw });
  latest.current = { options, data, afterDraw };

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth || 600);
    const chart = new uPlot(latest.current.options(width), latest.current.data(), el);
    plot.current = chart;
    latest.current.afterDraw?.(el);
    let frame = 0;
    const redraw = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        chart.setData(latest.current.data());
        latest.current.afterDraw?.(el);
      });
    };
    const unsubscribe = subscribe?.(redraw);
    const observer = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - chart.width) > 1) chart.setSize({ width: w, height });
    });
    observer.observe(el);
    return () => {
      unsubscribe?.();
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its options say so.
  }, [optionsKey, height, subscribe]);

  return <div ref={holder} className={className ?? "uplot-holder"} data-testid={testId} />;
}
