import { describe, expect, it } from "vitest";
import type { ValidationResult } from "../api/types";
import { disabledReason, type ReasonInput } from "./reason";
import declarationJson from "../test-fixtures/training-settings.json";
import { validateSettings } from "./settings";
import type { SettingValues, SettingsDeclaration } from "./settingsSchema";

const declaration = declarationJson as SettingsDeclaration;
const errorsOf = (values: SettingValues) => validateSettings(declaration, values).errors;
const epochs = declaration.fields.find((f) => f.name === "epochs")!;

const valid = {
  valid: true,
  errors: [],
  warnings: [],
  nodes: {},
  total_params: 1,
  trainable_params: 1,
} as unknown as ValidationResult; // a partial answer: only `valid` and `errors` matter here

const ok = { key: "k", status: "ok" as const, bindings: [], refusal: null };

function input(patch: Partial<ReasonInput> = {}): ReasonInput {
  return {
    checked: true,
    username: "ann",
    nodeCount: 4,
    validation: valid,
    validating: false,
    failure: null,
    dataset: "fashion_mnist",
    settingsErrors: errorsOf({}),
    submitting: false,
    check: ok,
    ...patch,
  };
}

describe("why Train is disabled", () => {
  it("is enabled when everything is in order", () => {
    expect(disabledReason(input())).toBeNull();
  });

  it("says what to do first", () => {
    expect(disabledReason(input({ username: null }))).toBe("Log in to train.");
    expect(disabledReason(input({ checked: false, username: null }))).toMatch(/Checking who/);
    expect(disabledReason(input({ nodeCount: 0 }))).toMatch(/empty/);
    expect(disabledReason(input({ validation: null }))).toMatch(/Checking the graph/);
    expect(disabledReason(input({ failure: "HTTP 500" }))).toMatch(/cannot be checked: HTTP 500/);
    const broken = {
      ...valid,
      valid: false,
      errors: [
        { node: "probs", message: "needs an input" },
        { node: null, message: "x" },
      ],
    };
    expect(disabledReason(input({ validation: broken }))).toBe(
      "The graph has 2 errors: probs: needs an input",
    );
    expect(disabledReason(input({ dataset: null }))).toBe("Choose a dataset.");
    expect(disabledReason(input({ settingsErrors: errorsOf({ epochs: epochs.max! + 1 }) }))).toMatch(
      new RegExp(`^Fix the settings: epochs from ${epochs.min} to ${epochs.max}`),
    );
    expect(disabledReason(input({ settingsErrors: null }))).toMatch(/Loading the training settings/);
    expect(disabledReason(input({ settingsErrors: null, settingsFailure: "offline" }))).toBe("offline");
    expect(
      disabledReason(
        input({
          settingsErrors: errorsOf({ "callbacks.reduce_lr.enabled": true, "callbacks.reduce_lr.factor": 2 }),
        }),
      ),
    ).toMatch(/^Fix the settings: reduce lr\.factor/);
    expect(disabledReason(input({ submitting: true }))).toMatch(/Starting/);
  });

  it("waits for the server's check, and gives its reason when it fails", () => {
    expect(disabledReason(input({ check: null }))).toMatch(/Checking with the server/);
    expect(disabledReason(input({ check: { ...ok, status: "pending" } }))).toMatch(
      /Checking with the server/,
    );
    const refusal = {
      detail: "the graph does not fit dataset 'iris': ...",
      errors: [{ node: "pixels", message: "..." }],
    };
    expect(disabledReason(input({ check: { ...ok, status: "failed", refusal } }))).toBe(refusal.detail);
    // The graph's own errors come first.
    const broken = { ...valid, valid: false, errors: [{ node: "probs", message: "needs an input" }] };
    expect(
      disabledReason(input({ validation: broken, check: { ...ok, status: "failed", refusal } })),
    ).toMatch(/^The graph has 1 error/);
  });

  it("is not blocked by the server refusal shown on the blocks", () => {
    const refused = {
      ...valid,
      errors: [{ node: "pixels", message: "does not fit", source: "run" }],
    } as unknown as ValidationResult;
    expect(disabledReason(input({ validation: refused }))).toBeNull();
  });
});
