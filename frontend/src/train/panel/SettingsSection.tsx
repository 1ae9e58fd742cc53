// The training settings (optimizer, fitting, data), rendered from GET /api/training/settings, with
// the button that puts every setting back to its declared default.
import { useTrain } from "../store";
import { isCallbackGroup, SettingGroups } from "./SettingGroups";
import { useSettingsDeclaration } from "./useSettings";

export function SettingsSection() {
  const declaration = useSettingsDeclaration();
  const error = useTrain((s) => s.declarationError);
  const resetForm = useTrain((s) => s.resetForm);
  const formKey = useTrain((s) => s.formKey);
  return (
    <section className="train-section" data-testid="train-settings">
      <header className="row">
        <h3>Settings</h3>
        <span className="spacer" />
        <button className="link small" onClick={resetForm} data-testid="train-reset" disabled={!declaration}>
          Defaults
        </button>
      </header>
      {!declaration &&
        (error ? (
          <p className="field-error" data-testid="train-settings-error">
            {error}
          </p>
        ) : (
          <p className="muted small">Loading the settings…</p>
        ))}
      {declaration && (
        <SettingGroups
          key={formKey}
          declaration={declaration}
          // crossval.* are set by POST /api/crossval (the Cross-validate option), never by hand.
          groups={declaration.groups.filter((g) => !isCallbackGroup(g.name) && g.name !== "crossval")}
        />
      )}
    </section>
  );
}
