import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../api/runs';
import type { ValidationResult } from '../api/types';
import type { BlockNode, GraphEdge } from '../graph/types';
import { bindRows, compatible, formatShape, graphIo, lossName } from './binding';

const fashion: DatasetInfo = {
  id: null,
  ref: 'fashion_mnist',
  kind: 'builtin',
  name: 'fashion_mnist',
  title: 'Fashion-MNIST',
  inputs: [{ name: 'image', shape: [28, 28], dtype: 'float32', modality: 'image' }],
  targets: [{ name: 'label', shape: [], dtype: 'int32', classes: 10, class_names: [], task: 'classification' }],
  train_size: 60000,
  test_size: 10000,
};

function node(id: string, type: string, params: Record<string, unknown> = {}): BlockNode {
  return { id, type: 'block', position: { x: 0, y: 0 }, data: { type, params } };
}

function graph(units: number, loss = 'sparse_categorical_crossentropy', shape: (number | null)[] = [784]) {
  const nodes = [node('pixels', 'Input', { shape }), node('probs', 'Dense', { units }), node('label', 'Output', { loss })];
  const edges = [
    { id: 'a', source: 'pixels', target: 'probs' },
    { id: 'b', source: 'probs', target: 'label' },
  ] as GraphEdge[];
  const validation = {
    valid: true,
    errors: [],
    warnings: [],
    nodes: { pixels: { output_shape: [null, ...shape], params: 0 }, probs: { output_shape: [null, units], params: 1 } },
    total_params: 1,
    trainable_params: 1,
  } as ValidationResult;
  return graphIo(nodes, edges, validation);
}

describe('binding blocks to dataset fields', () => {
  it('binds by name, or to the only field, with reshapes allowed', () => {
    const rows = bindRows(graph(10), fashion);
    expect(rows).toEqual([
      { kind: 'input', node: 'pixels', shape: [784], field: 'image', how: 'only', problem: null },
      { kind: 'output', node: 'label', shape: [10], field: 'label', how: 'name', problem: null },
    ]);
    expect(bindRows(graph(10, 'sparse_categorical_crossentropy', [28, 28, 1]), fashion)[0].problem).toBeNull();
  });

  it('explains shapes that cannot be fed', () => {
    const [input, output] = bindRows(graph(5, 'sparse_categorical_crossentropy', [100]), fashion);
    expect(input.problem).toMatch(/\(100,\).*\(28, 28\).*784 elements/);
    expect(output.problem).toMatch(/5 units.*10 classes/);
    expect(bindRows(graph(1, 'mse'), fashion)[1].problem).toBeNull();
    expect(bindRows(graph(10, 'mean_squared_error'), fashion)[1].problem).toMatch(/sparse_categorical_crossentropy/);
    expect(bindRows(graph(1, 'binary_crossentropy'), fashion)[1].problem).toMatch(/needs 2 classes/);
  });

  it('names the fields when none matches', () => {
    const two: DatasetInfo = { ...fashion, inputs: [...fashion.inputs, { name: 'meta', shape: [3], dtype: 'float32' }] };
    const [input] = bindRows(graph(10), two);
    expect(input.field).toBeNull();
    expect(input.problem).toMatch(/'image' \(28, 28\), 'meta' \(3,\)/);
  });

  it('reads loss names and shapes as the server does', () => {
    expect(lossName('SparseCategoricalCrossentropy')).toBe('sparse_categorical_crossentropy');
    expect(lossName('mse')).toBe('mean_squared_error');
    expect(lossName(undefined)).toBeNull();
    expect(compatible([null, 3], [7, 3])).toBe(true);
    expect(compatible([784], [28, 28])).toBe(true);
    expect(compatible([null], [28, 28])).toBe(false);
    expect(formatShape([5])).toBe('(5,)');
    expect(formatShape([])).toBe('()');
  });
});
