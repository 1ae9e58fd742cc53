import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useGraph } from '../graph/store';
import type { GraphEdge } from '../graph/types';
import { formatShape } from './format';

/** An edge labelled with the tensor shape that flows along it (its source's output shape). */
function ShapeEdgeView({ id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps<GraphEdge>) {
  const shape = useGraph((s) => s.validation?.nodes[source]?.output_shape);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={selected ? 'edge-selected' : undefined} />
      {shape && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nopan${selected ? ' edge-label-selected' : ''}`}
            data-testid={`edge-label-${source}-${target}`}
            data-edge-id={id}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {formatShape(shape)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
