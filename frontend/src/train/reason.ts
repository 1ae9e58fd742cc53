// Why the Train button cannot be pressed, in the order a person would fix things; null when it can.
import type { ValidationResult } from "../api/types";
import type { SettingsErrors } from "./settings";
import { isRunProblem, type RunCheckState } from "./store";

export interface ReasonInput {
  checked: boolean;
  username: string | null;
  nodeCount: number;
  validation: ValidationResult | null;
  validating: boolean;
  failure: string | null;
  dataset: string | null;
  /** the settings' errors (settings.ts validateSettings); null while their declaration loads */
  settingsErrors: SettingsErrors | null;
  /** why the declaration could not be loaded, if it could not */
  settingsFailure?: string | null;
  submitting: boolean;
  /** the server's answer to POST /api/runs/check for the current request */
  check: RunCheckState | null;
}

export function disabledReason(s: ReasonInput): string | null {
  if (!s.checked) return "Checking who is logged in…";
  if (!s.username) return "Log in to train.";
  if (!s.nodeCount) return "The canvas is empty: add blocks or open a template.";
  if (s.failure) return `The graph cannot be checked: ${s.failure}`;
  if (!s.validation) return "Checking the graph…";
  // The server's refusals shown on the blocks are not the graph's own errors: they do not block.
  const graphErrors = s.validation.errors.filter((e) => !isRunProblem(e));
  if (graphErrors.length) {
    const first = graphErrors[0];
    return `The graph has ${graphErrors.length} error${graphErrors.length === 1 ? "" : "s"}: ${first.node ? `${first.node}: ` : ""}${first.message}`;
  }
  if (s.validating) return "Checking the graph…";
  if (!s.dataset) return "Choose a dataset.";
  if (!s.settingsErrors) return s.settingsFailure ?? "Loading the training settings…";
  const settingsErrors = Object.entries(s.settingsErrors);
  if (settingsErrors.length) {
    const [field, message] = settingsErrors[0];
    return `Fix the settings: ${field.replace(/^callbacks\./, "").replace(/_/g, " ")} ${message}.`;
  }
  if (!s.check || s.check.status === "pending") return "Checking with the server that training can start…";
  if (s.check.status === "failed") return s.check.refusal?.detail ?? "The server refused the run.";
  if (s.submitting) return "Starting the run…";
  return null;
}
