// The Sweep mode's own settings: sampler, trials, trials at once, seed, pruner, the objectives (one
// or two), and the dimensions tuned so far (from the Inspector and the settings below), each with
// its range and a remove button. The server's refusal shows at the field or dimension it names.
import { useMemo } from "react";
import { graphStore, useGraph } from "../../graph/store";
import type { BlockNode } from "../../graph/types";
import {
  checkDimension,
  describeDimension,
  paramBounds,
  settingBounds,
  targetLabel,
  targetNode,
  TRAINING_PREFIX,
  type Bounds,
  type Dimension,
} from "../../sweeps/space";
import { reportedMetrics } from "../../sweeps/analysis";
import {
  directionFor,
  PRUNERS,
  SAMPLER_LABELS,
  SAMPLERS,
  useSweep,
  type Objective,
  type Pruner,
  type Sampler,
} from "../../sweeps/store";
import type { SettingsDeclaration } from "../settingsSchema";
import { useTrain } from "../store";

/** The bounds of a target in this graph and declaration, or null where it no longer exists. */
export function boundsOfTarget(
  target: string,
  nodes: BlockNode[],
  specs: ReturnType<typeof graphStore.getState>["specs"],
  declaration: SettingsDeclaration | null,
): Bounds | null {
  if (target.startsWith(TRAINING_PREFIX)) {
    const decl = declaration?.fields.find((f) => f.name === target.slice(TRAINING_PREFIX.length));
    return decl ? settingBounds(decl) : null;
  }
  const id = targetNode(target);
  const node = nodes.find((n) => n.id === id);
  if (!node) return null;
  const path = target.slice(`nodes.${id}.`.length).split(".");
  let spec = specs[node.data.type];
  let params = node.data.params;
  // A wrapper's inner layer: "layer.units".
  while (spec && path.length > 1) {
    const outer = spec.params.find((p) => p.name === path[0]);
    const inner = params[path[0]] as { type?: string; params?: Record<string, unknown> } | undefined;
    if (outer?.kind !== "layer" || !inner?.type) break;
    spec = specs[inner.type];
    params = inner.params ?? {};
    path.shift();
  }
  const param = spec?.params.find((p) => p.name === path[0]);
  return param ? paramBounds(param) : null;
}

