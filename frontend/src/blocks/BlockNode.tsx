import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef } from "react";
import type { Problem } from "../api/types";
import { handleForPort, visiblePortCount } from "../graph/connections";
import { usedPortsByTarget } from "../graph/derived";
import { pathPrefix } from "../graph/groups";
import { useGraph } from "../graph/store";
import { SOURCE_HANDLE, type BlockNode as BlockNodeType } from "../graph/types";
import { tunedCount } from "../sweeps/space";
import "../sweeps/tune.css";
import "./BlockNode.css";
import { categoryColor } from "./categories";
import { formatCount, formatShape, summariseParams } from "./format";
import { GroupNode } from "./GroupNode";
import { blockMessages, type BlockMessages } from "./messages";
import { TrainedBlockLines } from "./TrainedBlockLines";

const NO_PROBLEMS: Problem[] = [];

function BlockNodeView({ id, data, selected }: NodeProps<BlockNodeType>) {
  const spec = useGraph((s) => s.specs[data.type]);
  const catalogLoaded = useGraph((s) => s.catalog !== null);
  const portsKey = useGraph((s) => usedPortsByTarget(s.edges).get(id) ?? "");
  // inside an open group the validation answer names this block by its path ("encoder/lstm_1")
  const prefix = useGraph((s) => pathPrefix(s.frames));
  const path = prefix + id;
  const report = useGraph((s) => s.validation?.nodes[path]);
  const errors = useGraph((s) => s.validation?.errors ?? NO_PROBLEMS);
  const warnings = useGraph((s) => s.validation?.warnings ?? NO_PROBLEMS);
  // the sweep tunes blocks of the top level only
  const tuned = useGraph((s) => (s.frames.length ? 0 : tunedCount(s.space, id)));
  const updateNodeInternals = useUpdateNodeInternals();

  const mine = useMemo(() => errors.filter((e) => e.node === path), [errors, path]);
  const myWarnings = useMemo(() => warnings.filter((e) => e.node === path), [warnings, path]);
  const unknownType = catalogLoaded && !spec;
  const used = portsKey ? portsKey.split(",").map(Number) : [];
  const isInput = data.type === "Input";
  const isOutput = data.type === "Output";
  const portCount = isInput ? 0 : visiblePortCount(spec, used);
  const multi = spec ? spec.inputs.max === null || spec.inputs.max > 1 : false;

  // React Flow measures a block and its handles whenever it mounts (its ResizeObserver reports
  // every newly observed block, all of them in one store update, and forces the handle bounds),
  // also when a big graph brings a block back into view. Tell it to measure again only when the
  // number of input handles changes while mounted (a wire into a merge block, the catalog
  // arriving). Asking on every mount too made opening a 300-block graph cost 300 store updates.
  const measuredPorts = useRef(portCount);
  useEffect(() => {
    if (measuredPorts.current === portCount) return;
    measuredPorts.current = portCount;
    updateNodeInternals(id);
  }, [id, portCount, updateNodeInternals]);

  const hasError = mine.length > 0 || unknownType;
  const summary = summariseParams(data.params);
  // One item per message, a few on the block: every one shows on hover (and in the inspector).
  const errorMessages = unknownType
    ? blockMessages([{ node: id, message: `"${data.type}" is not in the layer catalog` }])
    : blockMessages(mine);
  const warningMessages = blockMessages(myWarnings.map((w) => ({ ...w, param: undefined })));
  const className = [
    "block",
    hasError ? "block-error" : "",
    myWarnings.length ? "block-warning" : "",
    selected ? "block-selected" : "",
    `block-${data.type.toLowerCase()}`,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <div
      className={className}
      data-testid={`node-${id}`}
      style={{ ["--stripe" as string]: categoryColor(spec?.category) }}
      title={spec?.doc}
    >
      {Array.from({ length: portCount }, (_, port) => (
        <Handle
          key={port}
          type="target"
          position={Position.Top}
          id={handleForPort(port)}
          style={{ left: `${((port + 1) / (portCount + 1)) * 100}%` }}
          className={multi ? "port-handle" : undefined}
          title={multi ? `input ${port}` : "input"}
        >
          {multi && <span className="port-label">{port}</span>}
        </Handle>
      ))}
      {tuned > 0 && (
        <span
          className="block-tuned"
          data-testid={`node-tuned-${id}`}
          title={`${tuned} parameter${tuned === 1 ? "" : "s"} tuned in the sweep`}
        >
          ⚙ {tuned} tuned
        </span>
      )}
      <div className="block-head">
        <span className="block-type" data-testid={`node-type-${id}`}>
          {data.type}
        </span>
        <span className="block-id" data-testid={`node-id-${id}`}>
          {id}
        </span>
      </div>
      {summary && <div className="block-summary">{summary}</div>}
      <div className="block-foot">
        <span className="block-shape" data-testid={`node-shape-${id}`}>
          {report ? formatShape(report.output_shape) : ""}
        </span>
        <span className="block-params" data-testid={`node-params-${id}`}>
          {report && report.params > 0 ? `${formatCount(report.params)} params` : ""}
        </span>
      </div>
      <TrainedBlockLines id={id} type={data.type} params={data.params} spec={spec} report={report} />
      {hasError && <MessageList messages={errorMessages} testId={`node-error-${id}`} />}
      {!hasError && myWarnings.length > 0 && (
        <MessageList messages={warningMessages} testId={`node-warning-${id}`} warning />
      )}
      {!isOutput && <Handle type="source" position={Position.Bottom} id={SOURCE_HANDLE} title="output" />}
    </div>
  );
}

function MessageList({
  messages,
  testId,
  warning,
}: {
  messages: BlockMessages;
  testId: string;
  warning?: boolean;
}) {
  return (
    <ul
      className={warning ? "block-message block-message-warning" : "block-message"}
      data-testid={testId}
      title={messages.all}
    >
      {messages.shown.map((line, i) => (
        <li key={i} className="block-message-item">
          {line}
        </li>
      ))}
      {messages.more > 0 && <li className="block-message-more">+{messages.more} more</li>}
    </ul>
  );
}

/** A Group block draws its ports from its inner graph; every other block is a catalog layer or a marker. */
function BlockNodeSwitch(props: NodeProps<BlockNodeType>) {
  return props.data.type === "Group" ? <GroupNode {...props} /> : <BlockNodeView {...props} />;
}

export const BlockNode = memo(BlockNodeSwitch);
