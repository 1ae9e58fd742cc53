// One training setting, with the Inspector's field widget for its kind (blocks/fields.tsx), its
// declared default as the placeholder, and disabled while its `applies_when` does not hold.
import { useMemo } from "react";
import { Field, type FieldTuning } from "../../blocks/fields";
import { settingBounds, trainingTarget } from "../../sweeps/space";
import { settingsField } from "../settings";
import {
  applies,
  checkSetting,
  toParamSpec,
  type SettingDecl,
  type SettingsDeclaration,
} from "../settingsSchema";
import { useTrain } from "../store";
import { useServerRefusal } from "./useServerRefusal";

const NO_SPECS = {};

export function SettingField({ decl, declaration }: { decl: SettingDecl; declaration: SettingsDeclaration }) {
  const values = useTrain((s) => s.values);
  const setValue = useTrain((s) => s.setValue);
  const setDraft = useTrain((s) => s.setDraft);
  const refusal = useServerRefusal();
  const param = useMemo(() => toParamSpec(decl), [decl]);
  // A searchable setting can be tuned in a sweep, within its declared bounds.
  const tuning = useMemo<FieldTuning | undefined>(() => {
    const bounds = settingBounds(decl);
    return bounds ? { target: () => trainingTarget(decl.name), bounds: () => bounds } : undefined;
  }, [decl]);
  const live = applies(declaration, decl, values);
  const isSet = Object.prototype.hasOwnProperty.call(values, decl.name);
  const storedError = live && isSet ? checkSetting(decl, values[decl.name]) : null;
  const serverError =
    live && settingsField(refusal?.field) === decl.name ? (refusal?.detail ?? undefined) : undefined;
  return (
    <fieldset
      className="setting"
      data-setting={decl.name}
      data-kind={decl.kind}
      data-applies={live}
      disabled={!live}
      title={live ? undefined : `Only used with ${describe(declaration, decl)}`}
    >
      <Field
        param={param}
        label={decl.label}
        setValue={isSet ? values[decl.name] : undefined}
        storedError={storedError}
        serverError={serverError}
        path="train."
        specs={NO_SPECS}
        tuning={tuning}
        onChange={(value) => setValue(decl.name, value)}
        onDraftError={(error) => setDraft(decl.name, error)}
      />
    </fieldset>
  );
}

/** "Early stopping on" / "Kind = step", from the declaration's labels. */
function describe(declaration: SettingsDeclaration, decl: SettingDecl): string {
  return Object.entries(decl.applies_when ?? {})
    .map(([name, wanted]) => {
      const other = declaration.fields.find((f) => f.name === name);
      const label = other?.label ?? name;
      return typeof wanted === "boolean"
        ? `${label} ${wanted ? "on" : "off"}`
        : `${label} = ${String(wanted)}`;
    })
    .join(" and ");
}
