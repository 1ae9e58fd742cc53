// Pieces of the ensemble page: the header, the members against the ensemble (a table of every test
// metric and bars of the headline one), and the disagreement samples.
import { useMemo } from "react";
import { useSession } from "../auth/session";
import { linkTo } from "../pages/RunPage";
import { formatConfidence } from "../runs/format";
import { barLength, compareMetric, formatValue, higherIsBetter } from "./compare";
import { gainText, metricOrder } from "./format";
import type { Disagreement, Disagreements, Ensemble } from "./types";
import { weightShares } from "./weights";

export function PageHeader({
  crumbs,
  title,
  status,
}: {
  crumbs: { label: string; path: string; testId?: string }[];
  title: string;
  status?: string | null;
}) {
  const username = useSession((s) => s.username);
  return (
    <header className="toolbar run-toolbar">
      <a className="brand" href="/" onClick={linkTo("/")} title="Back to the editor">
        <span className="logo">K</span>
        <span className="brand-name">Keras Canvas</span>
      </a>
      <nav className="crumbs">
        <a href="/" onClick={linkTo("/")}>
          Editor
        </a>
        {crumbs.map((c) => (
          <span key={c.path} className="row" style={{ gap: 8 }}>
            <span className="muted">/</span>
            <a href={c.path} onClick={linkTo(c.path)} data-testid={c.testId}>
              {c.label}
            </a>
          </span>
        ))}
        <span className="muted">/</span>
        <strong>{title}</strong>
      </nav>
      {status && <Badge status={status} />}
      <span className="spacer" />
      {username && <span className="user-chip">{username}</span>}
    </header>
  );
}

export function Badge({ status, testId = "status" }: { status: string; testId?: string }) {
  const live = status === "running" || status === "evaluating";
  return (
    <span
      className={`run-status status-${live ? "running" : status}`}
      data-testid={testId}
      data-status={status}
    >
      {live && <span className="pulse" />}
      {status}
    </span>
  );
}

