// Groups (pure): a selection of blocks becomes one Group block whose ports are the wires that crossed
// the selection's border, and back; the ports of a Group; the connection rules at a Group's handles;
// the path of the group opened in place (validation keys inner blocks by "group/inner").
import type { Problem } from "../api/types";
import { checkConnection, portOf, reaches, type ConnectionLike } from "./connections";
import { nextId, renameCopy } from "./ids";
import { makeEdge } from "./serialise";
import {
  GROUP_TYPE,
  sourceHandleFor,
  sourcePortOf,
  type BlockData,
  type BlockNode,
  type Frame,
  type GraphEdge,
  type InnerGraph,
  type SpecMap,
} from "./types";

const MARKERS = new Set(["Input", "Output"]);
/** Room between an inner marker row and the blocks it feeds or reads. */
const ROW = 130;
const COLUMN = 240;

export interface Ports {
  /** The inner Input markers' ids: input port 0, 1, ... */
  inputs: string[];
  /** The inner Output markers' ids: output port 0, 1, ... */
  outputs: string[];
}

export function isGroup(node: { data: { type: string } } | undefined): boolean {
  return node?.data.type === GROUP_TYPE;
}

/** The inner graph a Group stands for: its own, or that of the group whose weights it shares. */
export function innerOf(data: BlockData, level: readonly BlockNode[]): InnerGraph | undefined {
  if (data.graph) return data.graph;
  const shares = data.params.shares;
  if (typeof shares !== "string") return undefined;
  return level.find((n) => n.id === shares && n.data.type === GROUP_TYPE)?.data.graph;
}

export function portsOf(data: BlockData, level: readonly BlockNode[] = []): Ports {
  const inner = innerOf(data, level);
  const nodes = inner?.nodes ?? [];
  return {
    inputs: nodes.filter((n) => n.data.type === "Input").map((n) => n.id),
    outputs: nodes.filter((n) => n.data.type === "Output").map((n) => n.id),
  };
}

/** "encoder/" inside group encoder, "a/b/" inside b in a, "" at the top: the prefix of validation keys. */
export function pathPrefix(frames: readonly Frame[] | undefined): string {
  return frames?.length ? `${frames.map((f) => f.groupId).join("/")}/` : "";
}

/** The problems a group shows: its own, and every one inside it named by its path below the group. */
export function groupProblems(problems: readonly Problem[], path: string): Problem[] {
  const inside = `${path}/`;
  const out: Problem[] = [];
  for (const p of problems) {
    if (p.node === path) out.push(p);
    else if (p.node?.startsWith(inside)) {
      const where = p.node.slice(inside.length);
      out.push({ ...p, param: undefined, message: `${where}: ${p.param ? `${p.param}: ` : ""}${p.message}` });
    }
  }
  return out;
}

const unselect = (n: BlockNode): BlockNode => (n.selected ? { ...n, selected: false } : n);

export interface Grouped {
  nodes: BlockNode[];
  edges: GraphEdge[];
  groupId: string;
}

/**
 * Groups the blocks `ids` of one level into a Group block: one inner Input per distinct outside
 * source (block and output) feeding in, one inner Output per inner block (and output) feeding out.
 * A string says why it cannot.
 */
