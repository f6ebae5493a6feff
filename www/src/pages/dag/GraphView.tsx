// The Graph tab: the DAG laid out left to right (dagre), task groups as
// boxes, edges with arrows, each task outlined in its state's colour for the
// chosen run. Tasks are focusable; Enter opens the task instance.
import { useMemo } from "react";
import { useNavigate } from "react-router-dom";

import { useGrid, useStructure } from "../../api/queries";
import { formatDate } from "../../components/format";
import { ErrorBanner, Loading } from "../../components/Status";
import { cellSummary, indexTaskInstances } from "../../state/grid";
import { layoutGraph, type LaidOutEdge } from "../../state/graphLayout";
import { stateColors, stateLabel } from "../../state/states";
import { taskInstancePath } from "./paths";

function edgePath(edge: LaidOutEdge): string {
  const [first, ...rest] = edge.points;
  if (!first) return "";
  return `M${first.x},${first.y}` + rest.map((p) => ` L${p.x},${p.y}`).join("");
}

interface GraphViewProps {
  dagId: string;
  runId: string | null;
  onSelectRun: (runId: string | null) => void;
}

export function GraphView({ dagId, runId, onSelectRun }: GraphViewProps) {
  const structure = useStructure(dagId);
  const grid = useGrid(dagId, 25);
  const navigate = useNavigate();
  const layout = useMemo(() => (structure.data ? layoutGraph(structure.data) : null), [structure.data]);
  const index = useMemo(() => indexTaskInstances(grid.data?.task_instances ?? []), [grid.data]);
  const runs = grid.data?.dag_runs ?? [];
  const shownRun = runId ?? runs[0]?.run_id ?? null;

  if (structure.error) return <ErrorBanner error={structure.error} />;
  if (!layout || !structure.data) return <Loading what="the graph" />;

  const open = (taskId: string) => {
    if (shownRun) navigate(taskInstancePath(dagId, shownRun, taskId));
  };

  return (
    <>
      <div className="toolbar">
        <label htmlFor="graph-run">Run</label>
        <select id="graph-run" value={shownRun ?? ""} onChange={(e) => onSelectRun(e.target.value || null)}>
          {runs.length === 0 ? <option value="">No runs yet</option> : null}
          {runs.map((r) => (
            <option key={r.run_id} value={r.run_id}>
              {formatDate(r.run_after)} · {r.run_id} · {stateLabel(r.state)}
            </option>
          ))}
        </select>
        <span className="muted">Version {structure.data.version_number}</span>
      </div>
      <div className="graph-wrap graph">
        <svg
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="group"
          aria-label={`Graph of ${dagId}`}
          data-testid="graph"
          data-version={structure.data.version_number}
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="arrow" />
            </marker>
          </defs>
          {layout.groups.map((g) => (
            <g key={g.id} data-group-id={g.id}>
              <rect className="group-box" x={g.x} y={g.y} width={g.width} height={g.height} rx={10} />
              <text className="group-label" x={g.x + 10} y={g.y + 15}>
                {g.label}
              </text>
            </g>
          ))}
          {layout.edges.map((e) => (
            <path key={`${e.source}->${e.target}`} className="edge" d={edgePath(e)} markerEnd="url(#arrow)" />
          ))}
          {layout.tasks.map((t) => {
            const cell = shownRun
              ? cellSummary(index, shownRun, { kind: "task", id: t.id, label: t.label, operator: t.operator, isMapped: t.isMapped })
              : null;
            const state = cell?.state ?? null;
            const color = state && state !== "no_status" ? stateColors[state] : undefined;
            return (
              <g
                key={t.id}
                className="node"
                transform={`translate(${t.x},${t.y})`}
                tabIndex={0}
                role="link"
                aria-label={`${t.id}${state ? `: ${stateLabel(state)}` : ""}`}
                data-task-id={t.id}
                data-state={state ?? "no_status"}
                onClick={() => open(t.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") open(t.id);
                }}
              >
                <rect width={t.width} height={t.height} rx={8} style={color ? { stroke: color, strokeWidth: 3 } : undefined} />
                <text className="label" x={12} y={19}>
                  {t.label}
                  {t.isMapped ? " [ ]" : ""}
                </text>
                <text className="operator" x={12} y={35}>
                  {t.operator ?? ""}
                  {state ? ` · ${stateLabel(state)}` : ""}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </>
  );
}
