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
import "./train.css";

export function TrainPanel() {
  const setOpen = useTrain((s) => s.setOpen);
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  const projectId = useGraph((s) => s.projectId);
  const runsPath = projectId !== null ? `/runs?project=${projectId}` : "/runs";
  const mode = useSweep((s) => s.mode);
  const setMode = useSweep((s) => s.setMode);
  const tuned = useGraph((s) => Object.keys(s.space).length);
  useRunCheck();
  return (
    <aside className="train-panel" data-testid="train-panel" data-mode={mode} aria-label="Train">
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
