// The training settings' declaration (GET /api/training/settings), fetched once per page and kept in
// the train store, and the settings checked against it.
import { useEffect, useMemo } from "react";
import { ApiError } from "../../api/client";
import { validateSettings, type Checked } from "../settings";
import type { SettingsDeclaration } from "../settingsSchema";
import { useTrain } from "../store";

export const SETTINGS_URL = "/api/training/settings";

let pending: Promise<SettingsDeclaration> | null = null;

async function fetchDeclaration(): Promise<SettingsDeclaration> {
  const response = await fetch(SETTINGS_URL, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new ApiError(response.status, `${response.status} ${response.statusText}`, null);
  return (await response.json()) as SettingsDeclaration;
}

/** Fetches the declaration into the store (once; again after a failure, on the next mount). */
export function loadDeclaration(): Promise<SettingsDeclaration> {
  pending ??= fetchDeclaration().then(
    (declaration) => {
      useTrain.getState().setDeclaration(declaration);
      return declaration;
    },
    (e: Error) => {
      pending = null;
      useTrain.getState().setDeclaration(null, `The training settings could not be loaded: ${e.message}`);
      throw e;
    },
  );
  return pending;
}

/** Mount where the settings are shown (the Train panel): the declaration, once it has come. */
export function useSettingsDeclaration(): SettingsDeclaration | null {
  const declaration = useTrain((s) => s.declaration);
  useEffect(() => {
    if (!useTrain.getState().declaration) loadDeclaration().catch(() => undefined);
  }, []);
  return declaration;
}

/** The settings checked against the declaration; null while it loads. */
export function useSettingsCheck(): Checked | null {
  const declaration = useTrain((s) => s.declaration);
  const values = useTrain((s) => s.values);
  const drafts = useTrain((s) => s.drafts);
  return useMemo(
    () => (declaration ? validateSettings(declaration, values, drafts) : null),
    [declaration, values, drafts],
  );
}

/** The same, outside React (an event handler). */
export function currentSettings(): Checked | null {
  const { declaration, values, drafts } = useTrain.getState();
  return declaration ? validateSettings(declaration, values, drafts) : null;
}
