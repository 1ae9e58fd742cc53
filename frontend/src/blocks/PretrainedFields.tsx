// The Inspector's fields for trained models as blocks: a Pretrained block's source (one of the person's
// succeeded runs or uploaded models), where to cut it and where training starts, each inner layer listed
// with its output shape; an Applications block's `weights_run` (a run of the same architecture).
import { useEffect, useId, useMemo } from "react";
import type { LayerSpec, Params } from "../api/types";
import { useSession } from "../auth/session";
import { pathPrefix } from "../graph/groups";
import { graphStore, useGraph } from "../graph/store";
import { formatCount, formatShape } from "./format";
import {
  WEIGHTS_RUN,
  blockKey,
  cutChoices,
  eligibleRuns,
  inputShapeOf,
  layerAtCut,
  layerLabel,
  modelLabel,
  runLabel,
  runsUsingType,
  sourceOf,
  trainableFromChoices,
  withLayer,
  withSource,
  type InnerLayer,
} from "./pretrained";
import { sourceKey, useTrainedModels } from "./trainedModels";

interface FieldsProps {
  id: string;
  params: Params;
  spec: LayerSpec;
  /** The validate answer's errors by param name. */
  serverErrors: ReadonlyMap<string, string>;
}

/** How old the lists of runs and models may be when a block is inspected (every edit remounts the form). */
const REFRESH_MS = 5000;

function update(id: string, params: Params, what: string) {
  graphStore.getState().updateParams(id, params, `params:${id}:${what}`);
}

function docOf(spec: LayerSpec, name: string): string {
  return spec.params.find((p) => p.name === name)?.doc ?? "";
}

/** The inner layers of the model a Pretrained block names (fetched once per model), or why not. */
export function useSourceLayers(params: Params): {
  layers?: InnerLayer[];
  error?: string;
  key: string | null;
} {
  const key = sourceKey(sourceOf(params));
  const loaded = useTrainedModels((s) => (key ? s.layers[key] : undefined));
  const load = useTrainedModels((s) => s.loadLayers);
  const username = useSession((s) => s.username); // asked again for whoever signs in
  useEffect(() => {
    if (key) void load(key);
  }, [key, load, username]);
  return { layers: loaded?.value, error: loaded?.error, key };
}

/** The source and layer fields; `children` (the generic form's other fields: trainable) sit between where
 * the model is cut and where its training starts. */
