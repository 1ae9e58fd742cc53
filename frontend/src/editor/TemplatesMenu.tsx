import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { Example } from "../api/types";
import { useSession } from "../auth/session";
import { useTrain } from "../train/store";
import { notify } from "../ui/toast";
import { loadDocument } from "./commands";
import { useEditorUi } from "./ui";

// The list as last fetched, and for whom: a signed-in person's also has transfer_learning, built on their
// latest trained run, so logging in or out fetches it again, and for someone signed in each opening
// refreshes it (the list last fetched is shown meanwhile).
let cache: { user: string | null; list: Example[] } | null = null;

export function TemplatesMenu() {
  const open = useEditorUi((s) => s.open === "templates");
  const toggle = useEditorUi((s) => s.toggle);
  const setOpen = useEditorUi((s) => s.setOpen);
  const username = useSession((s) => s.username);
  const [fetched, setFetched] = useState(cache);
  const [error, setError] = useState<string | null>(null);
  const examples = fetched?.user === username ? fetched.list : null;

  useEffect(() => {
    if (!open || (cache?.user === username && username === null)) return;
    let live = true;
    setError(null);
    api
      .examples()
      .then((list) => {
        cache = { user: username, list };
        if (live) setFetched(cache);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [open, username]);

  async function choose(example: Example) {
    setOpen(null);
    try {
      await loadDocument({
        ...example.graph,
        name: example.graph.name || example.name,
        description: example.graph.description ?? example.description,
      });
      if (example.dataset) useTrain.getState().setDataset(example.dataset);
      notify(`Loaded template “${example.name}” (Ctrl+Z to undo)`, "success");
    } catch (e) {
      notify(`Could not load the template: ${(e as Error).message}`, "error");
    }
  }

  return (
    <div className="menu-wrap">
      <button
        data-testid="templates"
        onClick={() => toggle("templates")}
        aria-expanded={open}
        aria-haspopup="menu"
      >
        Templates ▾
      </button>
      {open && (
        <div className="popover menu templates-menu" role="menu" data-testid="templates-menu">
          {!examples && !error && <div className="muted pad">Loading…</div>}
          {error && <div className="form-error pad">{error}</div>}
          {examples?.map((example) => (
            <button
              key={example.name}
              role="menuitem"
              className="menu-item"
              data-testid={`template-${example.name}`}
              onClick={() => choose(example)}
            >
              <span className="menu-item-title">{example.name}</span>
              <span className="menu-item-doc">{example.description}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
