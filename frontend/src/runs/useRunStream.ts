import { useEffect, useState, useSyncExternalStore } from "react";
import { RunStream, type RunView } from "./stream";

/** A RunStream for this run id, started while the component is mounted. */
export function useRunStream(runId: string): { stream: RunStream; view: RunView } {
  const [stream, setStream] = useState(() => new RunStream(runId));
  useEffect(() => {
    // A new id, or StrictMode's second mount after a stop: a fresh stream.
    let current = stream;
    if (current.runId !== runId || current.stopped) {
      current = new RunStream(runId);
      setStream(current);
    }
    current.start();
    return () => current.stop();
  }, [runId, stream]);
  const view = useSyncExternalStore(stream.subscribe, stream.getView, stream.getView);
  return { stream, view };
}

/** The series' chart keys ("loss,accuracy"), re-rendering only when a chart is added. */
export function useChartKeys(stream: RunStream): string[] {
  const joined = useSyncExternalStore(
    stream.subscribeSeries,
    () => stream.series.keys.join(","),
    () => stream.series.keys.join(","),
  );
  return joined ? joined.split(",") : [];
}
