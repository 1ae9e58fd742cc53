// The live table of a sweep's trials, sortable by any column (click a header; again to reverse):
// number, state, each tuned param, each objective, epochs, duration, and the link to its run.
import { useMemo, useState } from "react";
import { linkTo, StatusBadge } from "../pages/RunPage";
import { formatDuration } from "../runs/progress";
import { short, sortTrials, valueOf, type Column } from "./analysis";
import type { Trial } from "./api";
import { shortTarget } from "./charts";
import type { DimensionLike } from "./space";
import type { Objective } from "./store";

function showParam(v: unknown): string {
  if (v === undefined) return "–";
  if (v === null) return "None";
  if (typeof v === "number") return short(v);
  return String(v);
}

export function TrialsTable({
  trials,
  space,
  objectives,
  best,
  now,
}: {
  trials: Trial[];
  space: DimensionLike[];
  objectives: Objective[];
  best: number[];
  /** seconds since the epoch: a running trial's duration so far */
  now: number;
}) {
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({
    column: "number",
    descending: false,
  });
  const rows = useMemo(() => sortTrials(trials, sort.column, sort.descending), [trials, sort]);
  const header = (column: Column, label: React.ReactNode, title?: string) => {
    const active = sort.column === column;
    return (
      <th
        key={column}
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
        className={active ? "sorted" : undefined}
        title={title}
      >
        <button
          className="sort-button"
          data-testid={`trials-sort-${column}`}
          onClick={() =>
            setSort((s) => ({
              column,
              // Objectives start best-first; the rest ascending.
              descending:
                s.column === column
                  ? !s.descending
                  : column.startsWith("value:")
                    ? objectives[Number(column.slice(6))]?.direction === "maximize"
                    : false,
            }))
          }
        >
          {label}
          <span className="sort-mark">{active ? (sort.descending ? "▼" : "▲") : ""}</span>
        </button>
      </th>
    );
  };
  return (
    <div className="table-scroll">
      <table className="runs-table trials-table" data-testid="trials-table" data-rows={trials.length}>
        <thead>
          <tr>
            {header("number", "#")}
            {header("status", "State")}
            {space.map((d) => header(`param:${d.target}`, <code>{shortTarget(d.target)}</code>, d.target))}
            {objectives.map((o, i) => header(`value:${i}`, o.metric, `${o.direction} (${o.at} epoch)`))}
            {header("epochs", "Epochs")}
            {header("duration", "Duration")}
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => {
            const running = t.status === "running" && t.started_at;
            const duration = t.duration ?? (running ? now - Date.parse(t.started_at!) / 1000 : null);
            const isBest = best.includes(t.number);
            return (
              <tr
                key={t.number}
                data-testid={`trial-row-${t.number}`}
                data-status={t.status}
                className={isBest ? "best" : undefined}
              >
                <td>
                  {t.number}
                  {isBest && (
                    <span
                      className="best-mark"
                      title={objectives.length > 1 ? "On the Pareto front" : "The best trial"}
                    >
                      ★
                    </span>
                  )}
                </td>
                <td>
                  <StatusBadge status={t.status} testId={`trial-status-${t.number}`} />
                  {t.status === "pruned" && t.pruned_epoch !== null && (
                    <span className="small muted"> at epoch {t.pruned_epoch}</span>
                  )}
                  {t.error && (
                    <div className="trial-error small" title={t.error}>
                      {t.error}
                    </div>
                  )}
                </td>
                {space.map((d) => (
                  <td key={d.target} className="num">
                    {showParam(t.params[d.target])}
                  </td>
                ))}
                {objectives.map((_, i) => {
                  const v = valueOf(t, i);
                  return (
                    <td key={i} className="num strong" data-testid={`trial-value-${t.number}-${i}`}>
                      {v === null ? "–" : short(v)}
                    </td>
                  );
                })}
                <td className="num">{t.epochs_done}</td>
                <td className="num">{duration === null ? "–" : formatDuration(duration)}</td>
                <td>
                  {t.run !== null ? (
                    <a
                      href={`/runs/${t.run}`}
                      onClick={linkTo(`/runs/${t.run}`)}
                      data-testid={`trial-run-${t.number}`}
                    >
                      #{t.run}
                    </a>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
