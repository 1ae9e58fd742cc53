// The Train panel lives in panel/, one file per section; this is its import path.
export { TrainPanel } from "./panel/TrainPanel";
