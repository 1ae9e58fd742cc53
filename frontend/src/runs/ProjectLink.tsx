// The run page's line about the project a run came from: "project mlp, version 3", a link to the editor
// showing that version read only (or the project, when the run trained unsaved changes).
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { editorUrl, projectVersionText } from "../editor/history";
import { navigate } from "../router";

export function ProjectLink({ project, version }: { project: number | null; version: number | null }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (project === null) return;
    let live = true;
    api
      .project(project)
      .then((p) => live && setName(p.name))
      .catch(() => live && setName(null)); // deleted or not readable: the number says which it was
    return () => {
      live = false;
    };
  }, [project]);
  if (project === null) return null;
  const url = editorUrl(project, version);
  return (
    <div data-testid="run-project">
      <span className="muted">From</span>{" "}
      <a
        href={url}
        data-testid="run-project-link"
        title={
          version === null ? "Open the project in the editor" : "Open this version in the editor, read only"
        }
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          navigate(url);
        }}
      >
        {projectVersionText(name, project, version)}
      </a>
    </div>
  );
}
