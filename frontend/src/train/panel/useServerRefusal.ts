// The server's word against the current request: the refusal of the last run started, else of the
// latest run check (POST /api/runs/check).
import type { RunRefusal } from "../../api/runs";
import { useTrain } from "../store";

export function useServerRefusal(): RunRefusal | null {
  const started = useTrain((s) => s.refusal);
  const checked = useTrain((s) => s.check?.refusal ?? null);
  return started ?? checked;
}
