// Types of the server's JSON contract (see DESIGN.md). The catalog is the one
// source of truth for blocks: the front end renders what it says.

export type ParamKind =
  | "int"
  | "float"
  | "bool"
  | "choice"
  | "int_tuple"
  | "float_or_tuple"
  | "shape"
  | "string"
  | "string_list"
  | "layer";

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  default: unknown;
  required: boolean;
  nullable: boolean;
  choices: unknown[] | null;
  min: number | null;
  max: number | null;
  length: number | null;
  doc: string;
}

export interface LayerSpec {
  type: string;
  category: string;
  doc: string;
  inputs: { min: number; max: number | null };
  params: ParamSpec[];
}

export interface Category {
  name: string;
  label: string;
}

export interface Catalog {
  keras_version: string;
  categories: Category[];
  layers: LayerSpec[];
}

export type Params = Record<string, unknown>;

export interface DocNode {
  id: string;
  type: string;
  params: Params;
  position?: { x: number; y: number };
}

export interface DocEdge {
  source: string;
  target: string;
  port?: number;
}

export interface GraphDocument {
  version: 1;
  name: string;
  description?: string;
  nodes: DocNode[];
  edges: DocEdge[];
}

export interface Problem {
  node: string | null;
  param?: string;
  message: string;
}

/** A shape as the server sends it: [null, 512]; a layer with several outputs gives a list of shapes. */
export type Shape = (number | null)[] | (number | null)[][];

export interface NodeReport {
  output_shape: Shape | null;
  params: number;
  macs?: number;
}

export interface ValidationResult {
  valid: boolean;
  errors: Problem[];
  warnings: Problem[];
  nodes: Record<string, NodeReport>;
  total_params: number;
  trainable_params: number;
  total_macs?: number;
}

export interface Example {
  name: string;
  description: string;
  graph: GraphDocument;
}

export interface Me {
  authenticated: boolean;
  username?: string;
}

export interface ProjectSummary {
  id: number;
  name: string;
  updated_at: string;
  version: number;
}

export interface Project extends ProjectSummary {
  graph: GraphDocument;
}
