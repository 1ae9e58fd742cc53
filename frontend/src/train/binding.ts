// Which dataset field feeds each Input block and which target each Output block learns: the field of
// the same name, or the only one there is (trainer/binding.py). The checks here mirror the server's,
// to explain a mismatch before training; the server's answer to POST /api/runs has the last word.
import type { DatasetField, DatasetInfo } from '../api/runs';
import type { ValidationResult } from '../api/types';
import type { BlockNode, GraphEdge } from '../graph/types';

type Dim = number | null;

export interface GraphInput {
  name: string;
  shape: Dim[];
  dtype: string;
}

export interface GraphOutput {
  name: string;
  /** without the batch axis; null while unknown */
  shape: Dim[] | null;
  loss: string | null;
}

export interface BindingRow {
  kind: 'input' | 'output';
  node: string;
  shape: Dim[] | null;
  /** the bound field's name, or null */
  field: string | null;
  /** how: the same name, or the dataset's only field */
  how: 'name' | 'only' | null;
  problem: string | null;
}

const SPARSE = new Set(['sparse_categorical_crossentropy', 'sparse_categorical_focal_crossentropy']);
const CATEGORICAL = new Set(['categorical_crossentropy', 'categorical_focal_crossentropy', 'categorical_hinge', 'kl_divergence', 'kld', 'kullback_leibler_divergence']);
const BINARY = new Set(['binary_crossentropy', 'binary_focal_crossentropy', 'hinge', 'squared_hinge']);
const ALIASES: Record<string, string> = {
  mse: 'mean_squared_error',
  mae: 'mean_absolute_error',
  mape: 'mean_absolute_percentage_error',
  msle: 'mean_squared_logarithmic_error',
  crossentropy: 'categorical_crossentropy',
};

export function lossName(loss: unknown): string | null {
  if (typeof loss !== 'string' || !loss) return null;
  const snake = /[A-Z]/.test(loss) ? loss.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase() : loss;
  return ALIASES[snake] ?? snake;
}

function asShape(value: unknown): Dim[] | null {
  if (!Array.isArray(value)) return null;
  if (value.some((d) => Array.isArray(d))) return null; // several outputs: not a single tensor
  return value.map((d) => (typeof d === 'number' ? d : null));
}

/** The graph's Input and Output blocks, as the server sees them (trainer/binding.py's inputs/outputs). */
export function graphIo(nodes: BlockNode[], edges: GraphEdge[], validation: ValidationResult | null): { inputs: GraphInput[]; outputs: GraphOutput[] } {
  const inputs: GraphInput[] = [];
  const outputs: GraphOutput[] = [];
  for (const node of nodes) {
    const params = node.data.params ?? {};
    if (node.data.type === 'Input') {
      inputs.push({ name: node.id, shape: asShape(params.shape) ?? [], dtype: typeof params.dtype === 'string' ? params.dtype : 'float32' });
    } else if (node.data.type === 'Output') {
      let full = asShape(validation?.nodes[node.id]?.output_shape);
      if (!full) {
        const source = edges.find((e) => e.target === node.id)?.source;
        full = source ? asShape(validation?.nodes[source]?.output_shape) : null;
      }
      outputs.push({ name: node.id, shape: full ? full.slice(1) : null, loss: lossName(params.loss) });
    }
  }
  return { inputs, outputs };
}

