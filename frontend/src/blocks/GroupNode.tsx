// A Group block on the canvas: one input handle per inner Input marker (in their order), one output
// handle per inner Output marker, the group's output shape and parameter count from the validate
// answer, and red with its inner errors (by path) when any block inside has one.
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { useEffect, useMemo, useRef } from "react";
import type { Problem } from "../api/types";
import { handleForPort } from "../graph/connections";
import { groupProblems, pathPrefix, portsOf } from "../graph/groups";
import { graphStore, useGraph } from "../graph/store";
import { sourceHandleFor, type BlockNode as BlockNodeType } from "../graph/types";
import "./BlockNode.css";
import { formatCount, formatShape } from "./format";
import "./GroupNode.css";
import { blockMessages } from "./messages";

const NO_PROBLEMS: Problem[] = [];

export function GroupNode({ id, data, selected }: NodeProps<BlockNodeType>) {
  const prefix = useGraph((s) => pathPrefix(s.frames));
  const path = prefix + id;
  // a group sharing another's weights has that one's ports
  const portsKey = useGraph((s) => JSON.stringify(portsOf(data, s.nodes)));
  const ports = useMemo(() => JSON.parse(portsKey) as ReturnType<typeof portsOf>, [portsKey]);
  const report = useGraph((s) => s.validation?.nodes[path]);
  const errors = useGraph((s) => s.validation?.errors ?? NO_PROBLEMS);
  const mine = useMemo(() => groupProblems(errors, path), [errors, path]);
  const updateNodeInternals = useUpdateNodeInternals();

  const measured = useRef(portsKey);
  useEffect(() => {
    if (measured.current === portsKey) return;
    measured.current = portsKey;
    updateNodeInternals(id);
  }, [id, portsKey, updateNodeInternals]);

  const shares = typeof data.params.shares === "string" ? data.params.shares : null;
  const inner =
    data.graph?.nodes.filter((n) => n.data.type !== "Input" && n.data.type !== "Output").length ?? 0;
  const messages = blockMessages(mine);
  const className = [
    "block",
    "block-group",
    mine.length ? "block-error" : "",
    selected ? "block-selected" : "",
  ]
    .filter(Boolean)
    .join(" ");
  const shapes = (report as { output_shapes?: (number | null)[][] } | undefined)?.output_shapes;

  return (
    <div className={className} data-testid={`node-${id}`} title="A group of blocks: double-click to open it">
      {ports.inputs.map((name, port) => (
        <Handle
          key={`in-${port}`}
          type="target"
          position={Position.Top}
          id={handleForPort(port)}
          style={{ left: `${((port + 1) / (ports.inputs.length + 1)) * 100}%` }}
          className="port-handle"
          title={`input ${port}: ${name}`}
        >
          {ports.inputs.length > 1 && <span className="port-label">{port}</span>}
        </Handle>
      ))}
      <div className="block-head">
        <span className="block-type" data-testid={`node-type-${id}`}>
          ▣ Group
        </span>
        <span className="block-id" data-testid={`node-id-${id}`}>
          {id}
        </span>
      </div>
      <div className="block-summary" data-testid={`group-summary-${id}`}>
        {shares
          ? `shares the weights of ${shares}`
          : `${inner} block${inner === 1 ? "" : "s"} · ${ports.inputs.length} in · ${ports.outputs.length} out`}
      </div>
      <div className="block-foot">
        <span className="block-shape" data-testid={`node-shape-${id}`}>
          {shapes && shapes.length > 1 ? formatShape(shapes) : report ? formatShape(report.output_shape) : ""}
        </span>
        <span className="block-params" data-testid={`node-params-${id}`}>
          {report && report.params > 0 ? `${formatCount(report.params)} params` : ""}
        </span>
      </div>
      <button
        type="button"
        className="group-open nodrag"
        data-testid={`group-open-${id}`}
        title="Open the group in place (or double-click it)"
        onClick={(e) => {
          e.stopPropagation();
          graphStore.getState().openGroup(id);
        }}
      >
        Open ↘
      </button>
      {mine.length > 0 && (
        <ul className="block-message" data-testid={`node-error-${id}`} title={messages.all}>
          {messages.shown.map((line, i) => (
            <li key={i} className="block-message-item">
              {line}
            </li>
          ))}
          {messages.more > 0 && <li className="block-message-more">+{messages.more} more</li>}
        </ul>
      )}
      {ports.outputs.map((name, port) => (
        <Handle
          key={`out-${port}`}
          type="source"
          position={Position.Bottom}
          id={sourceHandleFor(port)}
          style={{ left: `${((port + 1) / (ports.outputs.length + 1)) * 100}%` }}
          title={`output ${port}: ${name}`}
        >
          {ports.outputs.length > 1 && <span className="port-label port-label-out">{port}</span>}
        </Handle>
      ))}
    </div>
  );
}
