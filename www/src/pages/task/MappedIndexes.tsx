// The map indexes of a mapped task in one run, each opening its own task
// instance page.
import { Link } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";

import { api, apiPath } from "../../api/client";
import type { TaskInstanceCollection } from "../../api/types";
import { formatDuration } from "../../components/format";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner, Loading } from "../../components/Status";
import { taskInstancePath } from "../dag/paths";

export function MappedIndexes({ dagId, runId, taskId }: { dagId: string; runId: string; taskId: string }) {
  const list = useQuery({
    queryKey: ["taskInstances", dagId, runId, "mapped", taskId],
    queryFn: () =>
      api.get<TaskInstanceCollection>(apiPath("/api/v2/dags", dagId, "dagRuns", runId, "taskInstances"), {
        task_id: taskId,
        limit: 1000,
        order_by: "map_index",
      }),
  });
  if (list.error) return <ErrorBanner error={list.error} />;
  if (!list.data) return <Loading what="map indexes" />;
  if (list.data.task_instances.length === 0) return <p className="muted">Not expanded yet: its upstream has not produced the values to map over.</p>;
  return (
    <table className="table" data-testid="mapped-indexes">
      <thead>
        <tr>
          <th>Map Index</th>
          <th>State</th>
          <th>Try</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {list.data.task_instances.map((ti) => (
          <tr key={ti.map_index}>
            <td>
              <Link to={taskInstancePath(dagId, runId, taskId, ti.map_index)}>{ti.rendered_map_index ?? ti.map_index}</Link>
            </td>
            <td>
              <StateBadge state={ti.state} />
            </td>
            <td className="num">{ti.try_number}</td>
            <td className="num">{formatDuration(ti.duration)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
