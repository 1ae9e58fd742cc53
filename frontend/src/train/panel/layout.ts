// The editor's columns with the Train panel open: the palette, the canvas (never narrower than
// MIN_CANVAS while the window allows), the inspector and the Train panel at the width its drag handle
// set (remembered in localStorage), or collapsed to a strip. When the window is too narrow for the
// inspector and the Train panel side by side, the inspector sits above the panel in one column.
import { create } from "zustand";

export const PALETTE_WIDTH = 210;
export const INSPECTOR_WIDTH = 280;
export const INSPECTOR_ALONE_WIDTH = 300;
export const MIN_CANVAS = 480;
export const MIN_TRAIN = 300;
export const DEFAULT_TRAIN = 370;
export const COLLAPSED_TRAIN = 36;
const STORAGE_KEY = "keras-canvas-train-layout";

export interface EditorColumns {
  /** grid-template-columns of .editor-main */
  columns: string;
  /** the inspector sits above the Train panel, in its column */
  stacked: boolean;
  /** the Train panel's width in px (0 when closed) and the most its handle may drag it to */
  train: number;
  maxTrain: number;
}

export function editorColumns(
  width: number,
  open: boolean,
  stored: number,
  collapsed: boolean,
): EditorColumns {
  if (!open)
    return {
      columns: `${PALETTE_WIDTH}px minmax(0, 1fr) ${INSPECTOR_ALONE_WIDTH}px`,
      stacked: false,
      train: 0,
      maxTrain: 0,
    };
  if (collapsed)
    return {
      columns: `${PALETTE_WIDTH}px minmax(0, 1fr) ${INSPECTOR_WIDTH}px ${COLLAPSED_TRAIN}px`,
      stacked: false,
      train: COLLAPSED_TRAIN,
      maxTrain: COLLAPSED_TRAIN,
    };
  const beside = width - PALETTE_WIDTH - INSPECTOR_WIDTH - MIN_CANVAS;
  if (beside >= MIN_TRAIN) {
    const train = clamp(stored, MIN_TRAIN, beside);
    return {
      columns: `${PALETTE_WIDTH}px minmax(0, 1fr) ${INSPECTOR_WIDTH}px ${train}px`,
      stacked: false,
      train,
      maxTrain: beside,
    };
  }
  const maxTrain = Math.max(MIN_TRAIN, width - PALETTE_WIDTH - MIN_CANVAS);
  const train = clamp(stored, MIN_TRAIN, maxTrain);
  return { columns: `${PALETTE_WIDTH}px minmax(0, 1fr) ${train}px`, stacked: true, train, maxTrain };
}

function clamp(value: number, low: number, high: number) {
  return Math.round(Math.min(Math.max(value, low), Math.max(low, high)));
}

interface TrainLayout {
  width: number;
  collapsed: boolean;
  setWidth(width: number): void;
  setCollapsed(collapsed: boolean): void;
}

function readStored(): { width: number; collapsed: boolean } {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as Record<string, unknown>;
    const width = typeof raw.width === "number" && Number.isFinite(raw.width) ? raw.width : DEFAULT_TRAIN;
    return { width, collapsed: raw.collapsed === true };
  } catch {
    return { width: DEFAULT_TRAIN, collapsed: false };
  }
}

export const useTrainLayout = create<TrainLayout>()((set, get) => {
  const save = () => {
    const { width, collapsed } = get();
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ width, collapsed }));
    } catch {
      // storage full or disabled: the layout is only not remembered
    }
  };
  return {
    ...readStored(),
    setWidth: (width) => (set({ width: Math.round(width) }), save()),
    setCollapsed: (collapsed) => (set({ collapsed }), save()),
  };
});
