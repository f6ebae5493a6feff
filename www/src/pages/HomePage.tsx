// Home: DAG and run counts, the red import-error card when a file fails to
// import, and the state counts of recent runs and task instances.
import { useState } from "react";
import { Link } from "react-router-dom";

import { useDashboard, useImportErrors } from "../api/queries";
import { StateBadge } from "../components/StateBadge";
import { ErrorBanner, Loading } from "../components/Status";
import { stateColors } from "../state/states";
import { useTitle } from "../components/useTitle";
import { ImportErrorsDialog } from "./ImportErrorsDialog";

function StateBars({ title, counts }: { title: string; counts: Record<string, number> }) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const shown = Object.entries(counts).filter(([, n]) => n > 0);
  return (
    <section className="card" style={{ flex: 1, minWidth: 320 }}>
      <h2>{title}</h2>
      {shown.length === 0 ? <p className="muted">None in the last 24 hours.</p> : null}
      {shown.map(([state, n]) => (
        <div key={state} style={{ marginBottom: 10 }}>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <span>
              <StateBadge state={state} /> <strong>{n}</strong>
            </span>
            <span className="muted">{((100 * n) / total).toFixed(1)}%</span>
          </div>
          <div style={{ height: 6, background: "var(--surface-2)", borderRadius: 3, marginTop: 4 }}>
            <div style={{ width: `${(100 * n) / total}%`, height: 6, borderRadius: 3, background: stateColors[state] }} />
          </div>
        </div>
      ))}
    </section>
  );
}

export function HomePage() {
  useTitle("Home");
  const dashboard = useDashboard();
  const importErrors = useImportErrors();
  const [showErrors, setShowErrors] = useState(false);
  const errorCount = importErrors.data?.total_entries ?? 0;
  const d = dashboard.data;

  return (
    <>
      <h1>Welcome</h1>
      {dashboard.error ? <ErrorBanner error={dashboard.error} /> : null}
      <div className="cards">
        {errorCount > 0 ? (
          <button type="button" className="card stat-card import-errors" onClick={() => setShowErrors(true)} data-testid="import-errors-card">
            <span className="count">{errorCount}</span>
            <strong>Dag Import Errors</strong>
          </button>
        ) : null}
        <Link className="card stat-card" to="/dags?paused=active" data-testid="active-dags-card">
          <span className="count">{d?.dags.active ?? "–"}</span>
          <strong>Active Dags</strong>
        </Link>
        <Link className="card stat-card" to="/dags?paused=paused">
          <span className="count">{d?.dags.paused ?? "–"}</span>
          <strong>Paused Dags</strong>
        </Link>
        <div className="card stat-card">
          <span className="count" style={{ color: stateColors.failed }}>{d?.dags.failed ?? "–"}</span>
          <strong>Failed Dags</strong>
        </div>
        <div className="card stat-card">
          <span className="count" style={{ color: stateColors.running }}>{d?.active_dag_runs.running ?? "–"}</span>
          <strong>Running Runs</strong>
        </div>
        <div className="card stat-card">
          <span className="count">{d?.active_dag_runs.queued ?? "–"}</span>
          <strong>Queued Runs</strong>
        </div>
      </div>
      {dashboard.isPending ? <Loading what="statistics" /> : null}
      {d ? (
        <div style={{ display: "flex", gap: 12, flexWrap: "wrap" }}>
          <StateBars title="Dag Runs (last 24 hours)" counts={d.dag_run_states} />
          <StateBars title="Task Instances (last 24 hours)" counts={d.task_instance_states} />
        </div>
      ) : null}
      <ImportErrorsDialog open={showErrors} onClose={() => setShowErrors(false)} />
    </>
  );
}
