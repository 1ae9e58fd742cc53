// Why Train cannot be pressed now (reason.ts, fed from the stores), or null.
import { useSession } from "../../auth/session";
import { useGraph } from "../../graph/store";
import { disabledReason } from "../reason";
import { useTrain } from "../store";
import { useSettingsCheck } from "./useSettings";

export function useDisabledReason(submitting: boolean): string | null {
  const username = useSession((s) => s.username);
  const checked = useSession((s) => s.checked);
  const nodeCount = useGraph((s) => s.nodes.length);
  const validation = useGraph((s) => s.validation);
  const validating = useGraph((s) => s.validating);
  const failure = useGraph((s) => s.validationFailure);
  const dataset = useTrain((s) => s.dataset);
  const check = useTrain((s) => s.check);
  const settingsErrors = useSettingsCheck()?.errors ?? null;
  const settingsFailure = useTrain((s) => s.declarationError);
  return disabledReason({
    checked,
    username,
    nodeCount,
    validation,
    validating,
    failure,
    dataset,
    settingsErrors,
    settingsFailure,
    submitting,
    check,
  });
}
