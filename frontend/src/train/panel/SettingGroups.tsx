// Groups of training settings, in the declaration's order, each with its title and its fields.
import type { SettingGroup, SettingsDeclaration } from "../settingsSchema";
import { SettingField } from "./SettingField";

export function SettingGroups({
  declaration,
  groups,
}: {
  declaration: SettingsDeclaration;
  groups: SettingGroup[];
}) {
  return (
    <>
      {groups.map((group) => {
        const fields = declaration.fields.filter((f) => f.group === group.name);
        if (!fields.length) return null;
        return (
          <div className="settings-group" key={group.name} data-group={group.name}>
            <h4>{group.title}</h4>
            <div className="settings-grid">
              {fields.map((decl) => (
                <SettingField key={decl.name} decl={decl} declaration={declaration} />
              ))}
            </div>
          </div>
        );
      })}
    </>
  );
}

/** Whether a group holds callbacks (the Callbacks section) rather than the fit's own settings. */
export function isCallbackGroup(name: string): boolean {
  return name === "callbacks" || name.startsWith("callbacks.");
}
