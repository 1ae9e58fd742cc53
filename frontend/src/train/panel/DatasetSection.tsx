// The dataset picker: built-in and uploaded datasets, the upload form, and the chosen one's sizes,
// fields and preview.
import { useState } from "react";
import { useTrain } from "../store";
import { DatasetUpload } from "./DatasetUpload";
import { DatasetDetails } from "./DatasetDetails";
import { deleteUpload, useChosenDataset, useDatasetList } from "./useDatasets";
import { useServerRefusal } from "./useServerRefusal";
import { notify } from "../../ui/toast";
import type { DatasetInfo } from "../../api/runs";

function Options({ label, datasets }: { label: string; datasets: DatasetInfo[] }) {
  if (!datasets.length) return null;
  return (
    <optgroup label={label}>
      {datasets.map((d) => (
        <option key={String(d.ref)} value={String(d.ref)}>
          {d.title}
        </option>
      ))}
    </optgroup>
  );
}

export function DatasetSection() {
  useDatasetList();
  const datasets = useTrain((s) => s.datasets);
  const error = useTrain((s) => s.datasetsError);
  const reload = useTrain((s) => s.loadDatasets);
  const ref = useTrain((s) => s.dataset);
  const setDataset = useTrain((s) => s.setDataset);
  const refusal = useServerRefusal();
  const chosen = useChosenDataset();
  const [showUpload, setShowUpload] = useState(false);
  const datasetError = refusal?.field === "dataset" ? refusal.detail : null;

  async function remove(d: DatasetInfo) {
    try {
      await deleteUpload(d);
    } catch (e) {
      notify(`Delete failed: ${(e as Error).message}`, "error");
    }
  }

  return (
    <section className="train-section">
      <h3>Dataset</h3>
      {error && <p className="field-error">{error}</p>}
      <div className="row">
        <select
          className="grow"
          data-testid="train-dataset"
          value={ref ?? ""}
          onChange={(e) => setDataset(e.target.value || null)}
          disabled={!datasets}
          aria-invalid={!!datasetError}
        >
          {!datasets && <option value="">Loading…</option>}
          <Options label="Built in" datasets={datasets?.filter((d) => d.kind === "builtin") ?? []} />
          <Options label="Your uploads" datasets={datasets?.filter((d) => d.kind === "upload") ?? []} />
        </select>
        <button
          onClick={() => setShowUpload((v) => !v)}
          data-testid="train-upload-open"
          aria-expanded={showUpload}
          title="Upload a CSV, NPZ or ZIP of images"
        >
          Upload…
        </button>
      </div>
      {datasetError && (
        <div className="field-error" data-testid="train-dataset-error">
          {datasetError}
        </div>
      )}
      {showUpload && (
        <DatasetUpload
          onUploaded={async (info) => {
            notify(
              `Uploaded "${info.title}": ${info.train_size} training and ${info.test_size} test samples.`,
              "success",
            );
            setShowUpload(false);
            // The list first: a choice that is not in it yet would be replaced by the default.
            await reload();
            setDataset(String(info.ref));
          }}
        />
      )}
      {chosen && <DatasetDetails dataset={chosen} onDelete={() => remove(chosen)} />}
    </section>
  );
}
