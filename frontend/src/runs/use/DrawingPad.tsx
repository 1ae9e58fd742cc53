// A canvas to draw on with a mouse, pen, finger or the keyboard: light strokes on black, as in
// Fashion-MNIST and MNIST, sampled to the model's small grey image ("what the model sees").
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from "react";
import { BRUSHES, downsample, PAD_SCALE, type Brush } from "./pad";

export interface PadHandle {
  clear(): void;
  /** Paints a grey image (height x width values in [0, 1]) onto the pad, to be drawn over. */
  load(grey: ArrayLike<number>): void;
}

interface Props {
  width: number;
  height: number;
  /** The pad as the model's grey image, at most once per animation frame while drawing. */
  onChange(grey: Float32Array): void;
  label: string;
}

/** The big pad's resolution: 10 canvas pixels per model pixel, bounded for large inputs. */
function scaleFor(width: number, height: number): number {
  return Math.max(1, Math.min(PAD_SCALE, Math.floor(320 / Math.max(width, height))));
}

export const DrawingPad = forwardRef<PadHandle, Props>(function DrawingPad(
  { width, height, onChange, label },
  ref,
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const frame = useRef<number | null>(null);
  const [brush, setBrush] = useState<Brush>("medium");
  const [cursor, setCursor] = useState<{ x: number; y: number; pen: boolean } | null>(null);
  const [empty, setEmpty] = useState(true);
  const scale = scaleFor(width, height);
  const W = width * scale;
  const H = height * scale;

  // The latest onChange, read when the pad changes: a new callback each render never redraws the pad.
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  const context = () => canvas.current?.getContext("2d", { willReadFrequently: true }) ?? null;

  const emit = useCallback(() => {
    frame.current = null;
    const ctx = context();
    if (!ctx) return;
    const grey = downsample(ctx.getImageData(0, 0, W, H).data, W, H, width, height);
    const small = preview.current?.getContext("2d");
    if (small) {
      const img = small.createImageData(width, height);
      for (let i = 0; i < grey.length; i++) {
        const v = Math.round(grey[i] * 255);
        img.data.set([v, v, v, 255], i * 4);
      }
      small.putImageData(img, 0, 0);
    }
    onChangeRef.current(grey);
  }, [W, H, width, height]);

  const changed = useCallback(() => {
    setEmpty(false);
    if (frame.current === null) frame.current = requestAnimationFrame(emit);
  }, [emit]);

  const clear = useCallback(() => {
    const ctx = context();
    if (!ctx) return;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, W, H);
    setEmpty(true);
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    emit();
  }, [W, H, emit]);

  useImperativeHandle(
    ref,
    () => ({
      clear,
      load(grey) {
        const ctx = context();
        if (!ctx) return;
        const img = ctx.createImageData(width, height);
        for (let i = 0; i < width * height; i++) {
          const v = Math.round(Math.min(1, Math.max(0, grey[i] ?? 0)) * 255);
          img.data.set([v, v, v, 255], i * 4);
        }
        const tmp = document.createElement("canvas");
        tmp.width = width;
        tmp.height = height;
        tmp.getContext("2d")?.putImageData(img, 0, 0);
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(tmp, 0, 0, W, H);
        changed();
      },
    }),
    [clear, changed, width, height, W, H],
  );

  useEffect(() => {
    clear();
    return () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    };
  }, [clear]);

  function stroke(from: { x: number; y: number }, to: { x: number; y: number }) {
    const ctx = context();
    if (!ctx) return;
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "#fff";
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = BRUSHES[brush] * scale;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    changed();
  }

  function point(e: React.PointerEvent<HTMLCanvasElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * W, y: ((e.clientY - rect.top) / rect.height) * H };
  }

  function onPointerDown(e: React.PointerEvent<HTMLCanvasElement>) {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    const p = point(e);
    last.current = p;
    stroke(p, p);
  }

  function onPointerMove(e: React.PointerEvent<HTMLCanvasElement>) {
    if (!last.current) return;
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    const rect = e.currentTarget.getBoundingClientRect();
    const points = events.length
      ? events.map((c) => ({
          x: ((c.clientX - rect.left) / rect.width) * W,
          y: ((c.clientY - rect.top) / rect.height) * H,
        }))
      : [point(e)];
    for (const p of points) {
      stroke(last.current, p);
      last.current = p;
    }
  }

  function onPointerUp() {
    last.current = null;
  }

  // The keyboard: arrows move a cursor (one model pixel, Shift for four), Space lifts or lowers the pen.
  function onKeyDown(e: React.KeyboardEvent<HTMLCanvasElement>) {
    const step = (e.shiftKey ? 4 : 1) * scale;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const here = cursor ?? { x: W / 2, y: H / 2, pen: false };
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      const next = { ...here, pen: !here.pen };
      setCursor(next);
      if (next.pen) stroke(here, here);
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      clear();
      return;
    }
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const next = {
      x: Math.min(W - 1, Math.max(0, here.x + move[0])),
      y: Math.min(H - 1, Math.max(0, here.y + move[1])),
      pen: here.pen,
    };
    if (here.pen) stroke(here, next);
    setCursor(next);
  }

  return (
    <div className="draw-pad">
      <div className="pad-frame" style={{ aspectRatio: `${W} / ${H}` }}>
        <canvas
          ref={canvas}
          width={W}
          height={H}
          className="pad-canvas"
          data-testid="try-pad"
          data-empty={empty}
          tabIndex={0}
          role="img"
          aria-label={`${label}: drawing pad, ${width} by ${height} pixels. Draw with the mouse or a finger; with the keyboard, arrows move the pen, Space lowers or lifts it, Delete clears.`}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onKeyDown={onKeyDown}
          onBlur={() => setCursor((c) => (c ? { ...c, pen: false } : c))}
        />
        {cursor && (
          <span
            className={`pad-cursor${cursor.pen ? " pen" : ""}`}
            aria-hidden="true"
            style={{
              left: `${(cursor.x / W) * 100}%`,
              top: `${(cursor.y / H) * 100}%`,
              width: `${((BRUSHES[brush] * scale) / W) * 100}%`,
            }}
          />
        )}
        {empty && (
          <span className="pad-hint" aria-hidden="true">
            Draw here
          </span>
        )}
      </div>
      <div className="pad-tools">
        <div className="segmented" role="radiogroup" aria-label="Brush">
          {(Object.keys(BRUSHES) as Brush[]).map((b) => (
            <button
              key={b}
              role="radio"
              aria-checked={brush === b}
              className={brush === b ? "active" : ""}
              data-testid={`try-brush-${b}`}
              onClick={() => setBrush(b)}
              title={`${b} brush (${BRUSHES[b]} pixels at ${width}x${height})`}
            >
              <span className="brush-dot" style={{ width: 3 + BRUSHES[b] * 3, height: 3 + BRUSHES[b] * 3 }} />
              <span className="sr-only">{b}</span>
            </button>
          ))}
        </div>
        <button data-testid="try-clear" onClick={clear} disabled={empty}>
          Clear
        </button>
        <span className="spacer" />
        <figure className="pad-preview" title={`What the model sees: ${width}x${height} grey`}>
          <canvas ref={preview} width={width} height={height} data-testid="try-pad-preview" />
          <figcaption className="muted small">
            model sees {width}×{height}
          </figcaption>
        </figure>
      </div>
    </div>
  );
});
