// The training settings form: defaults and bounds mirror trainer/settings.py. The form keeps text as
// typed (so a half-typed number is not lost); validateSettings turns it into the API's `training`
// object, or errors keyed by the server's field path ("learning_rate", "callbacks.reduce_lr.factor").
import type { TrainingSettings } from "../api/runs";

export const OPTIMIZERS = ["adam", "adamw", "sgd", "rmsprop", "adagrad", "nadam"] as const;
export const MONITOR = /^(val_)?[A-Za-z0-9_]{1,64}$/;

export interface SettingsForm {
  optimizer: string;
  learning_rate: string;
  batch_size: string;
  epochs: string;
  validation_split: string;
  /** blank: every training sample */
  max_samples: string;
  seed: string;
  early_stopping: { enabled: boolean; monitor: string; patience: string };
  reduce_lr: { enabled: boolean; factor: string; patience: string };
  checkpoint_best: { enabled: boolean; monitor: string };
  lr_schedule: { enabled: boolean; kind: "cosine" | "step"; step_size: string; gamma: string };
  terminate_on_nan: boolean;
  tensorboard: boolean;
}

/** trainer/settings.py DEFAULTS, as form text. */
export function defaultForm(): SettingsForm {
  return {
    optimizer: "adam",
    learning_rate: "0.001",
    batch_size: "32",
    epochs: "5",
    validation_split: "0.1",
    max_samples: "",
    seed: "0",
    early_stopping: { enabled: false, monitor: "val_loss", patience: "3" },
    reduce_lr: { enabled: false, factor: "0.5", patience: "2" },
    checkpoint_best: { enabled: false, monitor: "val_loss" },
    lr_schedule: { enabled: false, kind: "cosine", step_size: "10", gamma: "0.5" },
    terminate_on_nan: true,
    tensorboard: true,
  };
}

export type SettingsErrors = Record<string, string>;

export interface Checked {
  settings: TrainingSettings | null;
  errors: SettingsErrors;
}

function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function integer(errors: SettingsErrors, field: string, text: string, low: number, high: number): number {
  const value = parseNumber(text);
  if (value === null || !Number.isInteger(value)) errors[field] = `a whole number from ${low} to ${high}`;
  else if (value < low || value > high) errors[field] = `from ${low} to ${high}`;
  return value ?? 0;
}

function number(
  errors: SettingsErrors,
  field: string,
  text: string,
  low: number,
  high: number,
  { lowOpen = false, highOpen = false } = {},
): number {
  const value = parseNumber(text);
  const range = `${lowOpen ? "(" : "["}${low}, ${high}${highOpen ? ")" : "]"}`;
  if (value === null) errors[field] = `a number in ${range}`;
  else if ((lowOpen ? value <= low : value < low) || (highOpen ? value >= high : value > high))
    errors[field] = `must be in ${range}`;
  return value ?? 0;
}

function monitor(errors: SettingsErrors, field: string, text: string): string {
  const value = text.trim();
  if (!MONITOR.test(value)) errors[field] = "a metric name such as 'val_loss', 'loss' or 'val_accuracy'";
  return value;
}

/** The `training` object for POST /api/runs, or the errors (field path -> message). */
export function validateSettings(form: SettingsForm): Checked {
  const errors: SettingsErrors = {};
  const optimizer = form.optimizer.toLowerCase();
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer))
    errors.optimizer = `one of ${OPTIMIZERS.join(", ")}`;
  const settings: TrainingSettings = {
    optimizer,
    learning_rate: number(errors, "learning_rate", form.learning_rate, 1e-7, 10),
    batch_size: integer(errors, "batch_size", form.batch_size, 1, 65536),
    epochs: integer(errors, "epochs", form.epochs, 1, 1000),
    validation_split: number(errors, "validation_split", form.validation_split, 0, 0.5),
    max_samples: form.max_samples.trim()
      ? integer(errors, "max_samples", form.max_samples, 1, 100_000_000)
      : null,
    seed: integer(errors, "seed", form.seed, 0, 2 ** 31 - 1),
    callbacks: {
      early_stopping: {
        enabled: form.early_stopping.enabled,
        monitor: "val_loss",
        patience: 3,
      },
      reduce_lr: { enabled: form.reduce_lr.enabled, factor: 0.5, patience: 2 },
      checkpoint_best: { enabled: form.checkpoint_best.enabled, monitor: "val_loss" },
      lr_schedule: {
        enabled: form.lr_schedule.enabled,
        kind: form.lr_schedule.kind,
        step_size: 10,
        gamma: 0.5,
      },
      terminate_on_nan: form.terminate_on_nan,
      tensorboard: form.tensorboard,
    },
  };
  const cb = settings.callbacks;
  // Only the settings of a switched-on callback are checked (and sent as typed); the others keep defaults.
  if (form.early_stopping.enabled) {
    cb.early_stopping.monitor = monitor(
      errors,
      "callbacks.early_stopping.monitor",
      form.early_stopping.monitor,
    );
    cb.early_stopping.patience = integer(
      errors,
      "callbacks.early_stopping.patience",
      form.early_stopping.patience,
      0,
      1000,
    );
  }
  if (form.reduce_lr.enabled) {
    cb.reduce_lr.factor = number(errors, "callbacks.reduce_lr.factor", form.reduce_lr.factor, 0, 1, {
      lowOpen: true,
      highOpen: true,
    });
    cb.reduce_lr.patience = integer(errors, "callbacks.reduce_lr.patience", form.reduce_lr.patience, 0, 1000);
  }
  if (form.checkpoint_best.enabled) {
    cb.checkpoint_best.monitor = monitor(
      errors,
      "callbacks.checkpoint_best.monitor",
      form.checkpoint_best.monitor,
    );
  }
  if (form.lr_schedule.enabled) {
    if (form.lr_schedule.kind !== "cosine" && form.lr_schedule.kind !== "step")
      errors["callbacks.lr_schedule.kind"] = "'cosine' or 'step'";
    if (form.lr_schedule.kind === "step") {
      cb.lr_schedule.step_size = integer(
        errors,
        "callbacks.lr_schedule.step_size",
        form.lr_schedule.step_size,
        1,
        1000,
      );
      cb.lr_schedule.gamma = number(errors, "callbacks.lr_schedule.gamma", form.lr_schedule.gamma, 0, 1, {
        lowOpen: true,
      });
    }
  }
  // A val_* monitor needs validation data (trainer/settings.py _check_monitors).
  if (!errors.validation_split && settings.validation_split === 0) {
    for (const name of ["early_stopping", "checkpoint_best"] as const) {
      const entry = cb[name];
      const field = `callbacks.${name}.monitor`;
      if (entry.enabled && !errors[field] && entry.monitor.startsWith("val_")) {
        errors[field] =
          `'${entry.monitor}' needs validation data: set the validation split above 0 or monitor '${entry.monitor.slice(4)}'`;
      }
    }
  }
  return Object.keys(errors).length ? { settings: null, errors } : { settings, errors };
}

