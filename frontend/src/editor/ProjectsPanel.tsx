import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client";
import type { ProjectSummary } from "../api/types";
import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { graphStore, useGraph } from "../graph/store";
import { notify } from "../ui/toast";
import { openProject, saveProject } from "./commands";
import { HistoryPanel } from "./HistoryPanel";
import { useEditorUi } from "./ui";

export function ProjectsMenu() {
  const open = useEditorUi((s) => s.open === "projects");
  const toggle = useEditorUi((s) => s.toggle);
  const username = useSession((s) => s.username);
  return (
    <div className="menu-wrap">
      <button data-testid="projects" onClick={() => toggle("projects")} aria-expanded={open}>
        {username ? (
          <>
            Projects{" "}
            <span className="user-chip" data-testid="auth-user">
              {username}
            </span>
          </>
        ) : (
          "Log in"
        )}
      </button>
      {open && (
        <div className="popover projects-panel" data-testid="projects-panel">
          {username ? <ProjectsList /> : <LoginPrompt />}
        </div>
      )}
    </div>
  );
}

function LoginPrompt() {
  return (
    <div className="pad">
      <h3>Log in to save projects</h3>
      <p className="muted small">Your work in progress is kept in this browser either way.</p>
      <AuthForm />
    </div>
  );
}

function ProjectsList() {
  const username = useSession((s) => s.username);
  const logout = useSession((s) => s.logout);
  const projectId = useGraph((s) => s.projectId);
  const name = useGraph((s) => s.name);
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);
  const [historyOf, setHistoryOf] = useState<{ id: number; name: string } | null>(null);

  const reload = useCallback(() => {
    api
      .projects()
      .then((list) => {
        setProjects(list);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);

  async function save(asNew: boolean) {
    await saveProject({ asNew });
    reload();
  }

  async function rename(id: number, newName: string) {
    const trimmed = newName.trim();
    setRenaming(null);
    if (!trimmed) return;
    try {
      await api.updateProject(id, { name: trimmed });
      if (id === graphStore.getState().projectId) graphStore.getState().setName(trimmed);
      reload();
    } catch (e) {
      notify(`Rename failed: ${(e as Error).message}`, "error");
    }
  }

  async function remove(id: number) {
    setConfirmDelete(null);
    try {
      await api.deleteProject(id);
      if (id === graphStore.getState().projectId) graphStore.getState().setProject(null);
      notify("Project deleted", "success");
      reload();
    } catch (e) {
      notify(`Delete failed: ${(e as Error).message}`, "error");
    }
  }

  if (historyOf)
    return <HistoryPanel project={historyOf.id} name={historyOf.name} onBack={() => setHistoryOf(null)} />;

  return (
    <div>
      <div className="pad projects-head">
        <div>
          Signed in as <strong>{username}</strong>
        </div>
        <button
          className="link"
          data-testid="auth-logout"
          onClick={() => logout().catch((e: Error) => notify(e.message, "error"))}
        >
          Log out
        </button>
      </div>
      <div className="pad projects-actions">
        <div className="muted small">
          {projectId !== null ? (
            <>
              Editing project <strong>{name}</strong>
            </>
          ) : (
            "This graph is not saved as a project yet."
          )}
        </div>
        <div className="row">
          <button className="primary" data-testid="project-save" onClick={() => save(false)}>
            {projectId !== null ? "Save" : "Save as project"}
          </button>
          {projectId !== null && (
            <button data-testid="project-save-as" onClick={() => save(true)}>
              Save as new
            </button>
          )}
          {projectId !== null && (
            <button
              data-testid="project-history"
              onClick={() => setHistoryOf({ id: projectId, name })}
              title="The saved versions of this project"
            >
              History…
            </button>
          )}
        </div>
      </div>
      <ul className="project-list" data-testid="project-list">
        {error && <li className="form-error">{error}</li>}
        {projects && projects.length === 0 && <li className="muted">No projects yet.</li>}
        {projects?.map((p) => (
          <li
            key={p.id}
            data-testid={`project-${p.id}`}
            className={p.id === projectId ? "current" : undefined}
          >
            {renaming?.id === p.id ? (
              <input
                autoFocus
                data-testid={`project-rename-input-${p.id}`}
                value={renaming.name}
                onChange={(e) => setRenaming({ id: p.id, name: e.target.value })}
                onKeyDown={(e) => {
                  if (e.key === "Enter") rename(p.id, renaming.name);
                  if (e.key === "Escape") setRenaming(null);
                }}
                onBlur={() => rename(p.id, renaming.name)}
              />
            ) : (
              <button
                className="project-name link"
                data-testid={`project-open-${p.id}`}
                onClick={() => openProject(p.id)}
                title="Open"
              >
                {p.name}
              </button>
            )}
            <span className="muted small">{new Date(p.updated_at).toLocaleString()}</span>
            <span className="project-buttons">
              <button
                className="small"
                data-testid={`project-history-${p.id}`}
                onClick={() => setHistoryOf({ id: p.id, name: p.name })}
                title="Its saved versions"
              >
                History
              </button>
              <button
                className="small"
                data-testid={`project-rename-${p.id}`}
                onClick={() => setRenaming({ id: p.id, name: p.name })}
              >
                Rename
              </button>
              {confirmDelete === p.id ? (
                <button
                  className="small danger"
                  data-testid={`project-delete-confirm-${p.id}`}
                  onClick={() => remove(p.id)}
                >
                  Really delete?
                </button>
              ) : (
                <button
                  className="small"
                  data-testid={`project-delete-${p.id}`}
                  onClick={() => setConfirmDelete(p.id)}
                >
                  Delete
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
