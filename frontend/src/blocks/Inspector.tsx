// The right-hand panel: the selected block's id and parameters, generated from its catalog entry.
import { memo, useMemo, useState, type KeyboardEvent } from "react";
import { shortcutFor } from "../editor/shortcuts";
import type { Problem } from "../api/types";
import { pathPrefix } from "../graph/groups";
import { graphStore, useGraph } from "../graph/store";
import { categoryColor } from "./categories";
import { nodeTarget } from "../sweeps/space";
import { Field, type FieldTuning } from "./fields";
import { formFor, setParam } from "./form";
import { formatCompact, formatCount, formatShape } from "./format";
import { ImportOffer } from "./ImportOffer";
import { PRETRAINED, PRETRAINED_OWN, WEIGHTS_RUN, formatFrozen, showsFrozen } from "./pretrained";
import { ApplicationLayers, PretrainedFields, WeightsRunField } from "./PretrainedFields";
import { isApplication } from "./TrainedBlockLines";
import "./Inspector.css";

const NO_PROBLEMS: Problem[] = [];

/**
 * Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y in a drop-down of the form undo the graph: the editor's shortcuts
 * leave form fields alone (text fields have their own undo), but a choice just picked has no undo
 * of its own, and nothing would happen.
 */
function undoFromChoice(event: KeyboardEvent) {
  if ((event.target as HTMLElement).tagName !== "SELECT") return;
  const action = shortcutFor(event);
  if (action !== "undo" && action !== "redo") return;
  event.preventDefault();
  event.stopPropagation();
  if (action === "undo") graphStore.getState().undo();
  else graphStore.getState().redo();
}

export const Inspector = memo(function Inspector() {
  const selectedKey = useGraph((s) =>
    s.nodes
      .filter((n) => n.selected)
      .map((n) => n.id)
      .join("\n"),
  );
  const selected = selectedKey ? selectedKey.split("\n") : [];
  return (
    <aside className="inspector" data-testid="inspector">
      <ImportOffer />
      {selected.length === 0 && <GraphSummary />}
      {selected.length === 1 && <NodeInspector id={selected[0]} />}
      {selected.length > 1 && (
        <div className="pad">
          <h2>{selected.length} blocks selected</h2>
          <p className="muted">
            Copy (Ctrl+C), cut (Ctrl+X) or delete (Del) them together, or select one block to edit it.
          </p>
          <button data-testid="inspector-delete" onClick={() => graphStore.getState().deleteSelected()}>
            Delete {selected.length} blocks
          </button>
        </div>
      )}
    </aside>
  );
});

