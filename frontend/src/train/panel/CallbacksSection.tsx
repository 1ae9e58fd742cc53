// The training callbacks (early stopping, LR schedules, checkpoints, logs), rendered from
// GET /api/training/settings: each switch, and its settings, disabled while it is off.
import { useTrain } from "../store";
import { isCallbackGroup, SettingGroups } from "./SettingGroups";

export function CallbacksSection() {
  const declaration = useTrain((s) => s.declaration);
  const formKey = useTrain((s) => s.formKey);
  if (!declaration) return null;
  return (
    <section className="train-section" data-testid="train-callbacks">
      <h3>Callbacks</h3>
      <SettingGroups
        key={formKey}
        declaration={declaration}
        groups={declaration.groups.filter((g) => isCallbackGroup(g.name))}
      />
    </section>
  );
}
