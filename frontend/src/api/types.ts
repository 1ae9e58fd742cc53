// Types of the server's JSON contract, taken from the generated schema.gen.ts (from /api/openapi.json,
// `make fixtures`): the server's schemas (webapp/schemas.py) are the one declaration. The catalog is
// the one source of truth for blocks: the front end renders what it says.
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Catalog = Schemas["Catalog"];
export type LayerSpec = Schemas["LayerSpec"];
export type ParamSpec = Schemas["ParamSpec"];
export type ParamKind = ParamSpec["kind"];
export type Category = Schemas["Category"];

/** A block's parameters, as JSON values. */
export type Params = Record<string, unknown>;

export type GraphDocument = Schemas["GraphDocument"];
export type DocNode = Schemas["DocNode"];
export type DocEdge = Schemas["DocEdge"];

/** A graph as a person saved it (a project, a version, a run): any JSON object until it is loaded. */
export type StoredGraph = Schemas["Project"]["graph"];

export type Problem = Schemas["Problem"];
export type NodeReport = Schemas["NodeReport"];
export type ValidationResult = Schemas["ValidationResult"];
/** A shape as the server sends it: [null, 512]; a layer with several outputs gives a list of shapes. */
export type Shape = NonNullable<NodeReport["output_shape"]>;

export type Example = Schemas["Example"];
export type Me = Schemas["Me"];
export type ProjectSummary = Schemas["ProjectSummary"];
export type Project = Schemas["Project"];
export type VersionSummary = Schemas["VersionSummary"];
export type Version = Schemas["Version"];

/** Every 4xx answer: {"detail"}, with the field at fault or per-block errors where there are some. */
export type ApiErrorBody = Schemas["Error"];