function NodeInspector({ id }: { id: string }) {
  const data = useGraph((s) => s.nodes.find((n) => n.id === id)?.data);
  const revision = useGraph((s) => s.revision);
  const spec = useGraph((s) => (data ? s.specs[data.type] : undefined));
  const specs = useGraph((s) => s.specs);
  // inside an open group the validation answer names this block by its path ("encoder/lstm_1")
  const prefix = useGraph((s) => pathPrefix(s.frames));
  const path = prefix + id;
  const inGroup = prefix !== "";
  const report = useGraph((s) => s.validation?.nodes[path]);
  const errors = useGraph((s) => s.validation?.errors ?? NO_PROBLEMS);
  const warnings = useGraph((s) => s.validation?.warnings ?? NO_PROBLEMS);
  const pretrained = data?.type === PRETRAINED;
  const application = isApplication(spec);
  // A Pretrained block's source and layers, an Applications block's weights_run: their own fields below.
  const fields = useMemo(() => {
    if (!spec || !data) return [];
    const own: readonly string[] = pretrained ? PRETRAINED_OWN : application ? [WEIGHTS_RUN] : [];
    return formFor(spec, data.params, { inGroup }).filter((f) => !own.includes(f.param.name));
  }, [spec, data, pretrained, application, inGroup]);
  // Every number and choice of the block (a wrapper's inner layer's too) can be tuned in a sweep;
  // the sweep tunes blocks of the top level only.
  const tuning = useMemo<FieldTuning | undefined>(
    () => (inGroup ? undefined : { target: (at, param) => nodeTarget(id, at, param.name) }),
    [id, inGroup],
  );
  if (!data) return null;
  const mine = errors.filter((e) => e.node === path);
  // Errors on a param (or a wrapper's nested param, "layer.units") show at the field; the rest above the form.
  const onField = (param: string) => spec?.params.some((p) => p.name === param.split(".")[0]) ?? false;
  const general = mine.filter((e) => !e.param || !onField(e.param));
  const byParam = new Map(mine.filter((e) => e.param).map((e) => [e.param!, e.message]));
  const myWarnings = warnings.filter((w) => w.node === path);
  const generic = fields.map((field) => (
    <Field
      key={field.param.name}
      param={field.param}
      setValue={field.isSet ? data.params[field.param.name] : undefined}
      storedError={field.error}
      serverError={byParam.get(field.param.name)}
      serverErrors={byParam}
      path=""
      specs={specs}
      tuning={tuning}
      onChange={(value) => {
        const node = graphStore.getState().nodes.find((n) => n.id === id);
        if (!node) return;
        graphStore
          .getState()
          .updateParams(
            id,
            setParam(node.data.params, field.param, value),
            `params:${id}:${field.param.name}`,
          );
      }}
    />
  ));

  return (
    <div className="node-inspector" key={`${id}:${revision}`}>
      <header className="inspector-head" style={{ ["--stripe" as string]: categoryColor(spec?.category) }}>
        <div className="inspector-type" data-testid="inspector-type">
          {data.type}
        </div>
        {spec?.doc && <div className="inspector-doc">{spec.doc}</div>}
      </header>
      <IdField id={id} />
      <dl className="inspector-facts">
        <dt>Output shape</dt>
        <dd data-testid="inspector-shape">{report ? formatShape(report.output_shape) : "—"}</dd>
        <dt>Parameters</dt>
        <dd data-testid="inspector-params">{report ? formatCount(report.params) : "—"}</dd>
        {report && showsFrozen(data.type, application, report.params, report.trainable_params) && (
          <dd className="inspector-wide" data-testid="inspector-frozen">
            {formatFrozen(report.params, report.trainable_params)}
          </dd>
        )}
        {report?.macs !== undefined && (
          <>
            <dt>Multiply-adds</dt>
            <dd title={formatCount(report.macs)}>{formatCompact(report.macs)}</dd>
          </>
        )}
      </dl>
      {general.length > 0 && (
        <ul className="inspector-errors" data-testid="inspector-errors">
          {general.map((e, i) => (
            <li key={i}>{e.param ? `${e.param}: ${e.message}` : e.message}</li>
          ))}
        </ul>
      )}
      {myWarnings.length > 0 && (
        <ul className="inspector-warnings">
          {myWarnings.map((w, i) => (
            <li key={i}>{w.message}</li>
          ))}
        </ul>
      )}
      {!spec && data.type === "Group" && (
        <p className="pad muted">A group of blocks: double-click it to open and edit its blocks.</p>
      )}
      {!spec && data.type !== "Group" && (
        <p className="pad muted">
          This block type is not in the layer catalog; its parameters cannot be edited.
        </p>
      )}
      {spec && fields.length === 0 && <p className="pad muted">This block has no parameters.</p>}
      <div className="fields" onKeyDown={undoFromChoice}>
        {spec && pretrained ? (
          <PretrainedFields id={id} params={data.params} spec={spec} serverErrors={byParam}>
            {generic}
          </PretrainedFields>
        ) : (
          generic
        )}
        {spec && application && (
          <>
            <WeightsRunField id={id} params={data.params} spec={spec} serverErrors={byParam} />
            <ApplicationLayers id={id} type={data.type} params={data.params} testId="inspector-layers" />
          </>
        )}
      </div>
      <div className="pad">
        <button
          className="danger"
          data-testid="inspector-delete"
          onClick={() => graphStore.getState().deleteElements([id])}
        >
          Delete block
        </button>
      </div>
    </div>
  );
}

function IdField({ id }: { id: string }) {
  const [draft, setDraft] = useState(id);
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    if (draft === id) {
      setError(null);
      return;
    }
    const problem = graphStore.getState().renameNode(id, draft.trim());
    setError(problem);
  };
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor="node-id-input">
        <span className="field-name">id</span>
      </label>
      <input
        id="node-id-input"
        className="nodrag"
        data-testid="field-id"
        value={draft}
        spellCheck={false}
        aria-invalid={!!error}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") {
            setDraft(id);
            setError(null);
          }
        }}
      />
      {error ? (
        <div className="field-error" data-testid="field-error-id">
          {error}
        </div>
      ) : (
        <div className="field-doc">The Keras layer name. Letters, digits, _ and -.</div>
      )}
    </div>
  );
}

function GraphSummary() {
  const name = useGraph((s) => s.name);
  const description = useGraph((s) => s.description);
  const count = useGraph((s) => s.nodes.length);
  const edges = useGraph((s) => s.edges.length);
  const keras = useGraph((s) => s.catalog?.keras_version);
  const total = useGraph((s) => s.validation?.total_params ?? 0);
  const trainable = useGraph((s) => s.validation?.trainable_params ?? 0);
  return (
    <div className="pad graph-summary">
      <h2>{name || "untitled"}</h2>
      {description && <p className="muted">{description}</p>}
      <p>
        {count} block{count === 1 ? "" : "s"}, {edges} connection{edges === 1 ? "" : "s"}.
      </p>
      {total > trainable && (
        <p className="muted" data-testid="graph-frozen">
          {formatCount(total)} parameters: {formatFrozen(total, trainable)}
        </p>
      )}
      {count === 0 ? (
        <p className="muted">
          Drag a block from the palette onto the canvas (or double-click it), or start from a template.
        </p>
      ) : (
        <p className="muted">
          Select a block to edit its parameters. Drag from a block’s bottom handle to another block’s top
          handle to connect them.
        </p>
      )}
      {keras && <p className="muted small">Keras {keras}</p>}
    </div>
  );
}
