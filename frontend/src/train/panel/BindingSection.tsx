// The binding table: each Input and Output block, its shape, and the dataset field it takes (choosing
// another field renames the block to it), with the server's problems for each block beneath.
import { formatShape } from "../../blocks/format";
import { useEditorUi } from "../../editor/ui";
import { graphStore } from "../../graph/store";
import { notify } from "../../ui/toast";
import { useTrain } from "../store";
import { useBinding, type BindingRow } from "./useBinding";

function bind(row: BindingRow, field: string) {
  if (!field || field === row.node) return;
  const problem = graphStore.getState().renameNode(row.node, field);
  if (problem) notify(`Cannot rename block '${row.node}' to '${field}': ${problem}`, "error");
  else notify(`Block '${row.node}' renamed '${field}' to take that field.`, "info");
}

function select(id: string) {
  graphStore.getState().selectOnly(id);
  useEditorUi.getState().focusNode(id);
}

export function BindingSection() {
  const { info, rows } = useBinding();
  const warnings = useTrain((s) => (s.check?.status !== "pending" ? s.check?.warnings : undefined));
  if (!info) return null;
  return (
    <section className="train-section" data-testid="train-binding">
      <h3>Blocks and fields</h3>
      {rows.length === 0 && <p className="muted small">The graph has no Input or Output blocks.</p>}
      {rows.length > 0 && (
        <table className="binding-table">
          <thead>
            <tr>
              <th>Block</th>
              <th>Shape</th>
              <th>Field</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const fields = row.kind === "input" ? info.inputs : info.targets;
              return (
                <tr
                  key={`${row.kind}:${row.node}`}
                  data-testid={`train-bind-row-${row.node}`}
                  className={row.problems.length ? "bad" : "good"}
                >
                  <td>
                    <button className="link" onClick={() => select(row.node)} title="Show the block">
                      <span className="muted small">{row.kind === "input" ? "Input" : "Output"}</span>{" "}
                      {row.node}
                    </button>
                  </td>
                  <td>
                    <code>{formatShape(row.shape)}</code>
                  </td>
                  <td>
                    <select
                      data-testid={`train-bind-${row.node}`}
                      value={row.field ?? ""}
                      onChange={(e) => bind(row, e.target.value)}
                      title={
                        row.how === "only"
                          ? "The only field of its kind: bound whatever the block is called"
                          : "Choose a field: the block is renamed to it"
                      }
                      aria-invalid={row.problems.length > 0}
                    >
                      {!row.field && <option value="">(none)</option>}
                      {fields.map((f) => (
                        <option key={f.name} value={f.name}>
                          {f.name} {formatShape(f.shape)}
                        </option>
                      ))}
                    </select>
                    {row.how === "only" && row.field !== row.node && (
                      <span className="muted small"> (only one)</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rows.map((row) =>
        row.problems.length ? (
          <div
            key={`p:${row.node}`}
            className="binding-problem"
            data-testid={`train-bind-problem-${row.node}`}
          >
            <strong>{row.node}</strong>: {row.problems.join(" ")}
          </div>
        ) : null,
      )}
      {warnings?.map((w) => (
        <div
          key={`w:${w.node}`}
          className="binding-warning"
          data-testid={`train-bind-warning-${w.node}`}
          role="status"
        >
          <strong>{w.node}</strong>: {w.message}
        </div>
      ))}
    </section>
  );
}
