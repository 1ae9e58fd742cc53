import * as dagre from '@dagrejs/dagre';
import { describe, expect, it } from 'vitest';
import { examples } from '../test-fixtures';
import { layoutWith } from './layout';
import { fromDocument } from './serialise';

describe('auto layout', () => {
  it('places every block top to bottom along the edges', () => {
    const loaded = fromDocument(examples.inception_block);
    const placed = layoutWith(dagre, loaded.nodes, loaded.edges);
    const y = new Map(placed.map((n) => [n.id, n.position.y]));
    for (const edge of loaded.edges) expect(y.get(edge.target)!).toBeGreaterThan(y.get(edge.source)!);
    const spots = new Set(placed.map((n) => `${n.position.x},${n.position.y}`));
    expect(spots.size).toBe(placed.length);
  });
});