/** A stored form (older, partial, or hand-edited) merged over the defaults; anything odd is dropped. */
export function restoreForm(stored: unknown): SettingsForm {
  const form = defaultForm();
  if (!stored || typeof stored !== "object") return form;
  const src = stored as Record<string, unknown>;
  const text = (v: unknown, fallback: string) =>
    typeof v === "string" ? v : typeof v === "number" ? String(v) : fallback;
  const flag = (v: unknown, fallback: boolean) => (typeof v === "boolean" ? v : fallback);
  form.optimizer = text(src.optimizer, form.optimizer);
  for (const key of [
    "learning_rate",
    "batch_size",
    "epochs",
    "validation_split",
    "max_samples",
    "seed",
  ] as const) {
    form[key] = text(src[key], form[key]);
  }
  form.terminate_on_nan = flag(src.terminate_on_nan, form.terminate_on_nan);
  form.tensorboard = flag(src.tensorboard, form.tensorboard);
  const group = (key: "early_stopping" | "reduce_lr" | "checkpoint_best" | "lr_schedule") =>
    src[key] && typeof src[key] === "object" ? (src[key] as Record<string, unknown>) : {};
  const es = group("early_stopping");
  form.early_stopping = {
    enabled: flag(es.enabled, false),
    monitor: text(es.monitor, form.early_stopping.monitor),
    patience: text(es.patience, form.early_stopping.patience),
  };
  const rl = group("reduce_lr");
  form.reduce_lr = {
    enabled: flag(rl.enabled, false),
    factor: text(rl.factor, form.reduce_lr.factor),
    patience: text(rl.patience, form.reduce_lr.patience),
  };
  const cp = group("checkpoint_best");
  form.checkpoint_best = {
    enabled: flag(cp.enabled, false),
    monitor: text(cp.monitor, form.checkpoint_best.monitor),
  };
  const ls = group("lr_schedule");
  form.lr_schedule = {
    enabled: flag(ls.enabled, false),
    kind: ls.kind === "step" ? "step" : "cosine",
    step_size: text(ls.step_size, form.lr_schedule.step_size),
    gamma: text(ls.gamma, form.lr_schedule.gamma),
  };
  return form;
}

/** A server error's field ("training.callbacks.reduce_lr.factor") as a form field path, or null. */
export function settingsField(field: string | null | undefined): string | null {
  if (!field || !field.startsWith("training.")) return null;
  return field.slice("training.".length);
}

/** A one-line summary of settings for tables: "adam 0.001 · bs 32 · 5 ep · 512 samples". */
export function summariseSettings(t: Partial<TrainingSettings> | null | undefined): string {
  if (!t) return "";
  const parts = [
    `${t.optimizer ?? "?"} ${t.learning_rate ?? ""}`.trim(),
    `bs ${t.batch_size ?? "?"}`,
    `${t.epochs ?? "?"} ep`,
  ];
  if (t.max_samples) parts.push(`${t.max_samples} samples`);
  const cb = t.callbacks;
  if (cb?.early_stopping?.enabled) parts.push("early stop");
  if (cb?.reduce_lr?.enabled) parts.push("reduce LR");
  if (cb?.lr_schedule?.enabled) parts.push(`${cb.lr_schedule.kind} LR`);
  if (cb?.checkpoint_best?.enabled) parts.push("best ckpt");
  return parts.join(" · ");
}
