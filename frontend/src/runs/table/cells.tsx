// The runs table's editable cells: the name (renamed in place), the tags (chips, added and removed)
// and the note (Markdown, in a row of its own under the run's). Each saves through PATCH /api/runs/{id}.
import { useRef, useState } from "react";
import type { RunSummary } from "../../api/runs";
import { linkTo } from "../../pages/RunPage";
import { NoteMarkdown } from "./markdown";
import { addTags, MAX_NAME, MAX_NOTE, MAX_TAG, MAX_TAGS } from "./tags";

type Save = (body: { name?: string; tags?: string[]; note?: string }) => Promise<void>;

export function NameCell({
  run,
  save,
  noteOpen,
  onToggleNote,
}: {
  run: RunSummary;
  save: Save;
  noteOpen: boolean;
  onToggleNote(): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // Enter and Escape end the edit once: the blur that follows (the input going away) does nothing.
  const done = useRef(false);

  function start() {
    done.current = false;
    setDraft(run.name || "");
  }

  async function commit() {
    if (draft === null || done.current) return;
    done.current = true;
    const name = draft.trim();
    if (name === (run.name || "")) return setDraft(null);
    setSaving(true);
    try {
      await save({ name });
      setDraft(null);
    } catch {
      done.current = false; // the toast says why; the text stays to be fixed
    } finally {
      setSaving(false);
    }
  }

  function cancel() {
    done.current = true;
    setDraft(null);
  }

  if (draft !== null) {
    return (
      <input
        className="run-name-input"
        autoFocus
        value={draft}
        maxLength={MAX_NAME}
        disabled={saving}
        placeholder={run.graph_name || "run"}
        aria-label={`name of run ${run.id}`}
        data-testid={`run-name-input-${run.id}`}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === "Enter") void commit();
          if (e.key === "Escape") cancel();
        }}
      />
    );
  }
  return (
    <span className="run-name-cell">
      <a href={`/runs/${run.id}`} onClick={linkTo(`/runs/${run.id}`)} data-testid={`run-open-${run.id}`}>
        {run.name || "run"} #{run.id}
      </a>
      <button
        className="icon-button"
        title="Rename"
        aria-label={`rename run ${run.id}`}
        data-testid={`run-rename-${run.id}`}
        onClick={start}
      >
        ✎
      </button>
      <button
        className={`icon-button${run.note ? " has-note" : ""}`}
        title={run.note ? "Show the note" : "Write a note"}
        aria-label={`note of run ${run.id}`}
        aria-expanded={noteOpen}
        data-testid={`run-note-toggle-${run.id}`}
        onClick={onToggleNote}
      >
        {run.note ? "note" : "+ note"}
      </button>
      {run.sweep != null && (
        <a
          className="sweep-mark"
          href={`/sweeps/${run.sweep}`}
          onClick={linkTo(`/sweeps/${run.sweep}`)}
          data-testid={`run-sweep-${run.id}`}
          title={`Trial ${run.trial_number ?? "?"} of sweep #${run.sweep}`}
        >
          sweep #{run.sweep} · trial {run.trial_number ?? "?"}
        </a>
      )}
    </span>
  );
}

export function TagsCell({ run, save, onPick }: { run: RunSummary; save: Save; onPick(tag: string): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const tags = run.tags ?? [];

  async function commit(close: boolean) {
    if (draft === null) return;
    const next = addTags(tags, draft);
    if (next.length !== tags.length) await save({ tags: next }).catch(() => undefined);
    setDraft(close ? null : "");
  }

  return (
    <span className="tag-list" data-testid={`run-tags-${run.id}`}>
      {tags.map((tag) => (
        <span className="tag-chip" key={tag} data-testid={`run-tag-${run.id}`} data-tag={tag}>
          <button className="tag-name" title={`Only the runs tagged “${tag}”`} onClick={() => onPick(tag)}>
            {tag}
          </button>
          <button
            className="tag-remove"
            aria-label={`remove tag ${tag}`}
            title="Remove the tag"
            data-testid={`run-tag-remove-${run.id}`}
            onClick={() => void save({ tags: tags.filter((t) => t !== tag) }).catch(() => undefined)}
          >
            ×
          </button>
        </span>
      ))}
      {draft !== null ? (
        <input
          className="tag-input"
          autoFocus
          value={draft}
          maxLength={MAX_TAG * 4}
          placeholder="tag, tag"
          aria-label={`add tags to run ${run.id}`}
          data-testid={`run-tag-input-${run.id}`}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => void commit(true)}
          onKeyDown={(e) => {
            if (e.key === "Enter") void commit(false);
            if (e.key === "Escape") setDraft(null);
          }}
        />
      ) : (
        tags.length < MAX_TAGS && (
          <button
            className="tag-add"
            title="Add tags (Enter adds, commas separate)"
            aria-label={`add a tag to run ${run.id}`}
            data-testid={`run-tag-add-${run.id}`}
            onClick={() => setDraft("")}
          >
            +
          </button>
        )
      )}
    </span>
  );
}

export function NoteEditor({ run, save, onClose }: { run: RunSummary; save: Save; onClose(): void }) {
  const [draft, setDraft] = useState<string | null>(run.note ? null : "");
  const [saving, setSaving] = useState(false);

  async function commit() {
    if (draft === null) return;
    setSaving(true);
    try {
      await save({ note: draft });
      setDraft(null);
      if (!draft.trim()) onClose();
    } catch {
      // the toast says why; the text stays to be fixed
    } finally {
      setSaving(false);
    }
  }

  function cancel() {
    if (run.note) setDraft(null);
    else onClose();
  }

  return (
    <div className="run-note" data-testid={`run-note-${run.id}`}>
      {draft === null ? (
        <>
          <NoteMarkdown text={run.note ?? ""} />
          <div className="run-note-actions">
            <button data-testid={`run-note-edit-${run.id}`} onClick={() => setDraft(run.note ?? "")}>
              Edit note
            </button>
            <button className="link small" onClick={onClose}>
              Hide
            </button>
          </div>
        </>
      ) : (
        <>
          <textarea
            className="run-note-input"
            autoFocus
            rows={5}
            value={draft}
            maxLength={MAX_NOTE}
            placeholder="A note in Markdown: **bold**, *italic*, `code`, - lists, [links](https://…)"
            aria-label={`note of run ${run.id}`}
            data-testid={`run-note-input-${run.id}`}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void commit();
              if (e.key === "Escape") cancel();
            }}
          />
          <div className="run-note-actions">
            <button
              className="primary"
              disabled={saving}
              data-testid={`run-note-save-${run.id}`}
              onClick={() => void commit()}
            >
              {saving ? "Saving…" : "Save note"}
            </button>
            <button onClick={cancel}>Cancel</button>
            <span className="muted small">
              {draft.length.toLocaleString()} / {MAX_NOTE.toLocaleString()} · Ctrl+Enter saves
            </span>
          </div>
        </>
      )}
    </div>
  );
}
