// The "tune" toggle of a field (a block's parameter in the Inspector, a training setting in the Train
// panel) and, while it is on, the dimension's editor: a range (low, high, log scale, step) for a
// number, the choices to try for a choice. The dimension lives in the graph store's space.
import { useState } from "react";
import { graphStore, useGraph } from "../graph/store";
import { checkDimension, defaultDimension, type Bounds, type Dimension } from "./space";
import { useSweep } from "./store";
import "./tune.css";

export interface TuneProps {
  target: string;
  bounds: Bounds;
  /** the value in effect now (the set one, or the default): the range is centred on it */
  value: unknown;
  /** the field's data-testid path: "units", "layer.units", "train.learning_rate" */
  testPath: string;
}

export function TuneToggle({ target, bounds, value, testPath }: TuneProps) {
  const tuned = useGraph((s) => target in s.space);
  return (
    <button
      type="button"
      className={`tune-toggle nodrag${tuned ? " on" : ""}`}
      data-testid={`tune-${testPath}`}
      aria-pressed={tuned}
      title={tuned ? "Stop tuning: train with the value set" : "Tune: search this value in a sweep"}
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        graphStore.getState().setDimension(target, tuned ? null : defaultDimension(target, bounds, value));
      }}
    >
      <span aria-hidden>⚙</span> {tuned ? "tuned" : "tune"}
    </button>
  );
}

/** The dimension's editor, under the field, while it is tuned. */
export function DimensionEditor({ target, bounds, testPath }: Omit<TuneProps, "value">) {
  const dim = useGraph((s) => s.space[target]);
  const refusal = useSweep((s) => (s.refusal?.target === target ? s.refusal : null));
  if (!dim) return null;
  const errors = checkDimension(dim, bounds);
  const serverError = refusal ? refusal.detail : null;
  const update = (changes: Partial<Dimension>, key: string) => {
    graphStore.getState().setDimension(target, { ...dim, ...changes }, `space:${target}:${key}`);
    if (refusal) useSweep.getState().setRefusal(null);
  };
  const messages = [...new Set(Object.entries(errors).map(([k, m]) => `${k}: ${m}`))];
  return (
    <div className="dimension" data-testid={`dim-${testPath}`} data-target={target}>
      {dim.kind === "choice" ? (
        <ChoicePicker
          dim={dim}
          bounds={bounds}
          testPath={testPath}
          onChange={(c) => update({ choices: c }, "choices")}
        />
      ) : (
        <div className="dim-range">
          <NumberBox
            label="low"
            value={dim.low}
            whole={dim.kind === "int"}
            testId={`dim-low-${testPath}`}
            invalid={!!errors.low || refusal?.dimensionField === "low"}
            onValue={(low) => update({ low }, "low")}
          />
          <NumberBox
            label="high"
            value={dim.high}
            whole={dim.kind === "int"}
            testId={`dim-high-${testPath}`}
            invalid={!!errors.high || refusal?.dimensionField === "high"}
            onValue={(high) => update({ high }, "high")}
          />
          <NumberBox
            label="step"
            value={dim.step}
            optional
            whole={dim.kind === "int"}
            testId={`dim-step-${testPath}`}
            invalid={!!errors.step || refusal?.dimensionField === "step"}
            onValue={(step) => update({ step }, "step")}
          />
          <label className="dim-log" title="Sample on a log scale (sizes, learning rates)">
            <input
              type="checkbox"
              data-testid={`dim-log-${testPath}`}
              checked={!!dim.log}
              onChange={(e) => update({ log: e.target.checked }, "log")}
            />
            log
          </label>
        </div>
      )}
      {(messages.length > 0 || serverError) && (
        <div className="field-error" data-testid={`dim-error-${testPath}`}>
          {serverError ?? messages.join("; ")}
        </div>
      )}
    </div>
  );
}

function NumberBox(props: {
  label: string;
  value: number | undefined;
  whole: boolean;
  optional?: boolean;
  testId: string;
  invalid: boolean;
  onValue(value: number | undefined): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [bad, setBad] = useState(false);
  const shown = draft ?? (props.value === undefined ? "" : String(props.value));
  return (
    <label className="dim-box">
      <span>{props.label}</span>
      <input
        type="text"
        className="nodrag"
        inputMode={props.whole ? "numeric" : "decimal"}
        spellCheck={false}
        autoComplete="off"
        data-testid={props.testId}
        placeholder={props.optional ? "none" : ""}
        aria-invalid={props.invalid || bad}
        value={shown}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const trimmed = text.trim();
          if (!trimmed && props.optional) {
            setBad(false);
            props.onValue(undefined);
            return;
          }
          const n = Number(trimmed);
          const ok = trimmed !== "" && Number.isFinite(n);
          setBad(!ok);
          if (ok) props.onValue(n);
        }}
        onBlur={() => {
          if (!bad) setDraft(null);
        }}
      />
    </label>
  );
}

function ChoicePicker({
  dim,
  bounds,
  testPath,
  onChange,
}: {
  dim: Dimension;
  bounds: Bounds;
  testPath: string;
  onChange(choices: unknown[]): void;
}) {
  const all = bounds.choices ?? [];
  const picked = dim.choices ?? [];
  return (
    <div className="dim-choices" role="group" aria-label="choices to try">
      {all.map((choice) => {
        const name = choice === null ? "None" : String(choice);
        const on = picked.some((c) => c === choice);
        return (
          <label key={name} className={`dim-chip${on ? " on" : ""}`}>
            <input
              type="checkbox"
              data-testid={`dim-choice-${testPath}-${name}`}
              checked={on}
              onChange={(e) =>
                // Kept in the catalog's order, whatever order they were picked in.
                onChange(all.filter((c) => (c === choice ? e.target.checked : picked.some((p) => p === c))))
              }
            />
            {name}
          </label>
        );
      })}
    </div>
  );
}