export function SweepSection() {
  const form = useSweep();
  const refusal = useSweep((s) => s.refusal);
  const space = useGraph((s) => s.space);
  const nodes = useGraph((s) => s.nodes);
  const specs = useGraph((s) => s.specs);
  const declaration = useTrain((s) => s.declaration);
  const metrics = useMemo(() => reportedMetrics(nodes), [nodes]);
  const dims = Object.values(space);
  const fieldError = (name: string) => (refusal && refusal.field === name ? refusal.detail : null);
  const sampler = form.sampler;
  return (
    <section className="train-section sweep-section" data-testid="sweep-section">
      <h3>Search</h3>
      <div className="sweep-grid">
        <label className="tfield">
          <span>Sampler</span>
          <select
            data-testid="sweep-sampler"
            value={sampler}
            aria-invalid={!!fieldError("sampler")}
            onChange={(e) => form.setForm({ sampler: e.target.value as Sampler })}
          >
            {SAMPLERS.map((s) => (
              <option key={s} value={s}>
                {SAMPLER_LABELS[s]}
              </option>
            ))}
          </select>
          <FieldError message={fieldError("sampler")} testId="sweep-error-sampler" />
        </label>
        <label className="tfield">
          <span>Pruner</span>
          <select
            data-testid="sweep-pruner"
            value={form.objectives.length > 1 ? "none" : form.pruner}
            disabled={form.objectives.length > 1}
            title={
              form.objectives.length > 1 ? "Two objectives: no pruning" : "Stop unpromising trials early"
            }
            aria-invalid={!!fieldError("pruner")}
            onChange={(e) => form.setForm({ pruner: e.target.value as Pruner })}
          >
            {PRUNERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <FieldError message={fieldError("pruner")} testId="sweep-error-pruner" />
        </label>
        <IntField
          label="Trials"
          name="trials"
          min={1}
          max={500}
          value={form.trials}
          error={fieldError("trials")}
        />
        <IntField
          label="At once"
          name="parallel"
          min={1}
          max={64}
          value={form.parallel}
          error={fieldError("parallel")}
          title="Trials run at the same time (each on a worker)"
        />
        <IntField
          label="Seed"
          name="seed"
          min={0}
          max={2147483647}
          value={form.seed}
          optional
          error={fieldError("seed")}
          title="Makes the sampler's suggestions repeatable; empty: unseeded"
        />
      </div>

      <h4>Objective{form.objectives.length > 1 ? "s (Pareto front)" : ""}</h4>
      <div className="objectives">
        {form.objectives.map((o, i) => (
          <ObjectiveRow
            key={i}
            index={i}
            objective={o}
            metrics={metrics}
            error={fieldError(`objectives[${i}].metric`) ?? fieldError(`objectives[${i}]`)}
          />
        ))}
        {form.objectives.length < 2 && (
          <button className="link small" data-testid="sweep-add-objective" onClick={form.addObjective}>
            + second objective (Pareto front)
          </button>
        )}
        <FieldError message={fieldError("objectives")} testId="sweep-error-objectives" />
      </div>

      <h4>
        Tuned <span className="count-chip">{dims.length}</span>
      </h4>
      {dims.length === 0 ? (
        <p className="muted small" data-testid="sweep-no-dims">
          Nothing tuned yet. Press <span className="tune-sample">⚙ tune</span> beside a block’s number or
          choice in the Inspector, or beside a setting below, to search it.
        </p>
      ) : (
        <ul className="dim-list" data-testid="sweep-dims">
          {dims.map((dim) => (
            <DimRow
              key={dim.target}
              dim={dim}
              bounds={boundsOfTarget(dim.target, nodes, specs, declaration)}
              serverError={refusal?.target === dim.target ? refusal.detail : null}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function FieldError({ message, testId }: { message: string | null; testId: string }) {
  return message ? (
    <span className="field-error" data-testid={testId}>
      {message}
    </span>
  ) : null;
}

function IntField(props: {
  label: string;
  name: "trials" | "parallel" | "seed";
  min: number;
  max: number;
  value: number | null;
  optional?: boolean;
  error: string | null;
  title?: string;
}) {
  const setForm = useSweep((s) => s.setForm);
  return (
    <label className="tfield" title={props.title}>
      <span>{props.label}</span>
      <input
        type="number"
        data-testid={`sweep-${props.name}`}
        min={props.min}
        max={props.max}
        step={1}
        placeholder={props.optional ? "none" : undefined}
        value={props.value ?? ""}
        aria-invalid={!!props.error}
        onChange={(e) => {
          const text = e.target.value.trim();
          if (!text && props.optional) return setForm({ [props.name]: null });
          const n = Number(text);
          if (Number.isInteger(n)) setForm({ [props.name]: n });
        }}
      />
      <FieldError message={props.error} testId={`sweep-error-${props.name}`} />
    </label>
  );
}

function ObjectiveRow({
  index,
  objective,
  metrics,
  error,
}: {
  index: number;
  objective: Objective;
  metrics: string[];
  error: string | null;
}) {
  const setObjective = useSweep((s) => s.setObjective);
  const remove = useSweep((s) => s.removeObjective);
  const count = useSweep((s) => s.objectives.length);
  const options = metrics.includes(objective.metric) ? metrics : [objective.metric, ...metrics];
  const epochMetric = !["params", "macs", "seconds"].includes(objective.metric);
  return (
    <div className="objective" data-testid={`sweep-objective-${index}`}>
      <select
        data-testid={`sweep-metric-${index}`}
        value={objective.metric}
        aria-invalid={!!error}
        onChange={(e) =>
          setObjective(index, { metric: e.target.value, direction: directionFor(e.target.value) })
        }
      >
        {options.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <select
        data-testid={`sweep-direction-${index}`}
        value={objective.direction}
        onChange={(e) => setObjective(index, { direction: e.target.value as Objective["direction"] })}
      >
        <option value="maximize">max</option>
        <option value="minimize">min</option>
      </select>
      <select
        data-testid={`sweep-at-${index}`}
        value={objective.at}
        disabled={!epochMetric}
        title="The best epoch's value, or the last epoch's"
        onChange={(e) => setObjective(index, { at: e.target.value as Objective["at"] })}
      >
        <option value="best">best ep.</option>
        <option value="last">last ep.</option>
      </select>
      {count > 1 ? (
        <button
          className="icon"
          aria-label={`Remove objective ${index + 1}`}
          title="Remove"
          data-testid={`sweep-remove-objective-${index}`}
          onClick={() => remove(index)}
        >
          ×
        </button>
      ) : (
        <span />
      )}
      {error && (
        <span className="field-error objective-error" data-testid={`sweep-error-objective-${index}`}>
          {error}
        </span>
      )}
    </div>
  );
}

function DimRow({
  dim,
  bounds,
  serverError,
}: {
  dim: Dimension;
  bounds: Bounds | null;
  serverError: string | null;
}) {
  const { owner, name } = targetLabel(dim.target);
  const node = targetNode(dim.target);
  const problems = bounds ? Object.entries(checkDimension(dim, bounds)) : [];
  const message =
    serverError ??
    (bounds === null
      ? "no longer in the graph or the settings"
      : problems.length
        ? problems.map(([k, m]) => `${k}: ${m}`).join("; ")
        : null);
  return (
    <li
      className={`dim-row${message ? " bad" : ""}`}
      data-testid={`sweep-dim-${dim.target}`}
      title={`${dim.target}: ${dim.kind} ${describeDimension(dim)}`}
    >
      <button
        className="link dim-owner"
        title={node ? "Select the block" : "A training setting"}
        disabled={!node}
        onClick={() => node && graphStore.getState().selectOnly(node)}
      >
        <code>{owner}</code>
      </button>
      <code className="dim-name">{name}</code>
      <span className="dim-desc">{describeDimension(dim)}</span>
      <button
        className="icon"
        aria-label={`Stop tuning ${dim.target}`}
        title="Stop tuning"
        data-testid={`sweep-dim-remove-${dim.target}`}
        onClick={() => graphStore.getState().setDimension(dim.target, null)}
      >
        ×
      </button>
      {message && (
        <span className="field-error dim-row-error" data-testid={`sweep-dim-error-${dim.target}`}>
          {message}
        </span>
      )}
    </li>
  );
}