/** Every member's test metrics and the ensemble's, the best of each column marked; weights beside. */
export function MembersTable({ ensemble }: { ensemble: Ensemble }) {
  const metrics = useMemo(() => {
    const names = new Set<string>();
    for (const m of ensemble.members) for (const k of Object.keys(m.test ?? {})) names.add(k);
    for (const k of Object.keys(ensemble.test ?? {})) names.add(k);
    return metricOrder([...names]);
  }, [ensemble]);
  const weights = ensemble.members.map((m) => m.weight ?? NaN);
  const shares = weights.every(Number.isFinite) ? weightShares(weights) : [];
  const best = useMemo(() => {
    const out: Record<string, ReturnType<typeof compareMetric>> = {};
    for (const metric of metrics)
      out[metric] = compareMetric(
        metric,
        ensemble.members.map((m) => ({ key: String(m.run), label: "", value: m.test?.[metric] ?? null })),
        ensemble.test?.[metric] ?? null,
      );
    return out;
  }, [ensemble, metrics]);
  const isBest = (metric: string, key: string) =>
    best[metric]?.bars.find((b) => b.key === key)?.best ?? false;
  return (
    <section className="card-section" data-testid="ensemble-members">
      <header className="chart-head">
        <h3>Members against the ensemble</h3>
        <span className="muted small">test split; the best of each column in green</span>
      </header>
      <div className="table-scroll">
        <table className="runs-table members-table">
          <thead>
            <tr>
              <th>Member</th>
              <th className="num">Seed</th>
              <th className="num">Weight</th>
              {metrics.map((m) => (
                <th key={m} className="num">
                  {m.replace(/_/g, " ")}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ensemble.members.map((m, i) => (
              <tr key={m.run} data-testid={`member-${m.run}`}>
                <td>
                  {m.run_exists ? (
                    <a
                      href={`/runs/${m.run}`}
                      onClick={linkTo(`/runs/${m.run}`)}
                      data-testid={`member-link-${m.run}`}
                    >
                      {m.name || "run"} #{m.run}
                    </a>
                  ) : (
                    <span className="gone" title="This run was deleted; the ensemble keeps its model">
                      {m.name || "run"} #{m.run}
                    </span>
                  )}
                </td>
                <td className="num">{m.seed ?? "–"}</td>
                <td className="num" data-testid={`member-weight-${m.run}`}>
                  {shares.length ? (
                    <span className="weight-cell">
                      <span className="weight-bar">
                        <span style={{ width: `${shares[i]}%` }} />
                      </span>
                      {shares[i].toFixed(1)} %
                    </span>
                  ) : (
                    <span className="muted">not fitted yet</span>
                  )}
                </td>
                {metrics.map((metric) => (
                  <td key={metric} className={`num ${isBest(metric, String(m.run)) ? "best" : ""}`}>
                    {formatValue(metric, m.test?.[metric])}
                  </td>
                ))}
              </tr>
            ))}
            <tr className="ensemble-row" data-testid="member-ensemble">
              <td>Ensemble</td>
              <td className="num" />
              <td className="num">100 %</td>
              {metrics.map((metric) => (
                <td
                  key={metric}
                  className={`num ${isBest(metric, "ensemble") ? "best" : ""}`}
                  data-testid={`ensemble-test-${metric}`}
                >
                  {formatValue(metric, ensemble.test?.[metric])}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Horizontal bars of one metric: each member and the ensemble, the best marked, the gain said. */
export function MetricBars({ ensemble, metric }: { ensemble: Ensemble; metric: string }) {
  const comparison = compareMetric(
    metric,
    ensemble.members.map((m) => ({
      key: String(m.run),
      label: `${m.name || "run"} #${m.run}`,
      value: m.test?.[metric] ?? null,
    })),
    ensemble.test?.[metric] ?? null,
  );
  const values = comparison.bars.map((b) => b.value);
  const gain = ensemble.gain?.metric === metric ? gainText(ensemble.gain) : null;
  return (
    <section className="card-section" data-testid={`ensemble-bars-${metric}`}>
      <header className="chart-head">
        <h3>
          Test {metric.replace(/_/g, " ")}{" "}
          {!higherIsBetter(metric) && <span className="muted small">(lower is better) </span>}
          {gain && (
            <span className={`small ${(ensemble.gain?.value ?? 0) >= 0 ? "gain-up" : "gain-down"}`}>
              {gain} over the best member
            </span>
          )}
        </h3>
      </header>
      <div className="bars">
        {comparison.bars.map((b) => (
          <div key={b.key} style={{ display: "contents" }} data-testid={`bar-${b.key}`}>
            <span className={`bar-label small ${b.ensemble ? "ensemble" : ""}`}>{b.label}</span>
            <span className="bar-track">
              <span
                className={`bar-fill ${b.ensemble ? "ensemble" : ""} ${b.best ? "best" : ""}`}
                style={{ width: `${(barLength(b.value, values) * 100).toFixed(1)}%`, display: "block" }}
              />
            </span>
            <span className={`bar-value small ${b.best ? "best" : ""}`}>
              {formatValue(metric, b.value)}
              {b.best ? " ★" : ""}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}

function Sample({ s, memberNames }: { s: Disagreement; memberNames: Map<number, string> }) {
  const right = s.ensemble === s.truth;
  return (
    <figure
      className={`sample ${right ? "sample-right" : "sample-wrong"}`}
      data-testid={`disagree-${s.index}`}
    >
      {s.image && <img src={s.image} alt={`test sample ${s.index}`} />}
      <figcaption>
        <div>
          <span className="muted">true</span> <strong>{s.truth}</strong>
        </div>
        <div>
          <span className="muted">ensemble</span> <strong>{s.ensemble}</strong>
          {s.confidence !== null && <span className="muted"> {formatConfidence(s.confidence)}</span>}
        </div>
        <div className="votes">
          {s.members.map((v) => (
            <span
              key={v.run}
              className={`vote ${v.correct ? "right" : "wrong"}`}
              title={`${memberNames.get(v.run) ?? `run #${v.run}`} predicted ${v.prediction}`}
            >
              #{v.run} {v.prediction}
            </span>
          ))}
        </div>
      </figcaption>
    </figure>
  );
}

/** Where the members disagree: the majority wrong but the ensemble right, and the reverse. */
export function DisagreementSamples({ d, ensemble }: { d: Disagreements; ensemble: Ensemble }) {
  const names = new Map(ensemble.members.map((m) => [m.run, `${m.name || "run"} #${m.run}`]));
  const groups = [
    {
      key: "ensemble_right",
      title: "Most members wrong, the ensemble right",
      count: d.counts.ensemble_right,
      samples: d.ensemble_right,
    },
    {
      key: "ensemble_wrong",
      title: "Most members right, the ensemble wrong",
      count: d.counts.ensemble_wrong,
      samples: d.ensemble_wrong,
    },
  ];
  return (
    <section className="card-section" data-testid="ensemble-disagreements">
      <header className="chart-head">
        <h3>
          Where the members disagree <span className="muted small">({d.output}, test split)</span>
        </h3>
      </header>
      <div className="disagree-groups">
        {groups.map((g) => (
          <div key={g.key} data-testid={`disagree-${g.key}`}>
            <h4>
              {g.title}{" "}
              <span className="muted" data-testid={`disagree-count-${g.key}`}>
                {g.count.toLocaleString("en-US")} sample{g.count === 1 ? "" : "s"}
                {g.samples.length < g.count ? `, ${g.samples.length} shown` : ""}
              </span>
            </h4>
            {g.samples.length ? (
              <div className="sample-grid wide">
                {g.samples.map((s) => (
                  <Sample key={s.index} s={s} memberNames={names} />
                ))}
              </div>
            ) : (
              <p className="muted small">None.</p>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
