// The Train panel beside the canvas: dataset (preview, fields, upload), the binding of Input and
// Output blocks to its fields, the training settings, and the Train button (disabled with the
// reason while the graph has errors, nobody is logged in, or the server's run check refuses). Which
// field each block takes, and what does not fit, is the server's answer to POST /api/runs/check.
import { useEffect, useMemo, useState } from "react";
import { ApiError } from "../api/client";
import {
  runsApi,
  type DatasetField,
  type DatasetInfo,
  type DatasetPreview,
  type RunRefusal,
} from "../api/runs";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { useEditorUi } from "../editor/ui";
import { graphStore, useGraph } from "../graph/store";
import { navigate } from "../router";
import { notify } from "../ui/toast";
import { formatShape, graphBlocks, type GraphBlock } from "./binding";
import { refusalOf, runBody, useRunCheck } from "./check";
import { disabledReason } from "./reason";
import { DatasetUpload } from "./DatasetUpload";
import { OPTIMIZERS, settingsField, validateSettings, type SettingsForm } from "./settings";
import { useTrain } from "./store";
import "./train.css";

export function TrainPanel() {
  const setOpen = useTrain((s) => s.setOpen);
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  const projectId = useGraph((s) => s.projectId);
  const runsPath = projectId !== null ? `/runs?project=${projectId}` : "/runs";
  useRunCheck();
  return (
    <aside className="train-panel" data-testid="train-panel" aria-label="Train">
      <header className="train-head">
        <h2>Train</h2>
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
        <SettingsSection />
      </div>
      <TrainFooter />
    </aside>
  );
}

/** The server's refusal of the last run started, else of the latest run check. */
function useServerRefusal(): RunRefusal | null {
  const started = useTrain((s) => s.refusal);
  const checked = useTrain((s) => s.check?.refusal ?? null);
  return started ?? checked;
}

// --- datasets --------------------------------------------------------------------------------------

function useChosenDataset(): DatasetInfo | null {
  const ref = useTrain((s) => s.dataset);
  const datasets = useTrain((s) => s.datasets);
  return useMemo(() => datasets?.find((d) => String(d.ref) === ref) ?? null, [datasets, ref]);
}

