// The compared runs, kept current: each is read once over HTTP; one still queued or training is then
// followed over its websocket (the run page's RunStream), so its curve grows on the comparison chart
// epoch by epoch, and its final state (test metrics, figures) arrives when it ends.
import { useEffect, useRef, useState } from "react";
import { FINISHED, runsApi, type Run } from "../../api/runs";
import { RunStream } from "../stream";

interface Follow {
  stream: RunStream;
  unsubscribe: () => void;
}

export function useCompareRuns(ids: number[]): Record<number, Run> {
  const [runs, setRuns] = useState<Record<number, Run>>({});
  const follows = useRef(new Map<number, Follow>());
  const key = ids.join(",");

  // Read the runs not read yet; forget the ones no longer compared.
  useEffect(() => {
    let alive = true;
    const wanted = new Set(ids);
    setRuns((current) => {
      const kept = Object.fromEntries(Object.entries(current).filter(([id]) => wanted.has(Number(id))));
      return Object.keys(kept).length === Object.keys(current).length ? current : kept;
    });
    for (const [id, follow] of follows.current) {
      if (wanted.has(id)) continue;
      follow.unsubscribe();
      follow.stream.stop();
      follows.current.delete(id);
    }
    for (const id of ids) {
      if (follows.current.has(id)) continue;
      runsApi
        .run(id)
        .then((run) => {
          if (!alive) return;
          setRuns((current) => ({ ...current, [id]: run }));
          if (!FINISHED.has(run.status)) follow(id);
        })
        .catch(() => undefined);
    }
    return () => {
      alive = false;
    };
    // `ids` is read through its key
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  function follow(id: number) {
    if (follows.current.has(id)) return;
    const stream = new RunStream(String(id));
    let last: Run | null = null;
    // Batch events change the view's position only; a new `run` (snapshot, epoch, status, done, the
    // final read) is what the comparison shows.
    const unsubscribe = stream.subscribe(() => {
      const run = stream.view.run;
      if (!run || run === last) return;
      last = run;
      setRuns((current) => (id in current || follows.current.has(id) ? { ...current, [id]: run } : current));
    });
    follows.current.set(id, { stream, unsubscribe });
    stream.start();
  }

  // Stop following when the panel goes.
  useEffect(() => {
    const map = follows.current;
    return () => {
      for (const f of map.values()) {
        f.unsubscribe();
        f.stream.stop();
      }
      map.clear();
    };
  }, []);

  return runs;
}
