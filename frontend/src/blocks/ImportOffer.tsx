// After importing a trained .keras file (its weights dropped: a graph has none), the Inspector offers to
// place it as a Pretrained block instead: the file is kept as one of the person's models (POST
// /api/models) and the canvas gets Input -> Pretrained {upload} -> Output (undoable).
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { useSession } from "../auth/session";
import { loadDocument } from "../editor/commands";
import { notify } from "../ui/toast";
import { useImportOffer, type Offer } from "./importOffer";
import { pretrainedDocument } from "./pretrained";
import { useTrainedModels } from "./trainedModels";
import "./PretrainedFields.css";

/** Uploads the offer's file and places it as a Pretrained block; true when it was placed. */
export async function placeAsPretrained(offer: Offer): Promise<boolean> {
  const model = await api.uploadModel(offer.file);
  await useTrainedModels.getState().loadModels(0); // the pickers list it now
  await loadDocument(pretrainedDocument(offer.doc, model.id));
  return true;
}

export function ImportOffer() {
  const offer = useImportOffer((s) => s.offer);
  const username = useSession((s) => s.username);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // a server without uploaded models (no GET /api/models) has nowhere to keep the file: no offer
  const absent = useTrainedModels((s) => s.models?.absent ?? false);
  const loadModels = useTrainedModels((s) => s.loadModels);
  useEffect(() => {
    if (offer && username) void loadModels();
  }, [offer, username, loadModels]);
  if (!offer || absent) return null;
  const place = async () => {
    setBusy(true);
    setError(null);
    try {
      await placeAsPretrained(offer);
      useImportOffer.getState().set(null);
      notify(`Placed ${offer.file.name} as a Pretrained block, with its trained weights`, "success");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="import-offer" data-testid="import-offer">
      <div>
        <strong>{offer.file.name}</strong> held trained weights, which the imported graph does not keep.
      </div>
      {error && (
        <div className="field-error" data-testid="import-offer-error">
          {error}
        </div>
      )}
      <div className="import-offer-actions">
        <button
          className="primary"
          data-testid="import-offer-place"
          disabled={busy || !username}
          title={username ? undefined : "Log in to keep the file as one of your models"}
          onClick={() => void place()}
        >
          {busy ? "Uploading…" : "Place as a Pretrained block instead"}
        </button>
        <button data-testid="import-offer-dismiss" onClick={() => useImportOffer.getState().set(null)}>
          Dismiss
        </button>
      </div>
      {!username && <div className="muted small">Log in to keep its weights as a Pretrained block.</div>}
    </div>
  );
}
