// One run followed live: the websocket (snapshot, then events), the chart series, the progress
// figures. Framework-free; the run page reads it through useRunStream (useSyncExternalStore) and
// the charts subscribe to it directly, so a batch event redraws charts without re-rendering React.
import { FINISHED, runsApi, type EpochEntry, type Run, type RunStatus } from "../api/runs";
import type { components } from "../api/schema.gen";
import { ReconnectingSocket, wsUrl, type SocketInfo, type SocketState } from "../ws/socket";
import { RateMeter, type Position } from "./progress";
import {
  applyBatch,
  applyEpoch,
  batchPoints,
  emptySeries,
  mergeBatches,
  rebuild,
  type Series,
} from "./series";

export interface RunView {
  run: Run | null;
  status: RunStatus | null;
  position: Position | null;
  stepsPerSecond: number | null;
  connection: SocketState;
  connectionInfo: SocketInfo;
  /** a message from an `error` event, or why the socket closed for good */
  error: string | null;
  /** server time minus client time, in seconds */
  clockOffset: number;
  /** how many snapshots arrived (1 on a fresh page; more after reconnects) */
  snapshots: number;
}

/** A message of /ws/runs/{id}/: the server's RunEvent component (trainer/events.py's TypedDicts). */
export type RunEvent = components["schemas"]["RunEvent"];

export class RunStream {
  series: Series = emptySeries();
  view: RunView = {
    run: null,
    status: null,
    position: null,
    stepsPerSecond: null,
    connection: "closed",
    connectionInfo: { attempt: 0 },
    error: null,
    clockOffset: 0,
    snapshots: 0,
  };
  private listeners = new Set<() => void>();
  private seriesListeners = new Set<() => void>();
  private socket: ReconnectingSocket | null = null;
  private rate = new RateMeter(10);
  private refetching = false;

  constructor(
    readonly runId: string,
    private readonly options: { socket?: boolean; fetchRun?: (id: string) => Promise<Run> } = {},
  ) {}

  /** stop() was called: this stream is done (a remount makes a new one). */
  stopped = false;

  start() {
    if (this.options.socket === false || this.stopped || this.socket) return;
    this.socket = new ReconnectingSocket(wsUrl(`/ws/runs/${encodeURIComponent(this.runId)}/`), {
      onMessage: (data) => this.handle(data as RunEvent),
      onState: (state, info) => {
        this.update({
          connection: state,
          connectionInfo: info,
          error: state === "closed" && info.reason ? info.reason : this.view.error,
        });
      },
    });
    this.socket.start();
  }

