// A websocket that comes back: on a lost connection it reconnects with exponential backoff (and
// jitter), and says so. The server sends a snapshot first on every connect, so nothing needs to be
// replayed by the client. Close codes 4401 (not logged in) and 4404 (no such run) are final, and so
// is stop(). A connection that stays silent past `staleAfterMs` (pings go out every `pingMs`) is
// treated as lost.

export type SocketState = "connecting" | "open" | "reconnecting" | "closed";

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  /** 0..1: the delay is scaled by a random factor in [1 - jitter, 1] */
  jitter?: number;
}

/** The delay before reconnect attempt `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs = 500, maxMs = 15_000, factor = 2, jitter = 0.3 } = options;
  const raw = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt));
  return Math.round(raw * (1 - jitter * random()));
}

/** ws:// or wss:// on this page's host. */
export function wsUrl(path: string, location: { protocol: string; host: string } = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path.startsWith("/") ? path : `/${path}`}`;
}

export const FINAL_CLOSE_CODES: Record<number, string> = {
  4401: "log in to follow this run",
  4404: "no such run (or it is not yours)",
};

export interface SocketInfo {
  attempt: number;
  /** ms until the next attempt, when reconnecting */
  delay?: number;
  code?: number;
  reason?: string;
}

export interface WebSocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketOptions extends BackoffOptions {
  onMessage(data: unknown): void;
  onState?(state: SocketState, info: SocketInfo): void;
  create?: (url: string) => WebSocketLike;
  random?: () => number;
  pingMs?: number;
  staleAfterMs?: number;
  timers?: {
    setTimeout: (fn: () => void, ms: number) => unknown;
    clearTimeout: (id: unknown) => void;
    now: () => number;
  };
}

const defaultTimers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms) as unknown,
  clearTimeout: (id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class ReconnectingSocket {
  state: SocketState = "closed";
  attempt = 0;
  private ws: WebSocketLike | null = null;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private stopped = true;
  private lastMessageAt = 0;
  private readonly timers: NonNullable<SocketOptions["timers"]>;

  constructor(
    readonly url: string,
    private readonly options: SocketOptions,
  ) {
    this.timers = options.timers ?? defaultTimers;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Close for good (leaving the page, the run finished). */
  stop() {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try {
        ws.close(1000, "bye");
      } catch {
        // already closed
      }
    }
    this.setState("closed", { attempt: this.attempt });
  }

  send(data: unknown) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(data));
  }

  private setState(state: SocketState, info: SocketInfo) {
    this.state = state;
    this.options.onState?.(state, info);
  }

  private clearTimers() {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
  }

  private open() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting", { attempt: this.attempt });
    let ws: WebSocketLike;
    try {
      ws = (this.options.create ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike))(
        this.url,
      );
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastMessageAt = this.timers.now();
      this.setState("open", { attempt: this.attempt });
      this.schedulePing();
    };
    ws.onmessage = (ev) => {
      this.lastMessageAt = this.timers.now();
      let data: unknown = ev.data;
      if (typeof data === "string") {
        try {
          data = JSON.parse(data);
        } catch {
          return;
        }
      }
      // A message means the connection works: the next loss starts the backoff over.
      this.attempt = 0;
      if ((data as { type?: string })?.type === "pong") return;
      this.options.onMessage(data);
    };
    ws.onerror = () => {
      // onclose follows
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
      this.pingTimer = null;
      if (this.stopped) return;
      if (FINAL_CLOSE_CODES[ev.code]) {
        this.stopped = true;
        this.setState("closed", { attempt: this.attempt, code: ev.code, reason: FINAL_CLOSE_CODES[ev.code] });
        return;
      }
      this.scheduleRetry(ev.code);
    };
  }

  private scheduleRetry(code?: number) {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.options, this.options.random);
    this.attempt += 1;
    this.setState("reconnecting", { attempt: this.attempt, delay, code });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private schedulePing() {
    const pingMs = this.options.pingMs ?? 15_000;
    const staleAfter = this.options.staleAfterMs ?? 40_000;
    if (pingMs <= 0) return;
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      const ws = this.ws;
      if (!ws || this.stopped) return;
      if (this.timers.now() - this.lastMessageAt > staleAfter) {
        // Silent for too long: drop it and reconnect.
        ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
        this.ws = null;
        try {
          ws.close(4000, "stale");
        } catch {
          // ignore
        }
        this.scheduleRetry();
        return;
      }
      this.send({ type: "ping" });
      this.schedulePing();
    }, pingMs);
  }
}
