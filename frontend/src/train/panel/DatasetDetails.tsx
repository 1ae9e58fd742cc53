// The chosen dataset at a glance: its description and sizes, its input and target fields, and a
// preview of a few samples (images, or a table).
import type { DatasetField, DatasetInfo } from "../../api/runs";
import { formatShape } from "../../blocks/format";
import { filledNote } from "./filled";
import { usePreview } from "./useDatasets";

export function DatasetDetails({ dataset, onDelete }: { dataset: DatasetInfo; onDelete(): void }) {
  return (
    <>
      {dataset.description && <p className="muted small dataset-description">{dataset.description}</p>}
      <p className="small">
        <strong>{dataset.train_size.toLocaleString("en-US")}</strong> training,{" "}
        <strong>{dataset.test_size.toLocaleString("en-US")}</strong> test samples
        {dataset.kind === "upload" && (
          <>
            {" · "}
            <button className="link small" onClick={onDelete} data-testid="train-dataset-delete">
              delete upload
            </button>
          </>
        )}
      </p>
      {filledNote(dataset) && (
        <p className="small dataset-filled" data-testid="train-dataset-filled">
          {filledNote(dataset)}
        </p>
      )}
      <FieldList info={dataset} />
      <Preview dataset={dataset} />
    </>
  );
}

function FieldList({ info }: { info: DatasetInfo }) {
  const row = (f: DatasetField, kind: string) => (
    <tr key={`${kind}:${f.name}`} data-testid={`train-field-${f.name}`}>
      <td className="muted">{kind}</td>
      <td>
        <code>{f.name}</code>
      </td>
      <td>
        <code>{formatShape(f.shape)}</code> {f.dtype}
      </td>
      <td className="small">
        {f.classes ? `${f.classes} classes` : kind === "target" ? (f.task ?? "") : (f.modality ?? "")}
      </td>
    </tr>
  );
  return (
    <table className="train-fields" data-testid="train-fields">
      <tbody>
        {info.inputs.map((f) => row(f, "input"))}
        {info.targets.map((f) => row(f, "target"))}
      </tbody>
    </table>
  );
}

function Preview({ dataset }: { dataset: DatasetInfo }) {
  const { preview, error } = usePreview(dataset);
  if (error) return <p className="field-error small">Preview: {error}</p>;
  if (!preview) return <p className="muted small">Loading a preview…</p>;
  if (preview.kind === "images") {
    return (
      <div className="preview-images" data-testid="train-preview">
        {preview.images.map((img, i) => (
          <figure key={i}>
            <img src={img.src} alt={`sample ${i}`} />
            <figcaption>{Object.values(img.targets).map(String).join(", ")}</figcaption>
          </figure>
        ))}
      </div>
    );
  }
  return (
    <div className="preview-table" data-testid="train-preview">
      <table>
        <thead>
          <tr>
            {preview.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j}>{Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {preview.truncated && <p className="muted small">More columns not shown.</p>}
    </div>
  );
}
