// The runs page's list of ensembles (GET /api/ensembles), newest first; hidden while there are none.
import { useEffect, useState } from "react";
import { linkTo, StatusBadge } from "../pages/RunPage";
import { formatDuration } from "../runs/progress";
import { ensemblesApi } from "./api";
import { gainText, headlineText, weightsSource } from "./format";
import { ENSEMBLE_FINISHED, type EnsembleSummary } from "./types";

export function EnsemblesList() {
  const [list, setList] = useState<EnsembleSummary[] | null>(null);
  const busy = list?.some((e) => !ENSEMBLE_FINISHED.has(e.status)) ?? false;
  useEffect(() => {
    let alive = true;
    const load = () =>
      ensemblesApi
        .list()
        .then((l) => alive && setList(l))
        .catch(() => alive && setList((l) => l ?? []));
    load();
    const timer = busy ? setInterval(load, 3000) : undefined;
    return () => {
      alive = false;
      if (timer) clearInterval(timer);
    };
  }, [busy]);
  if (!list || list.length === 0) return null;
  return (
    <section className="panel-card" data-testid="ensembles-list">
      <header className="chart-head">
        <h2>Ensembles</h2>
      </header>
      <div className="table-scroll">
        <table className="runs-table">
          <thead>
            <tr>
              <th>Ensemble</th>
              <th>Status</th>
              <th>Dataset</th>
              <th>Members</th>
              <th>Weights</th>
              <th>Test</th>
              <th title="Over the best member">Gain</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.id} data-testid={`ensemble-row-${e.id}`}>
                <td>
                  <a href={`/ensembles/${e.id}`} onClick={linkTo(`/ensembles/${e.id}`)}>
                    {e.name || "ensemble"} #{e.id}
                  </a>
                  {e.crossval !== null && (
                    <a
                      className="sweep-mark"
                      href={`/crossval/${e.crossval}`}
                      onClick={linkTo(`/crossval/${e.crossval}`)}
                    >
                      cross-validation #{e.crossval}
                    </a>
                  )}
                </td>
                <td>
                  <StatusBadge status={e.status} testId={`ensemble-row-status-${e.id}`} />
                </td>
                <td>{e.dataset?.title || e.dataset?.name}</td>
                <td className="small">{e.runs.map((r) => `#${r}`).join(" ")}</td>
                <td className="small">{weightsSource(e.weights_from)}</td>
                <td className="small">{headlineText(e.test, e.gain)}</td>
                <td className={`small ${gainClass(e.gain?.value)}`}>{gainText(e.gain)}</td>
                <td>{formatDuration(e.duration)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function gainClass(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "";
  return value > 0 ? "gain-up" : "gain-down";
}
