import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { Example } from "../api/types";
import { notify } from "../ui/toast";
import { loadDocument } from "./commands";
import { useEditorUi } from "./ui";

let cache: Example[] | null = null;

export function TemplatesMenu() {
  const open = useEditorUi((s) => s.open === "templates");
  const toggle = useEditorUi((s) => s.toggle);
  const setOpen = useEditorUi((s) => s.setOpen);
  const [examples, setExamples] = useState<Example[] | null>(cache);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || cache) return;
    let live = true;
    api
      .examples()
      .then((list) => {
        cache = list;
        if (live) setExamples(list);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [open]);

  async function choose(example: Example) {
    setOpen(null);
    try {
      await loadDocument({
        ...example.graph,
        name: example.graph.name || example.name,
        description: example.graph.description ?? example.description,
      });
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
