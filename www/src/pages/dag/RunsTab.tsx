// The Runs tab: every run of the DAG, newest first, paginated.
import { useState } from "react";
import { Link } from "react-router-dom";

import { runsPageSize, useDagRuns } from "../../api/queries";
import { formatDate, formatDuration } from "../../components/format";
import { Pagination } from "../../components/Pagination";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner, Loading } from "../../components/Status";
import { runPath } from "./paths";

export function RunsTab({ dagId }: { dagId: string }) {
  const [offset, setOffset] = useState(0);
  const runs = useDagRuns(dagId, offset);
  if (runs.error) return <ErrorBanner error={runs.error} />;
  if (!runs.data) return <Loading what="runs" />;
  return (
    <>
      <h2>{runs.data.total_entries} Dag Runs</h2>
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th>Dag Run ID</th>
            <th>State</th>
            <th>Run Type</th>
            <th>Run After</th>
            <th>Start Date</th>
            <th>Duration</th>
            <th>Dag Version</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.dag_runs.map((run) => (
            <tr key={run.dag_run_id}>
              <td>
                <Link to={runPath(dagId, run.dag_run_id)} className="mono">
                  {run.dag_run_id}
                </Link>
              </td>
              <td>
                <StateBadge state={run.state} />
              </td>
              <td>{run.run_type}</td>
              <td>{formatDate(run.run_after)}</td>
              <td>{formatDate(run.start_date)}</td>
              <td className="num">{formatDuration(run.duration)}</td>
              <td>{run.dag_versions.map((v) => `v${v.version_number}`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination offset={offset} limit={runsPageSize} total={runs.data.total_entries} onChange={setOffset} />
    </>
  );
}
