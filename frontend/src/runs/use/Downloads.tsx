// The run's downloads: the trained model in four formats (sizes from GET /api/runs/{id}/exports; a
// format not converted yet is converted on its first download), the code and data that reproduce the
// run, the history and TensorBoard logs.
import { useCallback, useEffect, useRef, useState } from "react";
import { downloads, type Run } from "../../api/runs";
import { downloadBlob } from "../../editor/download";
import { fetchFile, modelApi, modelLinks, type Progress } from "./api";
import { formatBytes } from "./bars";
import type { ExportEntry, ModelFormat } from "./types";
import "./use.css";

const FORMATS: { format: ModelFormat; title: string; file: string; doc: string }[] = [
  {
    format: "keras",
    title: "Keras",
    file: "model.keras",
    doc: "keras.saving.load_model, fine-tuning in Python",
  },
  {
    format: "savedmodel",
    title: "TensorFlow SavedModel",
    file: "savedmodel.zip",
    doc: "TF Serving, TensorFlow.js converter",
  },
  { format: "onnx", title: "ONNX", file: "model.onnx", doc: "onnxruntime in Python, C++, C#, JavaScript" },
  { format: "tflite", title: "TensorFlow Lite", file: "model.tflite", doc: "Android, iOS, microcontrollers" },
];

type RowState =
  | { phase: "idle" }
  | { phase: "running"; converting: boolean; progress: Progress | null }
  | { phase: "failed"; message: string };

export function Downloads({ run }: { run: Run }) {
  const id = run.id;
  const [entries, setEntries] = useState<Record<string, ExportEntry> | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  const refresh = useCallback(
    (signal?: AbortSignal) =>
      modelApi
        .exports(id, signal)
        .then((list) => {
          setEntries(Object.fromEntries(list.formats.map((f) => [f.format, f])));
          setListError(null);
        })
        .catch((e: Error) => {
          if (!signal?.aborted) setListError(e.message);
        }),
    [id],
  );
  useEffect(() => {
    if (!run.has_model) return;
    const controller = new AbortController();
    void refresh(controller.signal);
    return () => controller.abort();
  }, [refresh, run.has_model]);

  return (
    <section className="card-section downloads" data-testid="downloads">
      <h3>Downloads</h3>
      <div className="downloads-grid">
        <div>
          <h4 className="downloads-head">Trained model</h4>
          {!run.has_model && (
            <p className="muted" data-testid="download-model-missing">
              This run has no trained model.
            </p>
          )}
          {run.has_model && (
            <ul className="export-list" data-testid="export-list">
              {FORMATS.map((f) => (
                <ExportRow
                  key={f.format}
                  id={id}
                  {...f}
                  entry={entries?.[f.format]}
                  onDone={() => void refresh()}
                />
              ))}
            </ul>
          )}
          {listError && <p className="muted small">Sizes unavailable: {listError}</p>}
        </div>
        <div>
          <h4 className="downloads-head">Code, data and logs</h4>
          <div className="row wrap">
            <a className="button" href={downloads.script(id)} download data-testid="download-script">
              Reproduce script (.py)
            </a>
            <a className="button" href={modelLinks.notebook(id)} download data-testid="download-notebook">
              Notebook (.ipynb)
            </a>
            {run.dataset?.kind === "upload" && !run.dataset.deleted && (
              <a className="button" href={modelLinks.data(id)} download data-testid="download-data">
                Dataset arrays (data.npz)
              </a>
            )}
            <a className="button" href={downloads.history(id)} download data-testid="download-history">
              History (CSV)
            </a>
            {run.has_tensorboard && (
              <a
                className="button"
                href={downloads.tensorboard(id)}
                download
                data-testid="download-tensorboard"
              >
                TensorBoard logs
              </a>
            )}
          </div>
          <p className="muted small downloads-note">
            The script and notebook rebuild the model and train it again on the same data and settings.
          </p>
        </div>
      </div>
    </section>
  );
}

function ExportRow({
  id,
  format,
  title,
  file,
  doc,
  entry,
  onDone,
}: {
  id: number;
  format: ModelFormat;
  title: string;
  file: string;
  doc: string;
  entry: ExportEntry | undefined;
  onDone(): void;
}) {
  const [state, setState] = useState<RowState>({ phase: "idle" });
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const filename = entry?.filename ?? file;
  const size = entry?.size;

  async function download() {
    const mine = new AbortController();
    controller.current = mine;
    setState({ phase: "running", converting: size == null, progress: null });
    try {
      const { blob, filename: name } = await fetchFile(
        modelLinks.export(id, format),
        filename,
        (progress) => setState({ phase: "running", converting: false, progress }),
        mine.signal,
      );
      downloadBlob(blob, name);
      setState({ phase: "idle" });
      if (size == null) onDone();
    } catch (e) {
      if (!mine.signal.aborted) setState({ phase: "failed", message: (e as Error).message });
    }
  }

  const running = state.phase === "running";
  const known = entry?.error && state.phase === "idle" ? entry.error : null;
  let note: React.ReactNode;
  if (state.phase === "running") {
    const p = state.progress;
    note = state.converting
      ? "Converting… (the first download of a format takes a while)"
      : p && p.total
        ? `Downloading… ${formatBytes(p.loaded)} of ${formatBytes(p.total)}`
        : "Downloading…";
  } else if (size != null) note = formatBytes(size);
  else if (entry) note = "converted on first download";
  return (
    <li className="export-row" data-testid={`export-${format}`} data-state={state.phase}>
      <div className="export-name">
        <strong>{title}</strong> <code className="muted">{filename}</code>
        <div className="muted small">{doc}</div>
      </div>
      <span className="export-size small muted" data-testid={`export-${format}-size`}>
        {note}
      </span>
      {format === "keras" ? (
        <a
          className="button primary"
          href={downloads.model(id)}
          download={filename}
          data-testid="download-model"
        >
          Download
        </a>
      ) : (
        <button
          className="primary"
          onClick={download}
          disabled={running}
          aria-busy={running}
          data-testid={`download-${format}`}
          aria-label={`Download ${title} (${filename})`}
        >
          {running && <span className="use-spinner light" aria-hidden="true" />}
          {running ? " Preparing" : state.phase === "failed" || known ? "Try again" : "Download"}
        </button>
      )}
      {(state.phase === "failed" || known) && (
        <div className="form-error export-error" role="alert" data-testid={`download-${format}-error`}>
          {state.phase === "failed" ? state.message : known}
        </div>
      )}
    </li>
  );
}
