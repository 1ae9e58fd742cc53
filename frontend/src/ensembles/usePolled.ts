// Follows one ensemble or cross-validation live: GET it, then again every `intervalMs` while its
// status is not final. A 401 or 404 is final (the reason is kept); other failures (the server
// restarting, a dropped connection) are retried with a growing pause and said on the page.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";

export interface Polled<T> {
  data: T | null;
  /** why the last request failed (kept until one succeeds) */
  error: string | null;
  /** the HTTP status of a final failure (401, 404), else null */
  final: number | null;
  /** replace the data (after an action that answered with it) */
  set(data: T): void;
  reload(): void;
}

export function usePolled<T extends { status: string }>(
  load: () => Promise<T>,
  finished: ReadonlySet<string>,
  intervalMs = 1500,
): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [final, setFinal] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const step = () => {
      loader
        .current()
        .then((value) => {
          if (!alive) return;
          failures = 0;
          setData(value);
          setError(null);
          if (!finished.has(value.status)) timer = setTimeout(step, intervalMs);
        })
        .catch((e: unknown) => {
          if (!alive) return;
          setError((e as Error).message);
          if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
            setFinal(e.status);
            return;
          }
          failures += 1;
          timer = setTimeout(step, Math.min(15_000, intervalMs * 2 ** failures));
        });
    };
    step();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [finished, intervalMs, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, final, set: setData, reload };
}
