// A project's history in the editor: the pure parts (the editor's address for a version, the words of
// the versions list and of a run's link to the version it trained). HistoryPanel.tsx has the rest.

/** What the editor's address asks for: `/?project=ID` opens a project, `&version=N` one version of it, read only. */
export interface EditorQuery {
  project: number;
  version: number | null;
}

const WHOLE = /^[1-9]\d{0,15}$/;

/** The project and version an address names (`?project=3&version=2`), or null when it names none (or nonsense). */
export function parseEditorQuery(search: string): EditorQuery | null {
  const params = new URLSearchParams(search);
  const project = params.get("project");
  if (project === null || !WHOLE.test(project)) return null;
  const version = params.get("version");
  return {
    project: Number(project),
    version: version !== null && WHOLE.test(version) ? Number(version) : null,
  };
}

/** The editor's address for a project (its current graph) or one of its versions, read only. */
export function editorUrl(project: number, version?: number | null): string {
  return version == null ? `/?project=${project}` : `/?project=${project}&version=${version}`;
}

export function blocksText(count: number): string {
  return `${count} block${count === 1 ? "" : "s"}`;
}

/** A run's line about the project it came from: "project mlp, version 3", or its unsaved changes. */
export function projectVersionText(name: string | null, project: number, version: number | null): string {
  const what = name ? `project ${name}` : `project #${project}`;
  return version === null ? `${what} (unsaved changes, no saved version)` : `${what}, version ${version}`;
}

/** The banner over a version being viewed. */
export function viewingText(number: number): string {
  return `Viewing version ${number} — read only`;
}
