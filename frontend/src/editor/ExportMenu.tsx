// The Export group's model formats beyond .keras: the untrained graph as a TensorFlow SavedModel (zip),
// ONNX or TensorFlow Lite, converted by the server (POST /api/graphs/export?format=...).
import { useEffect, useRef, useState } from "react";
import type { ExportFormat } from "../api/client";
import { exportAs } from "./commands";

const FORMATS: { format: ExportFormat; title: string; doc: string }[] = [
  { format: "savedmodel", title: "SavedModel (.zip)", doc: "TensorFlow Serving, TF.js and TF tooling" },
  { format: "onnx", title: "ONNX (.onnx)", doc: "onnxruntime in Python, C++, C#, JavaScript…" },
  { format: "tflite", title: "TensorFlow Lite (.tflite)", doc: "Android, iOS and microcontrollers" },
];

export function ExportModelMenu() {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    wrap.current?.querySelector<HTMLButtonElement>("[role=menuitem]")?.focus();
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  async function choose(format: ExportFormat) {
    setOpen(false);
    setBusy(format);
    try {
      await exportAs(format);
    } finally {
      setBusy(null);
    }
  }

  function onMenuKey(e: React.KeyboardEvent) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const items = Array.from(wrap.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]") ?? []);
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const next = (at + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
    items[next]?.focus();
  }

  const label = FORMATS.find((f) => f.format === busy)?.title.split(" ")[0];
  return (
    <div className="menu-wrap" ref={wrap}>
      <button
        ref={button}
        data-testid="export-model-menu"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-haspopup="menu"
        disabled={busy !== null}
        aria-busy={busy !== null}
        title="Download the untrained model as a SavedModel, ONNX or TensorFlow Lite file"
      >
        {busy ? (
          <>
            <span
              className="spinner"
              style={{ display: "inline-block", verticalAlign: "-1px" }}
              aria-hidden="true"
            />{" "}
            {label}…
          </>
        ) : (
          "More ▾"
        )}
      </button>
      {open && (
        <div
          className="popover menu export-menu"
          role="menu"
          data-testid="export-model-list"
          onKeyDown={onMenuKey}
        >
          {FORMATS.map(({ format, title, doc }) => (
            <button
              key={format}
              role="menuitem"
              className="menu-item"
              data-testid={`export-${format}`}
              onClick={() => choose(format)}
            >
              <span className="menu-item-title">{title}</span>
              <span className="menu-item-doc">{doc}</span>
            </button>
          ))}
          <div className="menu-note muted small">The untrained model: train it for learned weights.</div>
        </div>
      )}
    </div>
  );
}
