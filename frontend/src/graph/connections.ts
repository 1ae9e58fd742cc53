// Connection rules, pure so they are easy to test: no cycles, no port filled twice,
// nothing into an Input, nothing out of an Output, no port beyond the block's maximum.
import type { LayerSpec } from "../api/types";
import { SOURCE_HANDLE, type SpecMap } from "./types";

export interface NodeLike {
  id: string;
  data: { type: string };
}

export interface EdgeLike {
  source: string;
  target: string;
  targetHandle?: string | null;
}

export interface ConnectionLike {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export function handleForPort(port: number): string {
  return `in-${port}`;
}

/** The port of a target handle id ("in-2" -> 2); a missing handle is port 0. */
export function portOf(handle: string | null | undefined): number | null {
  if (handle === null || handle === undefined || handle === "") return 0;
  const match = /^in-(\d+)$/.exec(handle);
  return match ? Number(match[1]) : null;
}

/** How many inputs a type takes: a catalog entry, or one input when the type is unknown. */
export function inputRange(spec: LayerSpec | undefined): { min: number; max: number | null } {
  return spec ? spec.inputs : { min: 1, max: 1 };
}

export function isMergeSpec(spec: LayerSpec | undefined): boolean {
  const { max } = inputRange(spec);
  return max === null || max > 1;
}

/** How many input handles to draw: one more free port than the highest used, within [min, max]. */
export function visiblePortCount(spec: LayerSpec | undefined, usedPorts: Iterable<number>): number {
  let highest = -1;
  for (const port of usedPorts) highest = Math.max(highest, port);
  // Type not known (yet): draw the handles the edges use, so they can attach.
  if (!spec) return Math.max(highest + 1, 1);
  const { min, max } = inputRange(spec);
  if (max === 0) return 0;
  if (max === 1) return 1;
  let count = Math.max(highest + 2, min, 1);
  if (max !== null) count = Math.min(count, max);
  return count;
}

/** True when `from` can reach `to` following edges forward. */
export function reaches(from: string, to: string, edges: readonly EdgeLike[]): boolean {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const target of next.get(id) ?? []) stack.push(target);
  }
  return false;
}

/** Why a connection is refused, or null when it may be made. */
export function checkConnection(
  connection: ConnectionLike,
  nodes: readonly NodeLike[],
  edges: readonly EdgeLike[],
  specs: SpecMap,
): string | null {
  const { source, target } = connection;
  if (!source || !target) return "both ends are needed";
  if (source === target) return "a block cannot feed itself";
  const sourceNode = nodes.find((n) => n.id === source);
  const targetNode = nodes.find((n) => n.id === target);
  if (!sourceNode || !targetNode) return "unknown block";
  if (connection.sourceHandle && connection.sourceHandle !== SOURCE_HANDLE)
    return "connect from the output handle";
  if (sourceNode.data.type === "Output") return "an Output has no outgoing edge";
  if (reaches(target, source, edges)) return "that would make a cycle";
  const spec = specs[targetNode.data.type];
  const { max } = inputRange(spec);
  if (max === 0) return `${targetNode.data.type} takes no input`;
  const port = portOf(connection.targetHandle);
  if (port === null) return "unknown input handle";
  if (max !== null && port >= max)
    return `${targetNode.data.type} takes at most ${max} input${max === 1 ? "" : "s"}`;
  const incoming = edges.filter((e) => e.target === target);
  if (incoming.some((e) => portOf(e.targetHandle) === port)) return "that input is already connected";
  if (max !== null && incoming.length >= max) return `${targetNode.data.type} takes at most ${max} inputs`;
  return null;
}

export function isValidConnection(
  connection: ConnectionLike,
  nodes: readonly NodeLike[],
  edges: readonly EdgeLike[],
  specs: SpecMap,
): boolean {
  return checkConnection(connection, nodes, edges, specs) === null;
}
