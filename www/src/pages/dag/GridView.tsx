// The Grid tab: recent runs as columns (bar height = duration, colour =
// state), the task tree as rows with collapsible task groups, and one square
// per task instance; mapped tasks and groups show the summary of their
// states. A square opens its task instance; a bar opens its run.
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";

import { useGrid, useStructure } from "../../api/queries";
import type { RunSummary } from "../../api/types";
import { formatDate, formatDuration } from "../../components/format";
import { ChevronDown, ChevronRight } from "../../components/Icons";
import { ErrorBanner, Loading } from "../../components/Status";
import {
  buildTree,
  cellSummary,
  describeCounts,
  indexTaskInstances,
  runDurationSeconds,
  runsOldestFirst,
  visibleRows,
  type GridRow,
} from "../../state/grid";
import { stateColors, statePriority, stateLabel } from "../../state/states";
import { runPath, taskInstancePath } from "./paths";

const runsShown = 25;
const barMaxHeight = 80;

function RunBar({ dagId, run, longest, selected }: { dagId: string; run: RunSummary; longest: number; selected: boolean }) {
  const seconds = runDurationSeconds(run, Date.now()) ?? 0;
  const height = Math.max(4, longest > 0 ? (seconds / longest) * barMaxHeight : 4);
  return (
    <Link
      to={runPath(dagId, run.run_id)}
      className={`run-bar${selected ? " selected" : ""}`}
      style={{ height, background: stateColors[run.state] ?? "#808080" }}
      title={`${run.run_id}\n${stateLabel(run.state)} · ${formatDate(run.run_after)} · ${formatDuration(seconds)}`}
      aria-label={`Run ${run.run_id}: ${stateLabel(run.state)}`}
      data-run-id={run.run_id}
      data-state={run.state}
    />
  );
}

function TaskLabel({ row, onToggle }: { row: GridRow; onToggle: (id: string) => void }) {
  const indent = { paddingLeft: 10 + row.depth * 16 };
  if (row.node.kind === "group") {
    return (
      <th scope="row" className="task-cell" style={indent}>
        <button type="button" className="group-toggle" onClick={() => onToggle(row.node.id)} aria-expanded={row.expanded}>
          {row.expanded ? <ChevronDown /> : <ChevronRight />}
          {row.node.label}
        </button>
      </th>
    );
  }
  return (
    <th scope="row" className="task-cell" style={indent}>
      <span className="task-label" title={row.node.operator ?? undefined}>
        {row.node.label}
        {row.node.isMapped ? <span className="mapped">[ ]</span> : null}
      </span>
    </th>
  );
}

export function GridView({ dagId, selectedRunId }: { dagId: string; selectedRunId: string | null }) {
  const grid = useGrid(dagId, runsShown);
  const structure = useStructure(dagId);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());

  const tree = useMemo(() => (structure.data ? buildTree(structure.data) : []), [structure.data]);
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const index = useMemo(() => indexTaskInstances(grid.data?.task_instances ?? []), [grid.data]);
  const runs = useMemo(() => (grid.data ? runsOldestFirst(grid.data) : []), [grid.data]);
  const longest = Math.max(0, ...runs.map((r) => runDurationSeconds(r, Date.now()) ?? 0));

  const toggle = (id: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  if (grid.error) return <ErrorBanner error={grid.error} />;
  if (structure.error) return <ErrorBanner error={structure.error} />;
  if (!grid.data || !structure.data) return <Loading what="the grid" />;

  return (
    <div className="grid-wrap">
      <table className="grid" data-testid="grid">
        <thead>
          <tr>
            <th className="task-cell run-bar-cell" style={{ paddingLeft: 10, verticalAlign: "bottom", textAlign: "left" }}>
              <span className="muted">{runs.length === 0 ? "No runs yet: trigger one." : `${runs.length} run${runs.length === 1 ? "" : "s"}`}</span>
            </th>
            {runs.map((run) => (
              <th key={run.run_id} className="run-head run-bar-cell">
                <RunBar dagId={dagId} run={run} longest={longest} selected={run.run_id === selectedRunId} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.node.id}>
              <TaskLabel row={row} onToggle={toggle} />
              {runs.map((run) => {
                const cell = cellSummary(index, run.run_id, row.node);
                const state = cell.state ?? "no_status";
                const title = `${row.node.id} · ${run.run_id}\n${cell.total > 1 ? describeCounts(cell.counts) : stateLabel(cell.state)}`;
                const style = { background: stateColors[state] };
                const common = {
                  className: `square${run.run_id === selectedRunId ? " selected" : ""}`,
                  style,
                  title,
                  "data-state": state,
                  "data-task-id": row.node.id,
                  "data-run-id": run.run_id,
                };
                return (
                  <td key={run.run_id} className="cell">
                    {row.node.kind === "task" && cell.total > 0 ? (
                      <Link {...common} to={taskInstancePath(dagId, run.run_id, row.node.id)} aria-label={`${row.node.id} in ${run.run_id}: ${stateLabel(cell.state)}`} />
                    ) : (
                      <span {...common} />
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="legend">
        {statePriority
          .filter((s) => s !== "no_status")
          .map((s) => (
            <span key={s}>
              <span className="legend-swatch" style={{ background: stateColors[s] }} />
              {stateLabel(s)}
            </span>
          ))}
      </div>
    </div>
  );
}
