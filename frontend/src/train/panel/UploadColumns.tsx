// The CSV upload's column picker: tick the target column(s) to predict, and mark a target as class
// labels even when its values are numbers.
type SetList = (update: (list: string[]) => string[]) => void;

const toggle = (c: string, on: boolean) => (list: string[]) =>
  on ? [...list, c] : list.filter((x) => x !== c);

export function UploadColumns(props: {
  columns: string[];
  targets: string[];
  classTargets: string[];
  busy: boolean;
  setTargets: SetList;
  setClassTargets: SetList;
}) {
  const { columns, targets, classTargets, busy } = props;
  return (
    <fieldset className="upload-columns" data-testid="train-upload-targets">
      <legend>Target column(s) to predict</legend>
      {columns.map((c) => (
        <div key={c} className="column-choice">
          <label>
            <input
              type="checkbox"
              data-testid={`train-upload-target-${c}`}
              checked={targets.includes(c)}
              onChange={(e) => props.setTargets(toggle(c, e.target.checked))}
              disabled={busy}
            />{" "}
            {c}
          </label>
          {targets.includes(c) && (
            <label className="muted small" title="Treat the values as class labels even if they are numbers">
              <input
                type="checkbox"
                checked={classTargets.includes(c)}
                onChange={(e) => props.setClassTargets(toggle(c, e.target.checked))}
                disabled={busy}
              />{" "}
              classes
            </label>
          )}
        </div>
      ))}
    </fieldset>
  );
}
