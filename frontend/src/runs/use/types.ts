// The "use the trained model" API (GET/POST /api/runs/{id}/predict, test-sample, exports) as the run
// page reads it: aliases of the types generated from the server's OpenAPI schema (api/schema.gen.ts).
import type { components } from "../../api/schema.gen";

type Schemas = components["schemas"];

export type PredictDescription = Schemas["PredictDescription"];
export type PredictInput = Schemas["PredictInput"];
export type PredictOutput = Schemas["PredictOutput"];
export type InputKind = PredictInput["kind"];
export type OutputKind = PredictOutput["kind"];
export type ImageLayout = Schemas["ImageSpec"];
export type ColumnSpec = Schemas["ColumnSpec"];
export type TopClass = Schemas["TopClass"];
export type OutputAnswer = Schemas["OutputPrediction"];
/** POST /api/runs/{id}/predict's 200. */
export type PredictAnswer = Schemas["PredictAnswer"];
/** GET /api/runs/{id}/test-sample */
export type TestSample = Schemas["TestSample"];
export type ExportEntry = Schemas["ExportEntry"];
export type ModelFormat = ExportEntry["format"];
/** GET /api/runs/{id}/exports */
export type ExportList = Schemas["ExportList"];

/** POST predict's body: JSON samples per input, or a tabular upload's raw columns. */
export type PredictBody = { inputs: Record<string, unknown> } | { columns: Record<string, unknown[]> };