export function groupBlocks(
  nodes: readonly BlockNode[],
  edges: readonly GraphEdge[],
  ids: ReadonlySet<string>,
): Grouped | string {
  const picked = nodes.filter((n) => ids.has(n.id));
  if (!picked.length) return "select the blocks to group first";
  const marker = picked.find((n) => MARKERS.has(n.data.type));
  if (marker) return `${marker.data.type} blocks stay outside a group ("${marker.id}")`;
  const sharer = nodes.find(
    (n) => !ids.has(n.id) && typeof n.data.params.shares === "string" && ids.has(n.data.params.shares),
  );
  if (sharer)
    return `"${sharer.id}" shares the weights of "${sharer.data.params.shares}": group them together`;

  const left = Math.min(...picked.map((n) => n.position.x));
  const top = Math.min(...picked.map((n) => n.position.y));
  const bottom = Math.max(...picked.map((n) => n.position.y));
  const innerIds = new Set(picked.map((n) => n.id));
  const claim = (base: string) => {
    const id = innerIds.has(base) ? nextId(base, innerIds) : base;
    innerIds.add(id);
    return id;
  };

  const innerNodes: BlockNode[] = picked.map((n) => ({
    ...unselect(n),
    position: { x: n.position.x - left, y: n.position.y - top + ROW },
  }));
  const innerEdges: GraphEdge[] = [];
  const outerEdges: GraphEdge[] = [];
  const inputs = new Map<string, { id: string; port: number }>();
  const outputs = new Map<string, { id: string; port: number }>();
  const inputNodes: BlockNode[] = [];
  const outputNodes: BlockNode[] = [];
  const groupId = nextId("group", new Set(nodes.map((n) => n.id)));

  for (const edge of edges) {
    const inside = ids.has(edge.source);
    const into = ids.has(edge.target);
    const targetPort = portOf(edge.targetHandle) ?? 0;
    const sourcePort = sourcePortOf(edge.sourceHandle) ?? 0;
    if (inside && into) {
      innerEdges.push(makeEdge(edge.source, edge.target, targetPort, sourcePort));
    } else if (into) {
      const key = `${edge.source}:${sourcePort}`;
      let input = inputs.get(key);
      if (!input) {
        input = { id: claim(sourcePort ? `${edge.source}_${sourcePort}` : edge.source), port: inputs.size };
        inputs.set(key, input);
        const target = picked.find((n) => n.id === edge.target)!;
        inputNodes.push({
          id: input.id,
          type: "block",
          position: { x: target.position.x - left, y: 0 },
          data: { type: "Input", params: {} },
        });
        outerEdges.push(makeEdge(edge.source, groupId, input.port, sourcePort));
      }
      innerEdges.push(makeEdge(input.id, edge.target, targetPort));
    } else if (inside) {
      const key = `${edge.source}:${sourcePort}`;
      let output = outputs.get(key);
      if (!output) {
        output = { id: claim(`${edge.source}${sourcePort ? `_${sourcePort}` : ""}_out`), port: outputs.size };
        outputs.set(key, output);
        const source = picked.find((n) => n.id === edge.source)!;
        outputNodes.push({
          id: output.id,
          type: "block",
          position: { x: source.position.x - left, y: bottom - top + 2 * ROW },
          data: { type: "Output", params: {} },
        });
        innerEdges.push(makeEdge(edge.source, output.id, 0, sourcePort));
      }
      outerEdges.push(makeEdge(groupId, edge.target, targetPort, output.port));
    } else {
      outerEdges.push(edge);
    }
  }
  spreadRow(inputNodes);
  spreadRow(outputNodes);

  const group: BlockNode = {
    id: groupId,
    type: "block",
    position: { x: left, y: top },
    data: {
      type: GROUP_TYPE,
      params: {},
      graph: { nodes: [...inputNodes, ...innerNodes, ...outputNodes], edges: innerEdges },
    },
    selected: true,
  };
  // the group takes the place of the first grouped block in the order (the inner document order)
  const at = nodes.findIndex((n) => ids.has(n.id));
  const rest = nodes.filter((n) => !ids.has(n.id)).map(unselect);
  const before = nodes.slice(0, at).filter((n) => !ids.has(n.id)).length;
  const outer = [...rest.slice(0, before), group, ...rest.slice(before)];
  return {
    nodes: outer,
    edges: outerEdges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    groupId,
  };
}

/** Markers of a row that landed on one another step right. */
function spreadRow(row: BlockNode[]) {
  row.sort((a, b) => a.position.x - b.position.x);
  for (let i = 1; i < row.length; i++) {
    const min = row[i - 1].position.x + COLUMN;
    if (row[i].position.x < min) row[i].position = { ...row[i].position, x: min };
  }
}

export interface Ungrouped {
  nodes: BlockNode[];
  edges: GraphEdge[];
  /** The blocks put back (their ids on this level). */
  ids: string[];
}

/**
 * Puts a Group's blocks back in its place: the wires into its input ports go to the blocks its
 * inner Inputs fed, the blocks that fed its inner Outputs take over its outgoing wires. A group
 * sharing another's weights puts back a copy of that one's blocks.
 */
