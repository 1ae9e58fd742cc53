// One editor per model input for "Try it": a drawing pad or an image file for images, a form of the
// dataset's columns for tables, a box of token ids for sequences, JSON for anything else.
import { useEffect, useId, useRef, useState } from "react";
import { DrawingPad, type PadHandle } from "./DrawingPad";
import { asSample, isBlank } from "./pad";
import type { PredictInput } from "./types";

/** What an input holds now: ready to send, nothing yet (with a hint), or not valid (with why). */
export type InputValue =
  | { kind: "sample"; sample: unknown }
  | { kind: "file"; file: File }
  | { kind: "columns"; columns: Record<string, unknown> }
  | { kind: "empty"; hint: string }
  | { kind: "invalid"; message: string };

export interface InputError {
  message: string;
  column?: string | null;
}

interface EditorProps {
  input: PredictInput;
  onChange(value: InputValue): void;
  error?: InputError;
  padRef?: React.Ref<PadHandle>;
}

export function InputEditor(props: EditorProps) {
  const { input, error } = props;
  let body: React.ReactNode;
  if (input.kind === "image" && input.image) body = <ImageEditor {...props} />;
  else if ((input.kind === "tabular" || input.kind === "sequence") && input.columns?.length)
    body = <TabularForm {...props} />; // a text column is typed as text, encoded as in training
  else if (input.kind === "sequence") body = <SequenceBox {...props} />;
  else body = <ArrayBox {...props} />;
  return (
    <fieldset className="try-input" data-testid={`try-input-${input.name}`} data-kind={input.kind}>
      <legend>
        <strong>{input.name}</strong>{" "}
        <span className="muted small">
          {input.kind} · {shapeText(input.shape)} {input.dtype}
        </span>
      </legend>
      {body}
      {error && !error.column && (
        <div className="form-error try-error" role="alert" data-testid={`try-error-${input.name}`}>
          {error.message}
        </div>
      )}
    </fieldset>
  );
}

function shapeText(shape: (number | null)[]) {
  return `(${shape.map((d) => (d === null ? "None" : d)).join(", ")}${shape.length === 1 ? "," : ""})`;
}

function ImageEditor({ input, onChange, padRef }: EditorProps) {
  const image = input.image!;
  const [mode, setMode] = useState<"draw" | "file">("draw");
  const [file, setFile] = useState<File | null>(null);
  const lastPad = useRef<Float32Array | null>(null);
  const id = useId();

  function pick(next: "draw" | "file") {
    setMode(next);
    if (next === "file")
      onChange(file ? { kind: "file", file } : { kind: "empty", hint: "Choose an image file." });
    else if (lastPad.current) onPad(lastPad.current);
  }

  const onPad = (grey: Float32Array) => {
    lastPad.current = grey;
    if (isBlank(grey)) onChange({ kind: "empty", hint: "Draw something on the pad." });
    else onChange({ kind: "sample", sample: asSample(grey, image.width, image.height, input.shape) });
  };

  return (
    <>
      <div className="segmented tabs" role="tablist" aria-label={`${input.name} input method`}>
        <button
          role="tab"
          id={`${id}-draw`}
          aria-selected={mode === "draw"}
          aria-controls={`${id}-draw-panel`}
          className={mode === "draw" ? "active" : ""}
          data-testid="try-mode-draw"
          onClick={() => pick("draw")}
        >
          Draw
        </button>
        <button
          role="tab"
          id={`${id}-file`}
          aria-selected={mode === "file"}
          aria-controls={`${id}-file-panel`}
          className={mode === "file" ? "active" : ""}
          data-testid="try-mode-file"
          onClick={() => pick("file")}
        >
          Image file
        </button>
      </div>
      <div role="tabpanel" id={`${id}-draw-panel`} aria-labelledby={`${id}-draw`} hidden={mode !== "draw"}>
        <DrawingPad
          ref={padRef}
          width={image.width}
          height={image.height}
          label={input.name}
          onChange={(grey) => {
            if (mode === "draw") onPad(grey);
            else lastPad.current = grey;
          }}
        />
      </div>
      <div role="tabpanel" id={`${id}-file-panel`} aria-labelledby={`${id}-file`} hidden={mode !== "file"}>
        <FileDrop
          file={file}
          image={image}
          onFile={(f) => {
            setFile(f);
            onChange(f ? { kind: "file", file: f } : { kind: "empty", hint: "Choose an image file." });
          }}
        />
      </div>
    </>
  );
}

function FileDrop({
  file,
  image,
  onFile,
}: {
  file: File | null;
  image: { width: number; height: number; channels: number };
  onFile(file: File | null): void;
}) {
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) {
      setUrl(null);
      return;
    }
    const next = URL.createObjectURL(file);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [file]);

  return (
    <div
      className={`file-drop${over ? " over" : ""}`}
      data-testid="try-file-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const dropped = e.dataTransfer.files?.[0];
        if (dropped) onFile(dropped);
      }}
    >
      {url ? (
        <img src={url} alt={file?.name ?? "chosen image"} className="file-drop-image" />
      ) : (
        <div className="file-drop-empty muted">
          <span className="file-drop-icon" aria-hidden="true">
            ⤓
          </span>
          Drop an image here
        </div>
      )}
      <div className="row">
        <button data-testid="try-file-choose" onClick={() => picker.current?.click()}>
          {file ? "Choose another…" : "Choose a file…"}
        </button>
        {file && (
          <button data-testid="try-file-remove" onClick={() => onFile(null)}>
            Remove
          </button>
        )}
      </div>
      <p className="muted small">
        {file
          ? file.name
          : `PNG, JPEG, GIF…: resized to ${image.width}×${image.height} ${image.channels === 3 ? "RGB" : "grey"} as in training.`}
      </p>
      <input
        ref={picker}
        type="file"
        accept="image/*"
        hidden
        data-testid="try-file-input"
        onChange={(e) => {
          const chosen = e.target.files?.[0];
          e.target.value = "";
          if (chosen) onFile(chosen);
        }}
      />
    </div>
  );
}