  stop() {
    this.stopped = true;
    this.socket?.stop();
    this.socket = null;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  subscribeSeries = (listener: () => void) => {
    this.seriesListeners.add(listener);
    return () => this.seriesListeners.delete(listener);
  };

  getView = () => this.view;

  private update(patch: Partial<RunView>) {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  private seriesChanged() {
    for (const l of this.seriesListeners) l();
  }

  /** One server message. Public for tests. */
  handle(ev: RunEvent) {
    if (!ev || typeof ev !== "object") return;
    const clockOffset = typeof ev.t === "number" ? ev.t - Date.now() / 1000 : this.view.clockOffset;
    switch (ev.type) {
      case "snapshot": {
        const run = ev.run;
        // The server's batch points (the whole run so far, for any viewer); after a reconnect, with the
        // ones this page saw (maybe newer than the server's last save), one per (epoch, step).
        const batches = mergeBatches(batchPoints(run.batches), this.series.batches);
        const done = run.history?.length ?? 0;
        this.series = rebuild(run.history ?? [], batches, this.series);
        const epochs = run.training?.epochs ?? 0;
        const last = this.view.position;
        const position: Position | null =
          last && last.epoch >= done
            ? { ...last, epochs: epochs || last.epochs }
            : done > 0
              ? { epoch: done, step: 1, steps: 1, epochs }
              : null;
        this.rate.reset();
        this.update({
          run,
          status: run.status,
          position,
          stepsPerSecond: null,
          clockOffset,
          snapshots: this.view.snapshots + 1,
          error: run.status === "failed" ? run.error : null,
        });
        this.seriesChanged();
        if (FINISHED.has(run.status)) this.finish();
        break;
      }
      case "status": {
        let run = this.view.run ? { ...this.view.run, status: ev.status } : null;
        if (run && ev.status === "running" && !run.started_at && typeof ev.t === "number") {
          run = { ...run, started_at: new Date(ev.t * 1000).toISOString() };
        }
        this.update({ status: ev.status, run, clockOffset });
        if (FINISHED.has(ev.status)) this.scheduleRefetch();
        break;
      }
      case "batch": {
        applyBatch(this.series, ev);
        const epochs = ev.epochs ?? this.view.run?.training?.epochs ?? this.view.position?.epochs ?? ev.epoch;
        const position = { epoch: ev.epoch, step: ev.step, steps: ev.steps, epochs };
        this.rate.add(ev.t, (ev.epoch - 1) * ev.steps + ev.step);
        const patch: Partial<RunView> = { position, stepsPerSecond: this.rate.stepsPerSecond(), clockOffset };
        if (this.view.status === "queued") patch.status = "running";
        this.update(patch);
        this.seriesChanged();
        break;
      }
      case "epoch": {
        const entry: EpochEntry = {
          epoch: ev.epoch,
          metrics: ev.metrics ?? {},
          lr: ev.lr,
          seconds: ev.seconds,
          epochs: ev.epochs,
          ...(ev.phase !== undefined ? { phase: ev.phase } : {}), // fine-tuning's phase, for the charts
          t: ev.t,
          type: "epoch",
        };
        applyEpoch(this.series, entry);
        const run = this.view.run;
        let nextRun = run;
        if (run) {
          const history = [...(run.history ?? []).filter((h) => h.epoch !== ev.epoch), entry].sort(
            (a, b) => a.epoch - b.epoch,
          );
          nextRun = { ...run, history, epochs_done: history.length };
        }
        const last = this.view.position;
        const steps = last?.steps ?? 1;
        const epochs = ev.epochs ?? run?.training?.epochs ?? last?.epochs ?? ev.epoch;
        const position =
          last && last.epoch > ev.epoch ? last : { epoch: ev.epoch, step: steps, steps, epochs };
        this.update({ run: nextRun, position, clockOffset });
        this.seriesChanged();
        break;
      }
      case "done": {
        const run = this.view.run ? { ...this.view.run, status: ev.status, test: ev.test } : null;
        this.update({ status: ev.status, run, clockOffset });
        this.scheduleRefetch();
        break;
      }
      case "error": {
        this.update({ error: ev.message, clockOffset });
        this.scheduleRefetch();
        break;
      }
      case "system": {
        // a system sample of the worker (CPU, memory, GPU): the run's `system`, one more point
        const run = this.view.run;
        if (run) {
          const { type: _type, ...sample } = ev;
          this.update({ run: { ...run, system: [...(run.system ?? []), sample] }, clockOffset });
        }
        break;
      }
      default:
        break;
    }
  }

  /** The run finished: fetch it whole (figures, files) once, then close the socket. */
  private scheduleRefetch() {
    if (this.refetching) return;
    this.refetching = true;
    // The worker publishes status then done; give the rest a moment to arrive, then read the row.
    setTimeout(() => {
      const fetchRun = this.options.fetchRun ?? ((id: string) => runsApi.run(id));
      fetchRun(this.runId)
        .then((run) => {
          this.update({
            run,
            status: run.status,
            error: run.status === "failed" ? (run.error ?? this.view.error) : this.view.error,
          });
          if (FINISHED.has(run.status)) {
            if (run.history?.length || run.batches?.length) {
              const batches = mergeBatches(batchPoints(run.batches), this.series.batches);
              this.series = rebuild(run.history ?? [], batches, this.series);
              this.seriesChanged();
            }
            this.finish();
          } else {
            this.refetching = false;
          }
        })
        .catch(() => {
          this.refetching = false;
        });
    }, 150);
  }

  private finish() {
    this.socket?.stop();
    this.socket = null;
  }
}
