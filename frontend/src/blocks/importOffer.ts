// The import offer's state: a trained .keras file just imported (its weights dropped), which the Inspector
// offers to place as a Pretrained block instead (ImportOffer.tsx). Set by the import command.
import { create } from "zustand";
import type { GraphDocument } from "../api/types";

export interface Offer {
  file: File;
  /** The graph the import gave (its Input and Output blocks are kept). */
  doc: GraphDocument;
}

interface OfferState {
  offer: Offer | null;
  set(offer: Offer | null): void;
}

export const useImportOffer = create<OfferState>()((set) => ({
  offer: null,
  set: (offer) => set({ offer }),
}));