function TabularForm({ input, onChange, error }: EditorProps) {
  const columns = input.columns ?? [];
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(columns.map((c) => [c.name, c.choices?.[0] ?? ""])),
  );
  const id = useId();
  const emit = (next: Record<string, string>) => {
    if (columns.every((c) => (next[c.name] ?? "").trim() === "")) {
      onChange({ kind: "empty", hint: "Fill in the columns." });
      return;
    }
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      const raw = next[c.name] ?? "";
      const number = Number(raw);
      out[c.name] = c.kind === "number" && raw.trim() !== "" && Number.isFinite(number) ? number : raw;
    }
    onChange({ kind: "columns", columns: out });
  };
  useEffect(() => {
    emit(values);
    // Once on mount: the choices' first values are a complete row already.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="try-form">
      {columns.map((c, i) => {
        const fieldId = `${id}-${i}`;
        const wrong = error?.column === c.name ? error.message : null;
        const set = (value: string) => {
          const next = { ...values, [c.name]: value };
          setValues(next);
          emit(next);
        };
        return (
          <label key={c.name} className={`try-field${c.kind === "text" ? " wide" : ""}`} htmlFor={fieldId}>
            <span className="try-field-name">{c.name}</span>
            {c.choices?.length ? (
              <select
                id={fieldId}
                value={values[c.name]}
                onChange={(e) => set(e.target.value)}
                data-testid={`try-column-${c.name}`}
                aria-invalid={wrong ? true : undefined}
              >
                {c.choices.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            ) : c.kind === "text" ? (
              <textarea
                id={fieldId}
                rows={3}
                value={values[c.name]}
                placeholder="Type a text"
                onChange={(e) => set(e.target.value)}
                data-testid={`try-column-${c.name}`}
                aria-invalid={wrong ? true : undefined}
              />
            ) : (
              <input
                id={fieldId}
                type={c.kind === "number" ? "number" : "text"}
                step="any"
                value={values[c.name]}
                onChange={(e) => set(e.target.value)}
                data-testid={`try-column-${c.name}`}
                aria-invalid={wrong ? true : undefined}
              />
            )}
            {wrong && (
              <span className="form-error small" role="alert" data-testid={`try-error-column-${c.name}`}>
                {wrong}
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}

/** Token ids from text: integers separated by spaces or commas; the reason when it is not that. */
export function parseIds(text: string, vocabulary?: number | null): number[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const ids: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isInteger(n)) return `“${part}” is not a whole number`;
    if (n < 0 || (vocabulary && n >= vocabulary))
      return `${n} is out of range: ids go from 0 to ${vocabulary ? vocabulary - 1 : "…"}`;
    ids.push(n);
  }
  return ids;
}

function SequenceBox({ input, onChange }: EditorProps) {
  const [text, setText] = useState("");
  const id = useId();
  const parsed = parseIds(text, input.vocabulary_size);
  return (
    <div className="try-text">
      <label htmlFor={id} className="muted small">
        Token ids, separated by spaces or commas
        {input.length ? ` (up to ${input.length}; 0 pads)` : ""}
        {input.vocabulary_size ? `, from 0 to ${input.vocabulary_size - 1}` : ""}
      </label>
      <textarea
        id={id}
        rows={3}
        value={text}
        placeholder="e.g. 12 7 301 4"
        data-testid={`try-ids-${input.name}`}
        aria-invalid={typeof parsed === "string" ? true : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const ids = parseIds(e.target.value, input.vocabulary_size);
          if (typeof ids === "string") onChange({ kind: "invalid", message: ids });
          else if (!ids.length) onChange({ kind: "empty", hint: "Type some token ids." });
          else onChange({ kind: "sample", sample: ids });
        }}
      />
      {typeof parsed === "string" && <div className="form-error small">{parsed}</div>}
    </div>
  );
}

function ArrayBox({ input, onChange }: EditorProps) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  return (
    <div className="try-text">
      <label htmlFor={id} className="muted small">
        One sample as JSON, shape {shapeText(input.shape)}
      </label>
      <textarea
        id={id}
        rows={4}
        className="mono"
        value={text}
        placeholder={
          input.shape.length === 1 && input.shape[0]
            ? `[${Array(Math.min(input.shape[0], 4)).fill("0.0").join(", ")}${input.shape[0] > 4 ? ", …" : ""}]`
            : "[[0.0, …], …]"
        }
        data-testid={`try-json-${input.name}`}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setProblem(null);
            onChange({ kind: "empty", hint: "Type a sample." });
            return;
          }
          try {
            const sample: unknown = JSON.parse(e.target.value);
            setProblem(null);
            onChange({ kind: "sample", sample });
          } catch {
            setProblem("not valid JSON yet");
            onChange({ kind: "invalid", message: "the sample is not valid JSON" });
          }
        }}
      />
      {problem && <div className="muted small">{problem}</div>}
    </div>
  );
}