export function PretrainedFields({
  id,
  params,
  spec,
  serverErrors,
  children,
}: FieldsProps & { children?: React.ReactNode }) {
  const runs = useTrainedModels((s) => s.runs);
  const models = useTrainedModels((s) => s.models);
  const { loadRuns, loadModels } = useTrainedModels.getState();
  const username = useSession((s) => s.username);
  useEffect(() => {
    // asked again when a Pretrained block is inspected a while later: a run may have finished since
    void loadRuns(REFRESH_MS);
    void loadModels(REFRESH_MS);
  }, [id, loadRuns, loadModels, username]);
  const { layers, error: layersError } = useSourceLayers(params);
  const source = sourceOf(params);
  const picked = source ? `${source[0]}:${source[1]}` : "";
  const usable = useMemo(() => eligibleRuns(runs?.value ?? []), [runs]);
  const uploads = models?.value ?? [];
  const known =
    !source ||
    (source[0] === "run" ? usable.some((r) => r.id === source[1]) : uploads.some((m) => m.id === source[1]));
  const cutAt = typeof params.cut_at === "string" ? params.cut_at : null;
  const trainableFrom = typeof params.trainable_from === "string" ? params.trainable_from : null;
  const atCut = layers ? layerAtCut(layers, cutAt) : null;
  const sourceError = serverErrors.get("run") ?? serverErrors.get("upload") ?? layersError ?? runs?.error;
  const sourceId = useId();
  const cutId = useId();
  const fromId = useId();

  return (
    <div className="pretrained-fields" data-testid="pretrained-fields">
      <div className={`field field-select${sourceError ? " field-invalid" : ""}`}>
        <label htmlFor={sourceId} title={docOf(spec, "run")}>
          <span className="field-name">model</span>
        </label>
        <select
          id={sourceId}
          className="nodrag"
          data-testid="field-source"
          value={picked}
          onChange={(e) => update(id, withSource(params, e.target.value), "source")}
        >
          <option value="">— choose a trained model —</option>
          {!known && source && (
            <option value={picked}>
              {source[0]} {source[1]} (not among yours)
            </option>
          )}
          <optgroup label={usable.length ? "Your succeeded runs" : "Your succeeded runs: none yet"}>
            {usable.map((r) => (
              <option key={r.id} value={`run:${r.id}`}>
                {runLabel(r)}
              </option>
            ))}
          </optgroup>
          {models && !models.absent && (
            <optgroup label={uploads.length ? "Your uploaded models" : "Your uploaded models: none yet"}>
              {uploads.map((m) => (
                <option key={m.id} value={`upload:${m.id}`}>
                  {modelLabel(m)}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        {sourceError ? (
          <div className="field-error" data-testid="field-error-run">
            {sourceError}
          </div>
        ) : (
          <div className="field-doc">
            One of your succeeded runs{models && !models.absent ? " or uploaded .keras models" : ""}, with its
            trained weights.
          </div>
        )}
      </div>

      <LayerSelect
        id={cutId}
        name="cut_at"
        testId="field-cut_at"
        value={cutAt}
        none={layers?.length ? `the whole model (to ${layers[layers.length - 1].name})` : "the whole model"}
        choices={layers ? cutChoices(layers) : []}
        disabled={!layers}
        error={serverErrors.get("cut_at")}
        doc={
          atCut ? (
            <>
              Its output at the cut:{" "}
              <span className="mono" data-testid="pretrained-cut-shape">
                {atCut.output_shape ? formatShape(atCut.output_shape) : "several outputs"}
              </span>
            </>
          ) : (
            docOf(spec, "cut_at")
          )
        }
        onPick={(layer) => update(id, withLayer(params, "cut_at", layer, layers ?? []), "cut_at")}
      />
      {children}
      <LayerSelect
        id={fromId}
        name="trainable_from"
        testId="field-trainable_from"
        value={trainableFrom}
        none="none: as trainable says"
        choices={layers ? trainableFromChoices(layers, cutAt) : []}
        disabled={!layers}
        error={serverErrors.get("trainable_from")}
        doc={docOf(spec, "trainable_from")}
        onPick={(layer) =>
          update(id, withLayer(params, "trainable_from", layer, layers ?? []), "trainable_from")
        }
      />
      {layers && <InnerLayerList layers={layers} cutAt={cutAt} testId="inspector-layers" />}
    </div>
  );
}

function LayerSelect(props: {
  id: string;
  name: string;
  testId: string;
  value: string | null;
  none: string;
  choices: InnerLayer[];
  disabled: boolean;
  error?: string;
  doc: React.ReactNode;
  onPick(layer: string): void;
}) {
  const missing = props.value !== null && !props.choices.some((l) => l.name === props.value);
  return (
    <div className={`field field-select${props.error ? " field-invalid" : ""}`}>
      <label htmlFor={props.id}>
        <span className="field-name">{props.name}</span>
      </label>
      <select
        id={props.id}
        className="nodrag"
        data-testid={props.testId}
        value={props.value ?? ""}
        disabled={props.disabled && props.value === null}
        onChange={(e) => props.onPick(e.target.value)}
      >
        <option value="">{props.none}</option>
        {missing && <option value={props.value!}>{props.value} (not in this model)</option>}
        {props.choices.map((l) => (
          <option key={l.name} value={l.name}>
            {layerLabel(l)}
          </option>
        ))}
      </select>
      {props.error ? (
        <div className="field-error" data-testid={`field-error-${props.name}`}>
          {props.error}
        </div>
      ) : (
        <div className="field-doc">{props.doc}</div>
      )}
    </div>
  );
}

/** A trained model's inner layers, folded: name, class, output shape and weights of each, the ones past
 * the cut struck out. `onOpen`: asked for when first unfolded (the layers may come later). */
export function InnerLayerList({
  layers,
  cutAt = null,
  testId,
  compact = false,
  onOpen,
  error,
}: {
  layers?: readonly InnerLayer[];
  cutAt?: string | null;
  testId: string;
  compact?: boolean;
  onOpen?(): void;
  error?: string;
}) {
  const end = !layers ? -1 : cutAt === null ? layers.length - 1 : layers.findIndex((l) => l.name === cutAt);
  return (
    <details
      className={`inner-layers nodrag${compact ? " inner-layers-compact" : ""}`}
      data-testid={testId}
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) onOpen?.();
      }}
    >
      <summary>
        {layers ? `${layers.length} inner layer${layers.length === 1 ? "" : "s"}` : "inner layers"}
      </summary>
      {error ? (
        <div className="field-error">{error}</div>
      ) : !layers ? (
        <div className="muted">Reading the network…</div>
      ) : (
        // a network has hundreds of layers: the list scrolls (nowheel: the wheel scrolls it, not the canvas)
        <div className="inner-layers-scroll nowheel">
          <table>
            <tbody>
              {layers.map((l, i) => (
                <tr key={l.name} className={end >= 0 && i > end ? "inner-layer-cut" : undefined}>
                  <td className="mono">{l.name}</td>
                  {!compact && <td>{l.class_name}</td>}
                  <td className="mono">{l.output_shape ? formatShape(l.output_shape) : "—"}</td>
                  <td className="mono num">{l.params ? formatCount(l.params) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/** An Applications block's network, layer by layer at its input shape (once wired), asked for when unfolded. */
export function ApplicationLayers({
  id,
  type,
  params,
  testId,
  compact = false,
}: {
  id: string;
  type: string;
  params: Params;
  testId: string;
  compact?: boolean;
}) {
  // inside an open group the validation answer names the block by its path ("encoder/net")
  const shapeKey = useGraph((s) =>
    JSON.stringify(inputShapeOf(s.validation?.edges, pathPrefix(s.frames) + id)),
  );
  const inputShape = JSON.parse(shapeKey) as (number | null)[] | null;
  const key = inputShape ? blockKey(type, params, inputShape) : null;
  const loaded = useTrainedModels((s) => (key ? s.layers[key] : undefined));
  if (!key || !inputShape) return null;
  const load = () => {
    const body = { type, params: { ...params }, input_shape: inputShape };
    delete body.params[WEIGHTS_RUN]; // the layers are the same; a run's weights need not be read
    void useTrainedModels.getState().loadBlockLayers(key, body);
  };
  return (
    <InnerLayerList
      key={key}
      layers={loaded?.value}
      error={loaded?.error}
      testId={testId}
      compact={compact}
      onOpen={load}
    />
  );
}

/** An Applications block's `weights_run`: one of the person's succeeded runs whose graph used this block
 * type (its trained weights fit the architecture), or none (the block's own weights). */
export function WeightsRunField({ id, params, spec, serverErrors }: FieldsProps) {
  const runs = useTrainedModels((s) => s.runs);
  const types = useTrainedModels((s) => s.graphTypes);
  const { loadRuns, loadGraphTypes } = useTrainedModels.getState();
  const username = useSession((s) => s.username);
  useEffect(() => {
    void loadRuns(REFRESH_MS);
  }, [id, loadRuns, username]);
  const succeeded = useMemo(() => eligibleRuns(runs?.value ?? []).slice(0, 30), [runs]);
  useEffect(() => {
    if (succeeded.length) void loadGraphTypes(succeeded.map((r) => r.id));
  }, [succeeded, loadGraphTypes]);
  const fitting = useMemo(() => runsUsingType(succeeded, types, spec.type), [succeeded, types, spec.type]);
  const value = typeof params[WEIGHTS_RUN] === "number" ? (params[WEIGHTS_RUN] as number) : null;
  const error = serverErrors.get(WEIGHTS_RUN) ?? runs?.error;
  const inputId = useId();
  return (
    <div className={`field field-select${error ? " field-invalid" : ""}`}>
      <label htmlFor={inputId} title={docOf(spec, WEIGHTS_RUN)}>
        <span className="field-name">{WEIGHTS_RUN}</span>
      </label>
      <select
        id={inputId}
        className="nodrag"
        data-testid={`field-${WEIGHTS_RUN}`}
        value={value === null ? "" : String(value)}
        onChange={(e) => {
          const next: Params = { ...params };
          if (e.target.value) next[WEIGHTS_RUN] = Number(e.target.value);
          else delete next[WEIGHTS_RUN];
          update(id, next, WEIGHTS_RUN);
        }}
      >
        <option value="">none: the block’s own weights</option>
        {value !== null && !fitting.some((r) => r.id === value) && (
          <option value={String(value)}>run {value}</option>
        )}
        {fitting.map((r) => (
          <option key={r.id} value={String(r.id)}>
            {runLabel(r)}
          </option>
        ))}
      </select>
      {error ? (
        <div className="field-error" data-testid={`field-error-${WEIGHTS_RUN}`}>
          {error}
        </div>
      ) : (
        <div className="field-doc">
          {fitting.length
            ? `Your succeeded runs that trained a ${spec.type}: start from their weights.`
            : `None of your succeeded runs trained a ${spec.type} yet.`}
        </div>
      )}
    </div>
  );
}
