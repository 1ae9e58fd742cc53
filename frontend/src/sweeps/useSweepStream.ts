// One sweep followed live over /ws/sweeps/{id}/: a snapshot on every (re)connect, then one event per
// trial change. The socket reconnects like the run page's (ws/socket.ts); 4401 and 4404 are final.
import { useEffect, useState } from "react";
import { ReconnectingSocket, wsUrl, type SocketInfo, type SocketState } from "../ws/socket";
import { applyEvent } from "./analysis";
import { SWEEP_FINISHED, type Sweep, type SweepEvent } from "./api";

export interface SweepView {
  sweep: Sweep | null;
  connection: SocketState;
  info: SocketInfo;
  /** an `error` event's message, or why the socket closed for good */
  error: string | null;
  /** when the latest snapshot came (ms, client clock): running trials' durations count from it */
  snapshotAt: number;
}

const CLOSE_REASONS: Record<number, string> = {
  4401: "Log in to follow this sweep.",
  4404: "No such sweep (or it is not yours).",
};

export function useSweepStream(id: string): [SweepView, (sweep: Sweep) => void] {
  const [view, setView] = useState<SweepView>({
    sweep: null,
    connection: "connecting",
    info: { attempt: 0 },
    error: null,
    snapshotAt: 0,
  });
  useEffect(() => {
    const socket = new ReconnectingSocket(wsUrl(`/ws/sweeps/${encodeURIComponent(id)}/`), {
      onMessage: (data) => {
        const event = data as SweepEvent;
        setView((v) => ({
          ...v,
          sweep: applyEvent(v.sweep, event),
          error: event.type === "error" ? event.message : v.error,
          snapshotAt: event.type === "snapshot" ? Date.now() : v.snapshotAt,
        }));
        // A finished sweep sends nothing more: no need to hold the connection.
        if (event.type === "done" || (event.type === "snapshot" && SWEEP_FINISHED.has(event.sweep.status)))
          setTimeout(() => socket.stop(), 0);
      },
      onState: (state: SocketState, info: SocketInfo) =>
        setView((v) => ({
          ...v,
          connection: state,
          info,
          error:
            state === "closed" && info.code && CLOSE_REASONS[info.code] ? CLOSE_REASONS[info.code] : v.error,
        })),
    });
    socket.start();
    return () => socket.stop();
  }, [id]);
  const replace = (sweep: Sweep) => setView((v) => ({ ...v, sweep }));
  return [view, replace];
}
