import { memo } from "react";
import { formatCompact, formatCount } from "../blocks/format";
import { pathPrefix } from "../graph/groups";
import { graphStore, useGraph } from "../graph/store";
import { showPath } from "./focusPath";
import { useEditorUi } from "./ui";

/** Time for a level just opened to be drawn and fitted before the canvas moves to one of its blocks. */
const FOCUS_AFTER_LEVEL_MS = 120;

export const StatusBar = memo(function StatusBar() {
  const validation = useGraph((s) => s.validation);
  const validating = useGraph((s) => s.validating);
  const failure = useGraph((s) => s.validationFailure);
  const nodeCount = useGraph((s) => s.nodes.length);
  const open = useEditorUi((s) => s.open);
  const toggle = useEditorUi((s) => s.toggle);
  const errors = validation?.errors ?? [];
  const warnings = validation?.warnings ?? [];

  let state: { text: string; tone: string };
  if (failure) state = { text: `Cannot check the graph: ${failure}`, tone: "bad" };
  else if (!nodeCount) state = { text: "Empty canvas", tone: "idle" };
  else if (validating && !validation) state = { text: "Checking…", tone: "idle" };
  else if (!validation) state = { text: "Not checked yet", tone: "idle" };
  else if (validation.valid) state = { text: "Model builds", tone: "good" };
  else state = { text: "Model does not build", tone: "bad" };

  // a problem inside a group names its block by path ("encoder/lstm_1"): open the group, focus the block
  const select = (node: string | null) => {
    if (!node) return;
    const level = pathPrefix(graphStore.getState().frames);
    const id = showPath(graphStore.getState, node);
    if (!id) return;
    if (pathPrefix(graphStore.getState().frames) === level) useEditorUi.getState().focusNode(id);
    // another level: the canvas fits it once its blocks are measured, then moves to the block
    else window.setTimeout(() => useEditorUi.getState().focusNode(id), FOCUS_AFTER_LEVEL_MS);
  };

  return (
    <footer className="statusbar" data-testid="statusbar">
      <span
        className={`status-state status-${state.tone}`}
        data-testid="status-state"
        data-validating={validating ? "true" : "false"}
        title={state.text}
      >
        <span className="dot" />
        {state.text}
        {validating && validation && <span className="spinner" aria-label="checking" />}
      </span>
      <span className="status-item">
        Parameters <strong data-testid="status-total-params">{formatCount(validation?.total_params)}</strong>
      </span>
      <span className="status-item" title="Trainable parameters">
        Trainable{" "}
        <strong data-testid="status-trainable-params">{formatCount(validation?.trainable_params)}</strong>
      </span>
      <span
        className="status-item"
        title={
          validation?.total_macs !== undefined
            ? `${formatCount(validation.total_macs)} multiply-adds per sample`
            : undefined
        }
      >
        MACs <strong data-testid="status-macs">{formatCompact(validation?.total_macs)}</strong>
      </span>
      <span className="spacer" />
      <div className="status-errors-wrap">
        <button
          className={`status-errors${errors.length ? " has-errors" : ""}`}
          data-testid="status-errors"
          data-count={errors.length}
          onClick={() => toggle("errors")}
          disabled={!errors.length && !warnings.length}
          aria-expanded={open === "errors"}
        >
          {errors.length} error{errors.length === 1 ? "" : "s"}
          {warnings.length > 0 && (
            <span className="status-warnings" data-testid="status-warnings">
              {" "}
              · {warnings.length} warning{warnings.length === 1 ? "" : "s"}
            </span>
          )}
        </button>
        {open === "errors" && (errors.length > 0 || warnings.length > 0) && (
          <ul className="error-list popover" data-testid="error-list">
            {errors.map((e, i) => (
              <li key={`e${i}`}>
                <button
                  data-testid={`error-item-${i}`}
                  className="error-item"
                  onClick={() => select(e.node)}
                  disabled={!e.node}
                >
                  {e.node && <span className="error-node">{e.node}</span>}
                  {e.param && <span className="error-param">{e.param}</span>}
                  <span>{e.message}</span>
                </button>
              </li>
            ))}
            {warnings.map((w, i) => (
              <li key={`w${i}`}>
                <button
                  data-testid={`warning-item-${i}`}
                  className="error-item warning-item"
                  onClick={() => select(w.node)}
                  disabled={!w.node}
                >
                  {w.node && <span className="error-node">{w.node}</span>}
                  <span>{w.message}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </footer>
  );
});
