// Facts derived from the edge list that every block and wire asks for on each store change.
// Computed once per edges array (the store replaces the array on every change, never mutates it),
// so N blocks asking costs O(E) once instead of O(N * E).
import { portOf, type EdgeLike } from "./connections";

const portsCache = new WeakMap<readonly EdgeLike[], Map<string, string>>();
const incomingCache = new WeakMap<readonly EdgeLike[], Map<string, number>>();

/** For each target id, its used input ports, sorted and joined by commas ("0,1"). */
export function usedPortsByTarget(edges: readonly EdgeLike[]): Map<string, string> {
  let keys = portsCache.get(edges);
  if (keys) return keys;
  const ports = new Map<string, number[]>();
  for (const edge of edges) {
    const list = ports.get(edge.target);
    const port = portOf(edge.targetHandle) ?? 0;
    if (list) list.push(port);
    else ports.set(edge.target, [port]);
  }
  keys = new Map();
  for (const [target, list] of ports) keys.set(target, list.sort((a, b) => a - b).join(","));
  portsCache.set(edges, keys);
  return keys;
}

/** How many edges come into each target. */
export function incomingCounts(edges: readonly EdgeLike[]): Map<string, number> {
  let counts = incomingCache.get(edges);
  if (counts) return counts;
  counts = new Map();
  for (const edge of edges) counts.set(edge.target, (counts.get(edge.target) ?? 0) + 1);
  incomingCache.set(edges, counts);
  return counts;
}
