// Upload a dataset: a CSV (choose its target columns from its header), an NPZ (named arrays) or a
// ZIP of one folder per class of images. Progress from XMLHttpRequest; the server's error shown at
// the field it names.
import { useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { uploadDataset, type DatasetInfo, type UploadHandle } from "../../api/runs";
import { csvHeader, fileProblem, formatBytes, kindOf, stampOf } from "./upload";
import { UploadColumns } from "./UploadColumns";

export function DatasetUpload({ onUploaded }: { onUploaded: (info: DatasetInfo) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [columns, setColumns] = useState<string[]>([]);
  const [targets, setTargets] = useState<string[]>([]);
  const [classTargets, setClassTargets] = useState<string[]>([]);
  const [npzInputs, setNpzInputs] = useState("");
  const [npzTargets, setNpzTargets] = useState("");
  const [imageSize, setImageSize] = useState("64");
  const [color, setColor] = useState<"rgb" | "grayscale">("rgb");
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const handle = useRef<UploadHandle | null>(null);
  const kind = file ? kindOf(file.name) : null;
  const busy = progress !== null;

  async function choose(next: File | null) {
    setFile(next);
    setError(null);
    setColumns([]);
    setTargets([]);
    setClassTargets([]);
    if (!next) return;
    if (!name) setName(next.name.replace(/\.[^.]+$/, ""));
    const k = kindOf(next.name);
    if (!k) {
      setError({
        field: "file",
        message: "upload a .csv, a .npz or a .zip of one folder per class of images",
      });
      return;
    }
    if (k === "csv") {
      const head = await next.slice(0, 64 * 1024).text();
      const cols = csvHeader(head);
      setColumns(cols);
      if (cols.length > 1) setTargets([cols[cols.length - 1]]);
    }
  }

  function options(): Record<string, unknown> {
    if (kind === "csv")
      return {
        targets,
        ...(classTargets.length ? { class_targets: classTargets.filter((c) => targets.includes(c)) } : {}),
      };
    if (kind === "npz") {
      const list = (s: string) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
      const out: Record<string, unknown> = {};
      if (list(npzInputs).length) out.inputs = list(npzInputs);
      if (list(npzTargets).length) out.targets = list(npzTargets);
      return out;
    }
    if (kind === "zip") {
      const size = Number(imageSize);
      return { image_size: [size, size], color };
    }
    return {};
  }

  async function submit() {
    if (!file) {
      setError({ field: "file", message: "choose a file" });
      return;
    }
    if (kind === "csv" && !targets.length) {
      setError({ field: "targets", message: "tick the column(s) to predict" });
      return;
    }
    if (
      kind === "zip" &&
      !(Number.isInteger(Number(imageSize)) && Number(imageSize) >= 8 && Number(imageSize) <= 512)
    ) {
      setError({ field: "image_size", message: "a whole number of pixels from 8 to 512" });
      return;
    }
    setError(null);
    const stamp = stampOf(file);
    const unreadable = await fileProblem(file, stamp);
    if (unreadable) {
      setError({ field: "file", message: unreadable });
      return;
    }
    setProgress({ loaded: 0, total: file.size });
    handle.current = uploadDataset(file, name.trim(), options(), setProgress);
    try {
      const info = await handle.current.promise;
      setFile(null);
      setName("");
      setColumns([]);
      onUploaded(info);
    } catch (e) {
      // a network failure may be the file itself: changed or removed on disk while it was sent
      const changed = e instanceof ApiError && e.status === 0 ? await fileProblem(file, stamp) : null;
      if (changed) {
        setError({ field: "file", message: changed });
        return;
      }
      const body = (e instanceof ApiError ? e.body : null) as { field?: string | null } | null;
      const field = body?.field || "file";
      setError({
        field: field === "options" && kind === "csv" ? "targets" : field,
        message: (e as Error).message,
      });
    } finally {
      setProgress(null);
      handle.current = null;
    }
  }

  const errorAt = (field: string | string[]) =>
    error && (Array.isArray(field) ? field : [field]).includes(error.field) ? (
      <div className="field-error" data-testid="train-upload-error" data-field={error.field} role="alert">
        {error.message}
      </div>
    ) : null;
  const placed = [
    "file",
    "name",
    ...(kind === "csv" && columns.length
      ? ["targets", "class_targets"]
      : kind === "npz"
        ? ["inputs", "targets"]
        : kind === "zip"
          ? ["image_size", "color"]
          : []),
  ];

  return (
    <div className="upload-form" data-testid="train-upload">
      <label className="tfield">
        <span>File (.csv, .npz, .zip of class folders)</span>
        <input
          type="file"
          accept=".csv,.npz,.zip,text/csv,application/zip"
          data-testid="train-upload-file"
          disabled={busy}
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
          aria-invalid={error?.field === "file"}
        />
      </label>
      {errorAt("file")}
      {file && (
        <p className="muted small">
          {file.name}, {formatBytes(file.size)}
        </p>
      )}
      <label className="tfield">
        <span>Name</span>
        <input
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="train-upload-name"
          disabled={busy}
          placeholder="the file's name"
        />
      </label>
      {errorAt("name")}
      {kind === "csv" && columns.length > 0 && (
        <UploadColumns
          columns={columns}
          targets={targets}
          classTargets={classTargets}
          busy={busy}
          setTargets={setTargets}
          setClassTargets={setClassTargets}
        />
      )}
      {kind === "csv" && columns.length > 0 && errorAt(["targets", "class_targets"])}
      {kind === "npz" && (
        <>
          <label className="tfield">
            <span>Input arrays (comma-separated; default: names starting with x)</span>
            <input
              type="text"
              value={npzInputs}
              onChange={(e) => setNpzInputs(e.target.value)}
              data-testid="train-upload-inputs"
              disabled={busy}
            />
          </label>
          {errorAt("inputs")}
          <label className="tfield">
            <span>Target arrays (default: names starting with y)</span>
            <input
              type="text"
              value={npzTargets}
              onChange={(e) => setNpzTargets(e.target.value)}
              data-testid="train-upload-npz-targets"
              disabled={busy}
            />
          </label>
          {errorAt("targets")}
        </>
      )}
      {kind === "zip" && (
        <div className="row">
          <label className="tfield">
            <span>Image size (px)</span>
            <input
              type="number"
              min={8}
              max={512}
              value={imageSize}
              onChange={(e) => setImageSize(e.target.value)}
              data-testid="train-upload-image-size"
              disabled={busy}
            />
          </label>
          <label className="tfield">
            <span>Colour</span>
            <select
              value={color}
              onChange={(e) => setColor(e.target.value as "rgb" | "grayscale")}
              data-testid="train-upload-color"
              disabled={busy}
            >
              <option value="rgb">RGB</option>
              <option value="grayscale">grayscale</option>
            </select>
          </label>
        </div>
      )}
      {kind === "zip" && errorAt(["image_size", "color"])}
      {error && !placed.includes(error.field) && errorAt(error.field)}
      {progress && (
        <div className="upload-progress" data-testid="train-upload-progress">
          <progress max={progress.total || 1} value={progress.loaded} />
          <span className="small muted">
            {progress.loaded >= progress.total
              ? "Processing on the server…"
              : `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`}
          </span>
          <button className="link" onClick={() => handle.current?.abort()}>
            Cancel
          </button>
        </div>
      )}
      <button className="primary" onClick={submit} disabled={busy || !file} data-testid="train-upload-submit">
        Upload
      </button>
    </div>
  );
}
