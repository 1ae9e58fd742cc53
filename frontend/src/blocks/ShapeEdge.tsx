import { BaseEdge, EdgeLabelRenderer, getBezierPath, Position, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import { incomingCounts } from "../graph/derived";
import { useGraph } from "../graph/store";
import type { GraphEdge } from "../graph/types";
import { formatShape } from "./format";
import "./ShapeEdge.css";

// The same control points React Flow's bezier edge uses (curvature 0.25), so a label can sit anywhere on the curve.
function controlOffset(distance: number): number {
  return distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
}

function control(pos: Position, x1: number, y1: number, x2: number, y2: number): [number, number] {
  switch (pos) {
    case Position.Left:
      return [x1 - controlOffset(x1 - x2), y1];
    case Position.Right:
      return [x1 + controlOffset(x2 - x1), y1];
    case Position.Top:
      return [x1, y1 - controlOffset(y1 - y2)];
    default:
      return [x1, y1 + controlOffset(y2 - y1)];
  }
}

export function pointOnBezier(
  sx: number,
  sy: number,
  sp: Position,
  tx: number,
  ty: number,
  tp: Position,
  t: number,
): [number, number] {
  const [c1x, c1y] = control(sp, sx, sy, tx, ty);
  const [c2x, c2y] = control(tp, tx, ty, sx, sy);
  const u = 1 - t;
  const x = u * u * u * sx + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * tx;
  const y = u * u * u * sy + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * ty;
  return [x, y];
}

/** An edge labelled with the tensor shape that flows along it (its source's output shape). */
function ShapeEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  selected,
  markerEnd,
}: EdgeProps<GraphEdge>) {
  const shape = useGraph(
    (s) => s.validation?.nodes[s.frames.map((f) => `${f.groupId}/`).join("") + source]?.output_shape,
  );
  // Edges converging on a merge block get their labels nearer the source, where they do not pile up.
  const converging = useGraph((s) => (incomingCounts(s.edges).get(target) ?? 0) > 1);
  const [path] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const [labelX, labelY] = pointOnBezier(
    sourceX,
    sourceY,
    sourcePosition,
    targetX,
    targetY,
    targetPosition,
    converging ? 0.3 : 0.5,
  );
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={selected ? "edge-selected" : undefined}
      />
      {shape && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nopan${selected ? " edge-label-selected" : ""}`}
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
