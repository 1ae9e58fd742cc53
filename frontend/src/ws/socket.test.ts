import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, ReconnectingSocket, wsUrl, type SocketState, type WebSocketLike } from "./socket";

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  closed: number | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closed = code;
    this.readyState = 3;
  }
  // server side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  message(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
}

describe("backoff", () => {
  it("doubles from the base up to the cap, with jitter below the nominal delay", () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, {}, none))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000,
    ]);
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1000, factor: 3 }, none)).toBe(900);
    expect(backoffDelay(0, { jitter: 0.5 }, () => 1)).toBe(250);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3);
      expect(d).toBeGreaterThanOrEqual(4000 * 0.7);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it("builds ws:// or wss:// URLs on the page host", () => {
    expect(wsUrl("/ws/runs/3/", { protocol: "http:", host: "localhost:8000" })).toBe(
      "ws://localhost:8000/ws/runs/3/",
    );
    expect(wsUrl("ws/runs/3/", { protocol: "https:", host: "example.org" })).toBe(
      "wss://example.org/ws/runs/3/",
    );
  });
});

describe("ReconnectingSocket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make(extra: Partial<ConstructorParameters<typeof ReconnectingSocket>[1]> = {}) {
    const states: [SocketState, number | undefined][] = [];
    const messages: unknown[] = [];
    const socket = new ReconnectingSocket("ws://x/ws/runs/1/", {
      create: (url) => new FakeSocket(url),
      onMessage: (m) => messages.push(m),
      onState: (s, info) => states.push([s, info.delay]),
      random: () => 0,
      pingMs: 0,
      ...extra,
    });
    return { socket, states, messages };
  }

  it("reconnects with growing delays until it gets through, then starts the backoff over", () => {
    const { socket, states, messages } = make();
    socket.start();
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0].open();
    FakeSocket.all[0].message({ type: "snapshot", run: { id: 1 } });
    expect(messages).toEqual([{ type: "snapshot", run: { id: 1 } }]);

    FakeSocket.all[0].drop();
    expect(socket.state).toBe("reconnecting");
    expect(states.at(-1)).toEqual(["reconnecting", 500]);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].drop(); // refused
    expect(states.at(-1)).toEqual(["reconnecting", 1000]);
    vi.advanceTimersByTime(1000);
    FakeSocket.all[2].drop();
    expect(states.at(-1)).toEqual(["reconnecting", 2000]);
    vi.advanceTimersByTime(2000);
    FakeSocket.all[3].open();
    expect(socket.state).toBe("open");
    FakeSocket.all[3].message({ type: "snapshot", run: { id: 1 } });
    // A message arrived: the next loss waits the base delay again.
    FakeSocket.all[3].drop();
    expect(states.at(-1)).toEqual(["reconnecting", 500]);
    socket.stop();
  });

  it("stops for good on 4401 and 4404, and on stop()", () => {
    const { socket, states } = make();
    socket.start();
    FakeSocket.all[0].open();
    FakeSocket.all[0].drop(4404);
    expect(socket.state).toBe("closed");
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(states.at(-1)?.[0]).toBe("closed");

    const other = make();
    other.socket.start();
    FakeSocket.all[1].open();
    other.socket.stop();
    expect(FakeSocket.all[1].closed).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("pings, and drops a connection that stays silent", () => {
    const { socket, states } = make({ pingMs: 1000, staleAfterMs: 2500 });
    socket.start();
    const ws = FakeSocket.all[0];
    ws.open();
    vi.advanceTimersByTime(1000);
    expect(ws.sent).toEqual([JSON.stringify({ type: "ping" })]);
    ws.message({ type: "pong" });
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    // Silent for over 2.5 s: closed and a new connection on the way.
    expect(ws.closed).toBe(4000);
    expect(states.at(-1)?.[0]).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
    socket.stop();
  });
});