export function ungroupBlock(
  nodes: readonly BlockNode[],
  edges: readonly GraphEdge[],
  groupId: string,
): Ungrouped | string {
  const group = nodes.find((n) => n.id === groupId);
  if (!group || group.data.type !== GROUP_TYPE) return "select a Group block to ungroup";
  const inner = innerOf(group.data, nodes);
  if (!inner) return `group "${groupId}" has no blocks to put back`;
  const sharer = nodes.find((n) => n.data.params.shares === groupId);
  if (sharer) return `"${sharer.id}" shares the weights of "${groupId}": ungroup that one first`;

  const { inputs, outputs } = portsOf(group.data, nodes);
  const taken = new Set(nodes.filter((n) => n.id !== groupId).map((n) => n.id));
  const renamed = new Map<string, string>();
  const blocks = inner.nodes.filter((n) => !MARKERS.has(n.data.type));
  const innerLeft = blocks.length ? Math.min(...blocks.map((n) => n.position.x)) : 0;
  const innerTop = blocks.length ? Math.min(...blocks.map((n) => n.position.y)) : 0;
  const restored: BlockNode[] = blocks.map((n) => {
    const id = renameCopy(n.id, taken);
    taken.add(id);
    renamed.set(n.id, id);
    return {
      ...n,
      id,
      position: {
        x: group.position.x + n.position.x - innerLeft,
        y: group.position.y + n.position.y - innerTop,
      },
      selected: true,
    };
  });

  const out: GraphEdge[] = [];
  for (const edge of edges) {
    if (edge.source !== groupId && edge.target !== groupId) out.push(edge);
  }
  for (const edge of inner.edges) {
    const source = renamed.get(edge.source);
    const target = renamed.get(edge.target);
    const targetPort = portOf(edge.targetHandle) ?? 0;
    const sourcePort = sourcePortOf(edge.sourceHandle) ?? 0;
    if (source && target) {
      out.push(makeEdge(source, target, targetPort, sourcePort));
    } else if (target && inputs.includes(edge.source)) {
      const port = inputs.indexOf(edge.source);
      const feed = edges.find((e) => e.target === groupId && (portOf(e.targetHandle) ?? 0) === port);
      if (feed) out.push(makeEdge(feed.source, target, targetPort, sourcePortOf(feed.sourceHandle) ?? 0));
    } else if (source && outputs.includes(edge.target)) {
      const port = outputs.indexOf(edge.target);
      for (const e of edges) {
        if (e.source === groupId && (sourcePortOf(e.sourceHandle) ?? 0) === port)
          out.push(makeEdge(source, e.target, portOf(e.targetHandle) ?? 0, sourcePort));
      }
    }
  }
  const at = nodes.findIndex((n) => n.id === groupId);
  const others = nodes.map(unselect);
  return {
    nodes: [...others.slice(0, at), ...restored, ...others.slice(at + 1)],
    edges: out.map((e) => (e.selected ? { ...e, selected: false } : e)),
    ids: restored.map((n) => n.id),
  };
}

/**
 * The level's wires at a group after its inner graph changed from `before` to `after` (ports
 * added, removed or reordered inside): each wire follows its port's marker by id; a wire whose
 * marker is gone is dropped (when the count of ports stayed, it keeps its index: a renamed marker).
 */
export function rewirePorts(
  edges: readonly GraphEdge[],
  groupId: string,
  before: Ports,
  after: Ports,
): GraphEdge[] {
  const follow = (port: number, was: string[], now: string[]) => {
    const index = now.indexOf(was[port]);
    if (index >= 0) return index;
    return was.length === now.length && port < now.length ? port : -1;
  };
  const out: GraphEdge[] = [];
  for (const edge of edges) {
    if (edge.target === groupId) {
      const port = follow(portOf(edge.targetHandle) ?? 0, before.inputs, after.inputs);
      if (port < 0) continue;
      out.push(
        port === portOf(edge.targetHandle)
          ? edge
          : makeEdge(edge.source, groupId, port, sourcePortOf(edge.sourceHandle) ?? 0),
      );
    } else if (edge.source === groupId) {
      const from = sourcePortOf(edge.sourceHandle) ?? 0;
      const port = follow(from, before.outputs, after.outputs);
      if (port < 0) continue;
      out.push(port === from ? edge : makeEdge(groupId, edge.target, portOf(edge.targetHandle) ?? 0, port));
    } else {
      out.push(edge);
    }
  }
  return out;
}

/**
 * Why a wire cannot be drawn, or null when it can: the catalog's rules (connections.ts), and at a
 * Group the ports its inner Input and Output markers make.
 */
export function checkWire(
  connection: ConnectionLike,
  nodes: readonly BlockNode[],
  edges: readonly GraphEdge[],
  specs: SpecMap,
): string | null {
  const { source, target } = connection;
  const sourceNode = nodes.find((n) => n.id === source);
  const targetNode = nodes.find((n) => n.id === target);
  let normal = connection;
  if (sourceNode && isGroup(sourceNode)) {
    const port = sourcePortOf(connection.sourceHandle);
    const count = portsOf(sourceNode.data, nodes).outputs.length;
    if (port === null || port >= count)
      return count ? "connect from one of the group's outputs" : "the group has no Output inside";
    normal = { ...connection, sourceHandle: sourceHandleFor(0) };
  }
  if (!targetNode || !isGroup(targetNode)) return checkConnection(normal, nodes, edges, specs);
  if (!source || !target) return "both ends are needed";
  if (source === target) return "a block cannot feed itself";
  if (!sourceNode) return "unknown block";
  if (sourceNode.data.type === "Output") return "an Output has no outgoing edge";
  if (!isGroup(sourceNode) && sourcePortOf(connection.sourceHandle) !== 0)
    return "connect from the output handle";
  if (reaches(target, source, edges)) return "that would make a cycle";
  const count = portsOf(targetNode.data, nodes).inputs.length;
  const port = portOf(connection.targetHandle);
  if (port === null) return "unknown input handle";
  if (port >= count)
    return count
      ? `the group takes ${count} input${count === 1 ? "" : "s"}`
      : "the group has no Input inside";
  if (edges.some((e) => e.target === target && portOf(e.targetHandle) === port))
    return "that input is already connected";
  return null;
}
