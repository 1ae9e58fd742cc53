// Trained models as blocks (Pretrained, Keras Applications): the pure part of their Inspector fields and
// block lines. No React and no fetching here.
import type { InnerLayerInfo } from "../api/client";
import type { GraphDocument, Params, Shape } from "../api/types";
import { formatCount, formatShape } from "./format";

export const PRETRAINED = "Pretrained";
/** The params a Pretrained block's own fields edit (the rest, `trainable`, get the generic form). */
export const PRETRAINED_OWN = ["run", "upload", "cut_at", "trainable_from"] as const;
/** The param of a Keras Applications block that takes one of the person's runs' trained weights. */
export const WEIGHTS_RUN = "weights_run";

/** One inner layer of a trained model, as GET /api/runs/{id}/layers gives it. */
export type InnerLayer = InnerLayerInfo;

/** The runs a picker lists: what GET /api/runs gives of each (the fields used here). */
export interface RunLike {
  id: number;
  status: string;
  name: string;
  has_model: boolean;
  dataset: { name: string; title: string };
  test: Record<string, number | null> | null;
  graph_name?: string;
}

/** An uploaded .keras model, as GET /api/models lists it (the fields used here). */
export interface ModelLike {
  id: number;
  name: string;
  params?: number;
}

/** "12,345 frozen · 1,290 trainable" for a block's (or a graph's) parameter counts. */
export function formatFrozen(total: number, trainable: number): string {
  return `${formatCount(Math.max(0, total - trainable))} frozen · ${formatCount(trainable)} trainable`;
}

/** Whether a block shows its frozen and trainable counts: a Pretrained or an Applications block, or any
 * block with weights that do not train (set by a trainable flag), once it has weights. */
export function showsFrozen(type: string, isApplication: boolean, total: number, trainable: number): boolean {
  if (total <= 0) return false;
  return type === PRETRAINED || isApplication || trainable < total;
}

/** The test accuracy of a run, "87.3%", or its test loss, or "" when it has no test metrics. */
export function testScore(test: Record<string, number | null> | null | undefined): string {
  if (!test) return "";
  const acc = Object.entries(test).find(([k, v]) => /acc/.test(k) && v !== null);
  if (acc) return `${((acc[1] as number) * 100).toFixed(1)}%`;
  const loss = test.loss;
  return loss !== undefined && loss !== null ? `loss ${loss.toPrecision(3)}` : "";
}

/** A run as a picker's option reads: "#12 mnist_mlp · Fashion-MNIST · test 87.3%". */
export function runLabel(run: RunLike): string {
  const parts = [`#${run.id} ${run.name}`, run.dataset.title || run.dataset.name];
  const score = testScore(run.test);
  if (score) parts.push(`test ${score}`);
  return parts.join(" · ");
}

/** An uploaded model as a picker's option reads: "#3 encoder · 1,600 params". */
export function modelLabel(model: ModelLike): string {
  return model.params === undefined
    ? `#${model.id} ${model.name}`
    : `#${model.id} ${model.name} · ${formatCount(model.params)} params`;
}

/** The runs whose trained model a Pretrained block can use: succeeded, with a saved model, in the order
 * the server lists them (newest first). */
export function eligibleRuns(runs: readonly RunLike[]): RunLike[] {
  return runs.filter((r) => r.status === "succeeded" && r.has_model);
}

/** A graph's block types, wrappers' inner layers included ({"type", "params": {"layer": {...}}}). */
export function graphTypes(graph: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const obj = value as { type?: unknown; params?: unknown };
    if (typeof obj.type === "string") out.add(obj.type);
    if (obj.params && typeof obj.params === "object") Object.values(obj.params).forEach(visit);
  };
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (Array.isArray(nodes)) nodes.forEach(visit);
  return out;
}

/** The succeeded runs whose graph used block type `type` (`typesById`: each run's graph's block types, as
 * `graphTypes` reads them): an Applications block's `weights_run` choices, their trained weights fit it. */
export function runsUsingType<T extends RunLike>(
  runs: readonly T[],
  typesById: Readonly<Record<number, readonly string[]>>,
  type: string,
): T[] {
  return runs.filter(
    (r) => r.status === "succeeded" && r.has_model && (typesById[r.id] ?? []).includes(type),
  );
}

/** Where a model can be cut: every layer but its Input layers. */
export function cutChoices(layers: readonly InnerLayer[]): InnerLayer[] {
  return layers.filter((l) => l.class_name !== "InputLayer");
}

/** Where training can start: the layers up to the cut (the cut model keeps those), Input layers left out. */
export function trainableFromChoices(layers: readonly InnerLayer[], cutAt: string | null): InnerLayer[] {
  const end = cutAt === null ? -1 : layers.findIndex((l) => l.name === cutAt);
  const kept = end < 0 ? layers : layers.slice(0, end + 1);
  return cutChoices(kept);
}

