// The training settings form, driven by the server's declaration (settingsSchema.ts): the values a
// person set (by dotted name), checked into the API's `training` object, or errors keyed by the
// server's field path ("learning_rate", "callbacks.reduce_lr.factor").
import type { TrainingSettings } from "../api/runs";
import {
  applies,
  checkSetting,
  nest,
  valueOf,
  type SettingValues,
  type SettingsDeclaration,
} from "./settingsSchema";

export type SettingsErrors = Record<string, string>;

export interface Checked {
  settings: TrainingSettings | null;
  errors: SettingsErrors;
}

/**
 * The `training` object for POST /api/runs, or the errors (field path -> message). `drafts` are the
 * fields whose typed text does not parse (their value is then the last one that did). Only a setting
 * that applies (its `applies_when` holds) is checked and sent as set; the others take their default.
 */
export function validateSettings(
  declaration: SettingsDeclaration,
  values: SettingValues,
  drafts: SettingsErrors = {},
): Checked {
  const errors: SettingsErrors = {};
  const flat: Record<string, unknown> = {};
  for (const decl of declaration.fields) {
    if (!applies(declaration, decl, values)) {
      flat[decl.name] = decl.default;
      continue;
    }
    const value = valueOf(decl, values);
    const problem = drafts[decl.name] ?? checkSetting(decl, value);
    if (problem) errors[decl.name] = problem;
    flat[decl.name] = value;
  }
  if (Object.keys(errors).length) return { settings: null, errors };
  // The declaration is the server's own: the object has the shape of TrainingSettings.
  return { settings: nest(flat) as unknown as TrainingSettings, errors };
}

/** Stored values (older, partial, or hand-edited): plain values by name; anything odd is dropped. */
export function restoreValues(stored: unknown): SettingValues {
  if (!stored || typeof stored !== "object" || Array.isArray(stored)) return {};
  const out: SettingValues = {};
  for (const [name, value] of Object.entries(stored as Record<string, unknown>)) {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) out[name] = value;
  }
  return out;
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
