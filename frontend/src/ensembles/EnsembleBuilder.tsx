// The runs table's "Ensemble" bar: for the ticked runs, a name and the weights (equal, fitted on the
// validation split, or typed), POST /api/ensembles, and on to the ensemble's page. The server checks
// everything (same dataset, same Outputs, succeeded, ...); its refusal names the run and why, and
// that run's row is marked.
import { useState } from "react";
import type { RunSummary } from "../api/runs";
import { navigate } from "../router";
import { ensemblesApi, runNamed } from "./api";
import "./ensembles.css";
import { parseWeights } from "./weights";

type Mode = "uniform" | "optimize" | "given";

export function EnsembleBuilder({
  ids,
  runs,
  onRefused,
  onClear,
}: {
  ids: number[];
  runs: RunSummary[];
  onRefused(run: number | null): void;
  onClear(): void;
}) {
  const [mode, setMode] = useState<Mode>("uniform");
  const [name, setName] = useState("");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const parsed = mode === "given" ? parseWeights(typed, ids.length) : null;
  const reason =
    ids.length < 2
      ? "Tick at least two runs to ensemble them."
      : parsed?.error
        ? `Weights: ${parsed.error}.`
        : null;
  const label = (id: number) => {
    const run = runs.find((r) => r.id === id);
    return `${run?.name || "run"} #${id}`;
  };

  async function build() {
    setBusy(true);
    setRefusal(null);
    onRefused(null);
    try {
      const weights = mode === "given" ? parsed!.weights! : mode;
      const created = await ensemblesApi.create({ runs: ids, weights, name: name.trim() });
      navigate(`/ensembles/${created.id}`);
    } catch (e) {
      const message = (e as Error).message;
      setRefusal(message);
      onRefused(runNamed(message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="ensemble-bar" data-testid="ensemble-bar">
      <div className="ensemble-bar-row">
        <strong data-testid="runs-selected-count">
          {ids.length} run{ids.length === 1 ? "" : "s"} ticked
        </strong>
        <span className="muted small ensemble-members" title={ids.map(label).join(", ")}>
          {ids.map(label).join(" · ")}
        </span>
        <button className="link small" onClick={onClear} data-testid="runs-clear-selection">
          Clear
        </button>
      </div>
      <div className="ensemble-bar-row">
        <input
          className="ensemble-name"
          placeholder={`ensemble of runs ${ids.join(", ")}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="ensemble-name"
          aria-label="Ensemble name"
          maxLength={200}
        />
        <div className="segmented" role="radiogroup" aria-label="Weights">
          {(
            [
              ["uniform", "Equal weights", "Every member counts the same"],
              [
                "optimize",
                "Optimised weights",
                "Non-negative weights summing to one, fitted on the validation split the members were trained with (never the test split)",
              ],
              ["given", "My weights", "Type one weight per run, in the order ticked"],
            ] as const
          ).map(([value, text, title]) => (
            <button
              key={value}
              role="radio"
              aria-checked={mode === value}
              className={mode === value ? "on" : undefined}
              onClick={() => setMode(value)}
              title={title}
              data-testid={`ensemble-weights-${value}`}
            >
              {text}
            </button>
          ))}
        </div>
        {mode === "given" && (
          <input
            className="ensemble-weights-input"
            placeholder={ids.map(() => "1").join(", ")}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={!!parsed?.error && typed !== ""}
            aria-label="Weights, one per run"
            data-testid="ensemble-weights-typed"
          />
        )}
        <span className="spacer" />
        <button
          className="primary"
          onClick={build}
          disabled={!!reason || busy}
          title={reason ?? undefined}
          data-testid="ensemble-build"
        >
          {busy ? "Building…" : `Ensemble ${ids.length} run${ids.length === 1 ? "" : "s"}`}
        </button>
      </div>
      {reason && ids.length > 0 && (
        <p className="muted small" data-testid="ensemble-reason">
          {reason}
        </p>
      )}
      {refusal && (
        <div className="ensemble-refusal" role="alert" data-testid="ensemble-refusal">
          <strong>The server refused the ensemble.</strong> {refusal}
        </div>
      )}
    </div>
  );
}
