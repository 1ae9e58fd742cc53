// The Train panel beside the canvas: dataset (preview, fields, upload), the binding of Input and
// Output blocks to its fields, the training settings and callbacks (rendered from the server's
// declaration), and the Train button (disabled with the reason while the graph has errors, nobody is
// logged in, or the server's run check refuses). Which field each block takes, and what does not fit,
// is the server's answer to POST /api/runs/check.
import { AuthForm } from "../../auth/AuthForm";
import { useSession } from "../../auth/session";
import { useGraph } from "../../graph/store";
import { navigate } from "../../router";
import { useSweep } from "../../sweeps/store";
import { useRunCheck } from "../check";
import { useTrain } from "../store";
import { BindingSection } from "./BindingSection";
import { CallbacksSection } from "./CallbacksSection";
import { CrossvalOption } from "./CrossvalOption";
import { DatasetSection } from "./DatasetSection";
import { SettingsSection } from "./SettingsSection";
import { SweepFooter } from "./SweepFooter";
import { SweepSection } from "./SweepSection";
import { TrainFooter } from "./TrainFooter";
import { MIN_TRAIN, useTrainLayout } from "./layout";
import "./train.css";

export function TrainPanel({ width, maxWidth }: { width: number; maxWidth: number }) {
  const setOpen = useTrain((s) => s.setOpen);
  const collapsed = useTrainLayout((s) => s.collapsed);
  const setCollapsed = useTrainLayout((s) => s.setCollapsed);
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  const projectId = useGraph((s) => s.projectId);
  const runsPath = projectId !== null ? `/runs?project=${projectId}` : "/runs";
  const mode = useSweep((s) => s.mode);
  const setMode = useSweep((s) => s.setMode);
  const tuned = useGraph((s) => Object.keys(s.space).length);
  useRunCheck();
  if (collapsed)
    return (
      <aside className="train-panel collapsed" data-testid="train-panel-collapsed" aria-label="Train">
        <button
          className="train-expand"
          data-testid="train-expand"
          onClick={() => setCollapsed(false)}
          title="Show the Train panel"
          aria-label="Show the Train panel"
        >
          ◂ <span className="train-expand-label">Train</span>
        </button>
      </aside>
    );
  return (
    <aside className="train-panel" data-testid="train-panel" data-mode={mode} aria-label="Train">
      <ResizeHandle width={width} maxWidth={maxWidth} />
      <header className="train-head">
        <div className="mode-switch" role="tablist" aria-label="Train one model or sweep">
          <button
            role="tab"
            aria-selected={mode === "train"}
            className={mode === "train" ? "on" : undefined}
            data-testid="mode-train"
            onClick={() => setMode("train")}
          >
            Train
          </button>
          <button
            role="tab"
            aria-selected={mode === "sweep"}
            className={mode === "sweep" ? "on" : undefined}
            data-testid="mode-sweep"
            onClick={() => setMode("sweep")}
            title="Search hyperparameters: many trials, one per combination"
          >
            Sweep{tuned > 0 && <span className="count-chip">{tuned}</span>}
          </button>
        </div>
        <a
          href={runsPath}
          className="small"
          onClick={(e) => (e.preventDefault(), navigate(runsPath))}
          data-testid="train-runs-link"
        >
          {projectId !== null ? "This project's runs" : "All runs"}
        </a>
        <span className="spacer" />
        <button
          className="icon"
          onClick={() => setCollapsed(true)}
          data-testid="train-collapse"
          aria-label="Collapse the Train panel"
          title="Collapse to a strip (the settings stay)"
        >
          ▸
        </button>
        <button
          className="icon"
          onClick={() => setOpen(false)}
          data-testid="train-close"
          aria-label="Close the Train panel"
          title="Close"
        >
          ×
        </button>
      </header>
      <div className="train-body">
        {checked && !username && (
          <section className="train-section">
            <h3>Log in to train</h3>
            <p className="muted small">Runs, uploads and trained models belong to your account.</p>
            <AuthForm />
          </section>
        )}
        {username && <DatasetSection />}
        {username && <BindingSection />}
        {mode === "sweep" && <SweepSection />}
        <SettingsSection />
        <CallbacksSection />
        {username && mode === "train" && <CrossvalOption />}
      </div>
      {mode === "sweep" ? <SweepFooter /> : <TrainFooter />}
    </aside>
  );
}

/** The panel's left edge: drag it to widen or narrow the panel (the width is remembered). */
function ResizeHandle({ width, maxWidth }: { width: number; maxWidth: number }) {
  const setWidth = useTrainLayout((s) => s.setWidth);
  const clamp = (w: number) => Math.min(Math.max(w, MIN_TRAIN), Math.max(MIN_TRAIN, maxWidth));
  return (
    <div
      className="train-resize"
      data-testid="train-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the Train panel"
      aria-valuenow={width}
      aria-valuemin={MIN_TRAIN}
      aria-valuemax={maxWidth}
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.key === "ArrowLeft") setWidth(clamp(width + 20));
        if (e.key === "ArrowRight") setWidth(clamp(width - 20));
      }}
      onPointerDown={(e) => {
        e.preventDefault();
        const handle = e.currentTarget;
        handle.setPointerCapture(e.pointerId);
        const startX = e.clientX;
        const move = (ev: PointerEvent) => setWidth(clamp(width + startX - ev.clientX));
        const up = () => {
          handle.removeEventListener("pointermove", move);
          handle.removeEventListener("pointerup", up);
          handle.removeEventListener("pointercancel", up);
        };
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", up);
        handle.addEventListener("pointercancel", up);
      }}
    />
  );
}