function DatasetSection() {
  const username = useSession((s) => s.username);
  const datasets = useTrain((s) => s.datasets);
  const error = useTrain((s) => s.datasetsError);
  const reload = useTrain((s) => s.loadDatasets);
  const ref = useTrain((s) => s.dataset);
  const setDataset = useTrain((s) => s.setDataset);
  const refusal = useServerRefusal();
  const chosen = useChosenDataset();
  useEffect(() => {
    if (username) reload();
  }, [username, reload]);
  const [showUpload, setShowUpload] = useState(false);

  // No dataset chosen yet (or it is gone): the first one the server says the graph fits, else the first.
  useEffect(() => {
    if (!datasets?.length) return;
    if (ref && datasets.some((d) => String(d.ref) === ref)) return;
    let alive = true;
    (async () => {
      const graph = graphStore.getState();
      const { settings } = validateSettings(useTrain.getState().form);
      let chosen = datasets[0];
      if (graph.validation?.valid && settings) {
        for (const d of datasets) {
          try {
            await runsApi.checkRun(runBody(graph, String(d.ref), settings, { positions: false }));
            chosen = d;
            break;
          } catch {
            if (!alive) return;
          }
        }
      }
      if (alive) setDataset(String(chosen.ref));
    })();
    return () => {
      alive = false;
    };
  }, [datasets, ref, setDataset]);

  const builtins = datasets?.filter((d) => d.kind === "builtin") ?? [];
  const uploads = datasets?.filter((d) => d.kind === "upload") ?? [];
  const datasetError = refusal?.field === "dataset" ? refusal.detail : null;

  async function remove(d: DatasetInfo) {
    if (typeof d.id !== "number") return;
    if (!window.confirm(`Delete the uploaded dataset "${d.title}"? Runs that used it keep their results.`))
      return;
    try {
      await runsApi.deleteDataset(d.id);
      setDataset(null);
      reload();
    } catch (e) {
      notify(`Delete failed: ${(e as Error).message}`, "error");
    }
  }

  return (
    <section className="train-section">
      <h3>Dataset</h3>
      {error && <p className="field-error">{error}</p>}
      <div className="row">
        <select
          className="grow"
          data-testid="train-dataset"
          value={ref ?? ""}
          onChange={(e) => setDataset(e.target.value || null)}
          disabled={!datasets}
          aria-invalid={!!datasetError}
        >
          {!datasets && <option value="">Loading…</option>}
          {builtins.length > 0 && (
            <optgroup label="Built in">
              {builtins.map((d) => (
                <option key={String(d.ref)} value={String(d.ref)}>
                  {d.title}
                </option>
              ))}
            </optgroup>
          )}
          {uploads.length > 0 && (
            <optgroup label="Your uploads">
              {uploads.map((d) => (
                <option key={String(d.ref)} value={String(d.ref)}>
                  {d.title}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <button
          onClick={() => setShowUpload((v) => !v)}
          data-testid="train-upload-open"
          aria-expanded={showUpload}
          title="Upload a CSV, NPZ or ZIP of images"
        >
          Upload…
        </button>
      </div>
      {datasetError && (
        <div className="field-error" data-testid="train-dataset-error">
          {datasetError}
        </div>
      )}
      {showUpload && (
        <DatasetUpload
          onUploaded={async (info) => {
            notify(
              `Uploaded "${info.title}": ${info.train_size} training and ${info.test_size} test samples.`,
              "success",
            );
            setShowUpload(false);
            // The list first: a choice that is not in it yet would be replaced by the default.
            await reload();
            setDataset(String(info.ref));
          }}
        />
      )}
      {chosen && (
        <>
          {chosen.description && <p className="muted small dataset-description">{chosen.description}</p>}
          <p className="small">
            <strong>{chosen.train_size.toLocaleString("en-US")}</strong> training,{" "}
            <strong>{chosen.test_size.toLocaleString("en-US")}</strong> test samples
            {chosen.kind === "upload" && (
              <>
                {" · "}
                <button
                  className="link small"
                  onClick={() => remove(chosen)}
                  data-testid="train-dataset-delete"
                >
                  delete upload
                </button>
              </>
            )}
          </p>
          <FieldList info={chosen} />
          <Preview dataset={chosen} />
        </>
      )}
    </section>
  );
}

function FieldList({ info }: { info: DatasetInfo }) {
  const row = (f: DatasetField, kind: string) => (
    <tr key={`${kind}:${f.name}`} data-testid={`train-field-${f.name}`}>
      <td className="muted">{kind}</td>
      <td>
        <code>{f.name}</code>
      </td>
      <td>
        <code>{formatShape(f.shape)}</code> {f.dtype}
      </td>
      <td className="small">
        {f.classes ? `${f.classes} classes` : kind === "target" ? (f.task ?? "") : (f.modality ?? "")}
      </td>
    </tr>
  );
  return (
    <table className="train-fields" data-testid="train-fields">
      <tbody>
        {info.inputs.map((f) => row(f, "input"))}
        {info.targets.map((f) => row(f, "target"))}
      </tbody>
    </table>
  );
}

const previewCache = new Map<string, DatasetPreview>();

function Preview({ dataset }: { dataset: DatasetInfo }) {
  const key = `${dataset.kind}:${dataset.ref}:${dataset.created_at ?? ""}`;
  const [preview, setPreview] = useState<DatasetPreview | null>(previewCache.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    setError(null);
    const cached = previewCache.get(key);
    setPreview(cached ?? null);
    if (cached) return;
    runsApi
      .preview(dataset.ref)
      .then((p) => {
        previewCache.set(key, p);
        if (alive) setPreview(p);
      })
      .catch((e: Error) => alive && setError(e.message));
    return () => {
      alive = false;
    };
  }, [key, dataset.ref]);
  if (error) return <p className="field-error small">Preview: {error}</p>;
  if (!preview) return <p className="muted small">Loading a preview…</p>;
  if (preview.kind === "images") {
    return (
      <div className="preview-images" data-testid="train-preview">
        {preview.images.map((img, i) => (
          <figure key={i}>
            <img src={img.src} alt={`sample ${i}`} />
            <figcaption>{Object.values(img.targets).map(String).join(", ")}</figcaption>
          </figure>
        ))}
      </div>
    );
  }
  return (
    <div className="preview-table" data-testid="train-preview">
      <table>
        <thead>
          <tr>
            {preview.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j}>{Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {preview.truncated && <p className="muted small">More columns not shown.</p>}
    </div>
  );
}

// --- binding ---------------------------------------------------------------------------------------

interface BindingRow extends GraphBlock {
  /** the bound field's name (the server's answer), or null */
  field: string | null;
  how: "name" | "only" | null;
  problems: string[];
}

/** One row per Input and Output block: the field the server bound it to and its problems, if any. */
function useBinding(): { info: DatasetInfo | null; rows: BindingRow[] } {
  const info = useChosenDataset();
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const validation = useGraph((s) => s.validation);
  const check = useTrain((s) => s.check);
  const refusal = useTrain((s) => s.refusal);
  const rows = useMemo(() => {
    if (!info) return [];
    const bound = new Map((check?.bindings ?? []).map((b) => [b.node, b]));
    const errors = [...(refusal?.errors ?? []), ...(check?.refusal?.errors ?? [])].filter((e) => e.node);
    return graphBlocks(nodes, edges, validation).map((block) => {
      const mine = errors.filter((e) => e.node === block.node);
      const binding = bound.get(block.node);
      return {
        ...block,
        field: binding?.field ?? mine.find((e) => e.field)?.field ?? null,
        how: binding?.how ?? null,
        problems: [...new Set(mine.map((e) => e.message))],
      };
    });
  }, [info, nodes, edges, validation, check, refusal]);
  return { info, rows };
}

function BindingSection() {
  const { info, rows } = useBinding();
  if (!info) return null;

  function bind(row: BindingRow, field: string) {
    if (!field || field === row.node) return;
    const problem = graphStore.getState().renameNode(row.node, field);
    if (problem) notify(`Cannot rename block '${row.node}' to '${field}': ${problem}`, "error");
    else notify(`Block '${row.node}' renamed '${field}' to take that field.`, "info");
  }

  const select = (id: string) => {
    graphStore.getState().selectOnly(id);
    useEditorUi.getState().focusNode(id);
  };

  return (
    <section className="train-section" data-testid="train-binding">
      <h3>Blocks and fields</h3>
      {rows.length === 0 && <p className="muted small">The graph has no Input or Output blocks.</p>}
      {rows.length > 0 && (
        <table className="binding-table">
          <thead>
            <tr>
              <th>Block</th>
              <th>Shape</th>
              <th>Field</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const fields = row.kind === "input" ? info.inputs : info.targets;
              const unique = row.problems;
              return (
                <tr
                  key={`${row.kind}:${row.node}`}
                  data-testid={`train-bind-row-${row.node}`}
                  className={unique.length ? "bad" : "good"}
                >
                  <td>
                    <button className="link" onClick={() => select(row.node)} title="Show the block">
                      <span className="muted small">{row.kind === "input" ? "Input" : "Output"}</span>{" "}
                      {row.node}
                    </button>
                  </td>
                  <td>
                    <code>{formatShape(row.shape)}</code>
                  </td>
                  <td>
                    <select
                      data-testid={`train-bind-${row.node}`}
                      value={row.field ?? ""}
                      onChange={(e) => bind(row, e.target.value)}
                      title={
                        row.how === "only"
                          ? "The only field of its kind: bound whatever the block is called"
                          : "Choose a field: the block is renamed to it"
                      }
                      aria-invalid={unique.length > 0}
                    >
                      {!row.field && <option value="">(none)</option>}
                      {fields.map((f) => (
                        <option key={f.name} value={f.name}>
                          {f.name} {formatShape(f.shape)}
                        </option>
                      ))}
                    </select>
                    {row.how === "only" && row.field !== row.node && (
                      <span className="muted small"> (only one)</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rows.map((row) => {
        const problems = row.problems;
        return problems.length ? (
          <div
            key={`p:${row.node}`}
            className="binding-problem"
            data-testid={`train-bind-problem-${row.node}`}
          >
            <strong>{row.node}</strong>: {problems.join(" ")}
          </div>
        ) : null;
      })}
    </section>
  );
}

// --- settings --------------------------------------------------------------------------------------

function SettingsSection() {
  const form = useTrain((s) => s.form);
  const setForm = useTrain((s) => s.setForm);
  const resetForm = useTrain((s) => s.resetForm);
  const refusal = useServerRefusal();
  const { errors } = useMemo(() => validateSettings(form), [form]);
  const serverField = settingsField(refusal?.field);
  const errorOf = (field: string) => errors[field] ?? (serverField === field ? refusal?.detail : undefined);

  const set = (patch: Partial<SettingsForm>) => setForm({ ...form, ...patch });
  const setGroup = <K extends "early_stopping" | "reduce_lr" | "checkpoint_best" | "lr_schedule">(
    key: K,
    patch: Partial<SettingsForm[K]>,
  ) => setForm({ ...form, [key]: { ...form[key], ...patch } });

  const text = (
    field: keyof SettingsForm & string,
    label: string,
    testId: string,
    props: { placeholder?: string; hint?: string; inputMode?: "decimal" | "numeric" } = {},
  ) => (
    <Field label={label} error={errorOf(field)} field={field} hint={props.hint}>
      <input
        type="text"
        inputMode={props.inputMode ?? "decimal"}
        data-testid={testId}
        value={form[field] as string}
        placeholder={props.placeholder}
        onChange={(e) => set({ [field]: e.target.value } as Partial<SettingsForm>)}
        aria-invalid={!!errorOf(field)}
      />
    </Field>
  );

  return (
    <section className="train-section" data-testid="train-settings">
      <header className="row">
        <h3>Settings</h3>
        <span className="spacer" />
        <button className="link small" onClick={resetForm} data-testid="train-reset">
          Defaults
        </button>
      </header>
      <div className="settings-grid">
        <Field label="Optimizer" error={errorOf("optimizer")} field="optimizer">
          <select
            data-testid="train-optimizer"
            value={form.optimizer}
            onChange={(e) => set({ optimizer: e.target.value })}
          >
            {OPTIMIZERS.map((o) => (
              <option key={o} value={o}>
                {o === "sgd" ? "sgd (momentum 0.9)" : o}
              </option>
            ))}
          </select>
        </Field>
        {text("learning_rate", "Learning rate", "train-learning-rate")}
        {text("batch_size", "Batch size", "train-batch-size", { inputMode: "numeric" })}
        {text("epochs", "Epochs", "train-epochs", { inputMode: "numeric" })}
        {text("validation_split", "Validation split", "train-validation-split", {
          hint: "0 to 0.5 of the training samples",
        })}
        {text("max_samples", "Sample limit", "train-max-samples", {
          placeholder: "all",
          inputMode: "numeric",
          hint: "training samples used; blank for all",
        })}
        {text("seed", "Seed", "train-seed", { inputMode: "numeric" })}
      </div>

      <h4>Callbacks</h4>
      <Switch
        label="Early stopping"
        testId="train-early-stopping"
        checked={form.early_stopping.enabled}
        onChange={(v) => setGroup("early_stopping", { enabled: v })}
      />
      {form.early_stopping.enabled && (
        <div className="settings-grid nested">
          <Field
            label="Monitor"
            error={errorOf("callbacks.early_stopping.monitor")}
            field="callbacks.early_stopping.monitor"
          >
            <MonitorInput
              testId="train-early-stopping-monitor"
              value={form.early_stopping.monitor}
              onChange={(v) => setGroup("early_stopping", { monitor: v })}
            />
          </Field>
          <Field
            label="Patience (epochs)"
            error={errorOf("callbacks.early_stopping.patience")}
            field="callbacks.early_stopping.patience"
          >
            <input
              type="text"
              inputMode="numeric"
              data-testid="train-early-stopping-patience"
              value={form.early_stopping.patience}
              onChange={(e) => setGroup("early_stopping", { patience: e.target.value })}
            />
          </Field>
        </div>
      )}
      <Switch
        label="Reduce LR on plateau"
        testId="train-reduce-lr"
        checked={form.reduce_lr.enabled}
        onChange={(v) => setGroup("reduce_lr", { enabled: v })}
      />
      {form.reduce_lr.enabled && (
        <div className="settings-grid nested">
          <Field
            label="Factor"
            error={errorOf("callbacks.reduce_lr.factor")}
            field="callbacks.reduce_lr.factor"
          >
            <input
              type="text"
              inputMode="decimal"
              data-testid="train-reduce-lr-factor"
              value={form.reduce_lr.factor}
              onChange={(e) => setGroup("reduce_lr", { factor: e.target.value })}
            />
          </Field>
          <Field
            label="Patience (epochs)"
            error={errorOf("callbacks.reduce_lr.patience")}
            field="callbacks.reduce_lr.patience"
          >
            <input
              type="text"
              inputMode="numeric"
              data-testid="train-reduce-lr-patience"
              value={form.reduce_lr.patience}
              onChange={(e) => setGroup("reduce_lr", { patience: e.target.value })}
            />
          </Field>
        </div>
      )}
      <Switch
        label="Keep the best epoch (checkpoint)"
        testId="train-checkpoint-best"
        checked={form.checkpoint_best.enabled}
        onChange={(v) => setGroup("checkpoint_best", { enabled: v })}
      />
      {form.checkpoint_best.enabled && (
        <div className="settings-grid nested">
          <Field
            label="Monitor"
            error={errorOf("callbacks.checkpoint_best.monitor")}
            field="callbacks.checkpoint_best.monitor"
          >
            <MonitorInput
              testId="train-checkpoint-best-monitor"
              value={form.checkpoint_best.monitor}
              onChange={(v) => setGroup("checkpoint_best", { monitor: v })}
            />
          </Field>
        </div>
      )}
      <Switch
        label="Learning-rate schedule"
        testId="train-lr-schedule"
        checked={form.lr_schedule.enabled}
        onChange={(v) => setGroup("lr_schedule", { enabled: v })}
      />
      {form.lr_schedule.enabled && (
        <div className="settings-grid nested">
          <Field
            label="Kind"
            error={errorOf("callbacks.lr_schedule.kind")}
            field="callbacks.lr_schedule.kind"
          >
            <select
              data-testid="train-lr-schedule-kind"
              value={form.lr_schedule.kind}
              onChange={(e) => setGroup("lr_schedule", { kind: e.target.value as "cosine" | "step" })}
            >
              <option value="cosine">cosine decay over the epochs</option>
              <option value="step">step decay</option>
            </select>
          </Field>
          {form.lr_schedule.kind === "step" && (
            <>
              <Field
                label="Every (epochs)"
                error={errorOf("callbacks.lr_schedule.step_size")}
                field="callbacks.lr_schedule.step_size"
              >
                <input
                  type="text"
                  inputMode="numeric"
                  data-testid="train-lr-schedule-step-size"
                  value={form.lr_schedule.step_size}
                  onChange={(e) => setGroup("lr_schedule", { step_size: e.target.value })}
                />
              </Field>
              <Field
                label="Multiply by"
                error={errorOf("callbacks.lr_schedule.gamma")}
                field="callbacks.lr_schedule.gamma"
              >
                <input
                  type="text"
                  inputMode="decimal"
                  data-testid="train-lr-schedule-gamma"
                  value={form.lr_schedule.gamma}
                  onChange={(e) => setGroup("lr_schedule", { gamma: e.target.value })}
                />
              </Field>
            </>
          )}
        </div>
      )}
      <Switch
        label="TensorBoard logs"
        testId="train-tensorboard"
        checked={form.tensorboard}
        onChange={(v) => set({ tensorboard: v })}
      />
      <Switch
        label="Stop on a NaN loss"
        testId="train-terminate-on-nan"
        checked={form.terminate_on_nan}
        onChange={(v) => set({ terminate_on_nan: v })}
      />
    </section>
  );
}

function Field({
  label,
  error,
  field,
  hint,
  children,
}: {
  label: string;
  error?: string;
  field: string;
  hint?: string;
  children: React.ReactNode;
}) {
  return (
    <label className={`tfield${error ? " has-error" : ""}`} title={hint}>
      <span>{label}</span>
      {children}
      {error && (
        <span className="field-error" data-testid={`train-error-${field}`}>
          {error}
        </span>
      )}
    </label>
  );
}

function Switch({
  label,
  testId,
  checked,
  onChange,
}: {
  label: string;
  testId: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        data-testid={testId}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span className="switch-track" aria-hidden />
      {label}
    </label>
  );
}

function MonitorInput({
  value,
  onChange,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
}) {
  const nodes = useGraph((s) => s.nodes);
  const suggestions = useMemo(() => {
    const outputs = nodes.filter((n) => n.data.type === "Output");
    const names = new Set(["val_loss", "loss"]);
    for (const o of outputs) {
      const metrics = Array.isArray(o.data.params.metrics) ? (o.data.params.metrics as string[]) : [];
      for (const m of metrics) {
        const key = outputs.length > 1 ? `${o.id}_${m}` : m;
        names.add(`val_${key}`);
        names.add(key);
      }
      if (outputs.length > 1) names.add(`val_${o.id}_loss`);
    }
    return [...names];
  }, [nodes]);
  return (
    <>
      <input
        type="text"
        list={`${testId}-list`}
        data-testid={testId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={`${testId}-list`}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}

// --- the button ------------------------------------------------------------------------------------

/** Why Train cannot be pressed now, or null. */
export function useDisabledReason(submitting: boolean): string | null {
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  const nodeCount = useGraph((s) => s.nodes.length);
  const validation = useGraph((s) => s.validation);
  const validating = useGraph((s) => s.validating);
  const failure = useGraph((s) => s.validationFailure);
  const dataset = useTrain((s) => s.dataset);
  const form = useTrain((s) => s.form);
  const check = useTrain((s) => s.check);
  return disabledReason({
    checked,
    username,
    nodeCount,
    validation,
    validating,
    failure,
    dataset,
    form,
    submitting,
    check,
  });
}

function TrainFooter() {
  const [submitting, setSubmitting] = useState(false);
  const reason = useDisabledReason(submitting);
  const refusal = useTrain((s) => s.refusal);
  const setRefusal = useTrain((s) => s.setRefusal);

  async function train() {
    const { dataset, form } = useTrain.getState();
    const { settings } = validateSettings(form);
    if (!dataset || !settings) return;
    setSubmitting(true);
    setRefusal(null);
    try {
      const { id } = await runsApi.createRun(runBody(graphStore.getState(), dataset, settings));
      navigate(`/runs/${id}`);
    } catch (e) {
      setRefusal(refusalOf(e));
      if (e instanceof ApiError && e.status === 401)
        notify("Your session ended: log in again to train.", "error");
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <footer className="train-foot">
      {refusal && (
        <div className="train-errors" data-testid="train-errors" role="alert">
          <strong>The server refused the run.</strong> {refusal.detail}
          {refusal.errors && refusal.errors.length > 1 && (
            <ul>
              {refusal.errors.map((e, i) => (
                <li key={i} data-testid={`train-error-item-${i}`}>
                  {e.node && <code>{e.node}</code>} {e.message}
                </li>
              ))}
            </ul>
          )}
          {refusal.errors?.some((e) => e.node) && (
            <div className="small">The blocks at fault are marked on the canvas.</div>
          )}
        </div>
      )}
      {reason && (
        <p className="small muted" data-testid="train-disabled-reason">
          {reason}
        </p>
      )}
      <button className="primary train-submit" data-testid="train-submit" disabled={!!reason} onClick={train}>
        {submitting ? "Starting…" : "Train"}
      </button>
    </footer>
  );
}