/** The layer the block ends at: `cut_at`'s, else the model's last one. */
export function layerAtCut(layers: readonly InnerLayer[], cutAt: string | null): InnerLayer | null {
  if (cutAt !== null) return layers.find((l) => l.name === cutAt) ?? null;
  return layers.length ? layers[layers.length - 1] : null;
}

/** A layer as a drop-down option reads: "hidden · Dense · (None, 2)". */
export function layerLabel(layer: InnerLayer): string {
  const shape = layer.output_shape ? formatShape(layer.output_shape as Shape) : "several outputs";
  return `${layer.name} · ${layer.class_name} · ${shape}`;
}

/** Which trained model a Pretrained block's params name: ["run", 3], ["upload", 2], or null. */
export function sourceOf(params: Params): ["run" | "upload", number] | null {
  for (const kind of ["run", "upload"] as const) {
    const value = params[kind];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return [kind, value];
  }
  return null;
}

/** The params after picking a source ("run:3", "upload:2", or "" for none): the other source cleared, and
 * cut_at and trainable_from too when the model changes (they name another model's layers). */
export function withSource(params: Params, picked: string): Params {
  const next: Params = { ...params };
  const before = sourceOf(params);
  delete next.run;
  delete next.upload;
  const match = /^(run|upload):(\d+)$/.exec(picked);
  if (match) next[match[1]] = Number(match[2]);
  const after = sourceOf(next);
  if (!after || !before || after[0] !== before[0] || after[1] !== before[1]) {
    delete next.cut_at;
    delete next.trainable_from;
  }
  return next;
}

/** The params after picking a layer for `name` (cut_at or trainable_from; "" is null: left out). A new cut
 * drops a trainable_from that the cut model no longer has. */
export function withLayer(
  params: Params,
  name: "cut_at" | "trainable_from",
  layer: string,
  layers: readonly InnerLayer[],
): Params {
  const next: Params = { ...params };
  if (layer) next[name] = layer;
  else delete next[name];
  if (name === "cut_at" && typeof next.trainable_from === "string") {
    const cut = typeof next.cut_at === "string" ? next.cut_at : null;
    if (!trainableFromChoices(layers, cut).some((l) => l.name === next.trainable_from))
      delete next.trainable_from;
  }
  return next;
}

/** The graph that places an imported trained model as one Pretrained block (its weights kept): the
 * imported graph's Input and Output blocks (when it has one of each), the Pretrained block between them,
 * named after the upload, laid out afresh. */
export function pretrainedDocument(imported: GraphDocument, upload: number): GraphDocument {
  const inputs = imported.nodes.filter((n) => n.type === "Input");
  const outputs = imported.nodes.filter((n) => n.type === "Output");
  const taken = new Set([...inputs, ...outputs].map((n) => n.id));
  let id = "pretrained";
  for (let i = 2; taken.has(id); i++) id = `pretrained_${i}`;
  const nodes: GraphDocument["nodes"] = [];
  const edges: GraphDocument["edges"] = [];
  if (inputs.length === 1) {
    nodes.push({ id: inputs[0].id, type: "Input", params: inputs[0].params });
    edges.push({ source: inputs[0].id, target: id });
  }
  nodes.push({ id, type: PRETRAINED, params: { upload } });
  if (outputs.length === 1) {
    nodes.push({ id: outputs[0].id, type: "Output", params: outputs[0].params });
    edges.push({ source: id, target: outputs[0].id });
  }
  return { ...imported, nodes, edges };
}

/** The key of an Applications block's layers: its type, the params that shape the network (weights_run
 * does not) and its input shape. */
export function blockKey(type: string, params: Params, inputShape: readonly (number | null)[]): string {
  const shaping = Object.fromEntries(
    Object.entries(params)
      .filter(([k]) => k !== WEIGHTS_RUN)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return `block:${type}:${JSON.stringify(shaping)}:${JSON.stringify(inputShape)}`;
}

/** A block's input shape without the batch axis, from the validate answer's wires: the shape of the one
 * wire into it, or null (not wired, not checked yet, several outputs on the wire). */
export function inputShapeOf(
  edges: readonly { target: string; shape: Shape | null }[] | undefined,
  id: string,
): (number | null)[] | null {
  const into = (edges ?? []).filter((e) => e.target === id);
  if (into.length !== 1) return null;
  const shape = into[0].shape;
  if (!shape || shape.length === 0 || Array.isArray(shape[0])) return null;
  return (shape as (number | null)[]).slice(1);
}