export function formatShape(shape: Dim[] | null | undefined): string {
  if (!shape) return '?';
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

function elements(shape: Dim[]): number | null {
  return shape.some((d) => d === null) ? null : shape.reduce<number>((a, b) => a * (b as number), 1);
}

/** Same rank with None as a wildcard, or the same number of elements (a reshape). */
export function compatible(block: Dim[], field: Dim[]): boolean {
  if (block.length === field.length && block.every((b, i) => b === null || field[i] === null || b === field[i])) return true;
  const a = elements(block);
  return a !== null && a === elements(field);
}

export function findField(name: string, fields: DatasetField[]): { field: DatasetField; how: 'name' | 'only' } | null {
  const same = fields.find((f) => f.name === name);
  if (same) return { field: same, how: 'name' };
  return fields.length === 1 ? { field: fields[0], how: 'only' } : null;
}

function choices(fields: DatasetField[]): string {
  return fields.map((f) => `'${f.name}' ${formatShape(f.shape)}`).join(', ') || 'none';
}

function inputProblem(block: GraphInput, field: DatasetField): string | null {
  if (!compatible(block.shape, field.shape)) {
    const n = elements(field.shape);
    return `shape ${formatShape(block.shape)} cannot take field '${field.name}' ${formatShape(field.shape)}: set the Input's shape to [${field.shape.join(', ')}]${n ? ` (or any shape of ${n} elements)` : ''}.`;
  }
  if (block.dtype.startsWith('int') && !field.dtype.startsWith('int')) {
    return `the Input is ${block.dtype} but '${field.name}' holds ${field.dtype} values: set its dtype to float32.`;
  }
  return null;
}

function outputProblem(block: GraphOutput, target: DatasetField): string | null {
  const out = block.shape;
  if (!out) return null; // unknown until the graph builds
  const have = target.shape;
  const classes = target.classes ?? null;
  const loss = block.loss;
  const last = out.length ? out[out.length - 1] : null;
  const ids = have.length && have[have.length - 1] === 1 ? have.slice(0, -1) : have;
  const about = `target '${target.name}'`;
  if (loss && SPARSE.has(loss)) {
    if (!classes) return `${loss} needs class ids but ${about} is a regression target: use mean_squared_error (a Dense of 1 unit, no activation).`;
    if (last !== null && last !== classes) return `${last} units but ${about} has ${classes} classes: end with a Dense of ${classes} units and softmax.`;
    if (!compatible(out.slice(0, -1), ids)) return `shape ${formatShape(out)} does not line up with ${about} ${formatShape(have)} (class ids).`;
    return null;
  }
  if (loss && CATEGORICAL.has(loss)) {
    if (classes) {
      if (last !== null && last !== classes) return `${last} units but ${about} has ${classes} classes: end with a Dense of ${classes} units and softmax.`;
      if (!compatible(out.slice(0, -1), ids)) return `shape ${formatShape(out)} does not line up with ${about} ${formatShape(have)}.`;
      return null;
    }
    return compatible(out, have) ? null : `shape ${formatShape(out)} but ${about} is ${formatShape(have)}: make them match.`;
  }
  if (loss && BINARY.has(loss)) {
    if (classes) {
      if (classes !== 2) return `${loss} needs 2 classes but ${about} has ${classes}: use sparse_categorical_crossentropy with a Dense of ${classes} units and softmax.`;
      if (last !== null && last !== 1) return `${last} units but ${loss} needs 1 unit with a sigmoid: end with Dense(1, activation='sigmoid').`;
      return null;
    }
    return compatible(out, have) ? null : `shape ${formatShape(out)} but ${about} is ${formatShape(have)}: make them match.`;
  }
  if (classes && out.length && last !== null && last === classes && last !== 1) {
    return `${classes} units for the ${classes} classes of ${about} but ${loss ?? 'its loss'} compares values: use sparse_categorical_crossentropy for class ids.`;
  }
  if (!compatible(out, have) && !(classes && compatible(out, [...ids, 1]))) {
    return `shape ${formatShape(out)} but ${about} is ${formatShape(have)}: end with a layer of output shape ${formatShape(have.length ? have : [1])}.`;
  }
  return null;
}

/** One row per Input and Output block: its field, and what is wrong, if anything. */
export function bindRows(io: { inputs: GraphInput[]; outputs: GraphOutput[] }, info: DatasetInfo): BindingRow[] {
  const rows: BindingRow[] = [];
  for (const block of io.inputs) {
    const found = findField(block.name, info.inputs);
    rows.push({
      kind: 'input',
      node: block.name,
      shape: block.shape,
      field: found?.field.name ?? null,
      how: found?.how ?? null,
      problem: found
        ? inputProblem(block, found.field)
        : `no input field of ${info.title || info.name} is named '${block.name}': its inputs are ${choices(info.inputs)}. Pick one to rename the block.`,
    });
  }
  for (const block of io.outputs) {
    const found = findField(block.name, info.targets);
    rows.push({
      kind: 'output',
      node: block.name,
      shape: block.shape,
      field: found?.field.name ?? null,
      how: found?.how ?? null,
      problem: found
        ? outputProblem(block, found.field)
        : `no target of ${info.title || info.name} is named '${block.name}': its targets are ${choices(info.targets)}. Pick one to rename the block.`,
    });
  }
  return rows;
}
