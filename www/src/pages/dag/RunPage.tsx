// A DAG run: its state, type, dates, conf and note, its task instances, and
// the run-level actions (clear with preview, mark success or failed, delete).
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { deleteRun, markRun, type MarkState } from "../../api/mutations";
import { useDagRun, useTaskInstances } from "../../api/queries";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { formatDate, formatDuration } from "../../components/format";
import { ClearIcon, TrashIcon } from "../../components/Icons";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner, Loading } from "../../components/Status";
import { useTitle } from "../../components/useTitle";
import { ClearDialog } from "./ClearDialog";
import { dagPath, taskInstancePath } from "./paths";


export function RunPage() {
  const { dagId = "", runId = "" } = useParams();
  const run = useDagRun(dagId, runId);
  useTitle(`${dagId} · ${runId}`);
  const tis = useTaskInstances(dagId, runId);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [clearing, setClearing] = useState(false);
  const [marking, setMarking] = useState<MarkState | null>(null);
  const [deleting, setDeleting] = useState(false);

  if (run.error) return <ErrorBanner error={run.error} />;
  if (!run.data) return <Loading what="the run" />;
  const r = run.data;

  const mark = async (state: MarkState) => {
    await markRun(queryClient, dagId, runId, state);
  };

  return (
    <>
      <section className="card header-card">
        <div className="title">
          <h1 className="mono" style={{ fontSize: 18 }}>{r.dag_run_id}</h1>
          <StateBadge state={r.state} />
          <div className="actions">
            <button type="button" className="btn" onClick={() => setClearing(true)}>
              <ClearIcon /> Clear run
            </button>
            <button type="button" className="btn" onClick={() => setMarking("success")} disabled={r.state === "success"}>
              Mark success
            </button>
            <button type="button" className="btn" onClick={() => setMarking("failed")} disabled={r.state === "failed"}>
              Mark failed
            </button>
            <button type="button" className="btn danger" onClick={() => setDeleting(true)} aria-label="Delete run">
              <TrashIcon />
            </button>
          </div>
        </div>
        <div className="header-facts">
          <div>
            <span className="label">Dag</span>
            <Link to={dagPath(dagId)}>{dagId}</Link>
          </div>
          <div>
            <span className="label">Run Type</span>
            <span>{r.run_type}</span>
          </div>
          <div>
            <span className="label">Run After</span>
            <span>{formatDate(r.run_after)}</span>
          </div>
          <div>
            <span className="label">Logical Date</span>
            <span>{formatDate(r.logical_date) || "–"}</span>
          </div>
          <div>
            <span className="label">Start</span>
            <span>{formatDate(r.start_date) || "–"}</span>
          </div>
          <div>
            <span className="label">End</span>
            <span>{formatDate(r.end_date) || "–"}</span>
          </div>
          <div>
            <span className="label">Duration</span>
            <span>{formatDuration(r.duration) || "–"}</span>
          </div>
          <div>
            <span className="label">Dag Version</span>
            <span>{r.dag_versions.map((v) => `v${v.version_number}`).join(", ") || "–"}</span>
          </div>
          <div>
            <span className="label">Triggered By</span>
            <span>{[r.triggered_by, r.triggering_user_name].filter(Boolean).join(" · ") || "–"}</span>
          </div>
        </div>
        {r.note ? <p style={{ margin: 0 }}>{r.note}</p> : null}
      </section>

      <h2 style={{ marginTop: 18 }}>Task Instances</h2>
      {tis.error ? <ErrorBanner error={tis.error} /> : null}
      {tis.data ? (
        <table className="table" data-testid="run-task-instances">
          <thead>
            <tr>
              <th>Task</th>
              <th>Map Index</th>
              <th>State</th>
              <th>Try</th>
              <th>Start</th>
              <th>Duration</th>
              <th>Operator</th>
            </tr>
          </thead>
          <tbody>
            {tis.data.task_instances.map((ti) => (
              <tr key={`${ti.task_id}:${ti.map_index}`}>
                <td>
                  <Link className="mono" to={taskInstancePath(dagId, runId, ti.task_id, ti.map_index)}>
                    {ti.task_display_name}
                  </Link>
                </td>
                <td className="num">{ti.map_index >= 0 ? ti.map_index : ""}</td>
                <td>
                  <StateBadge state={ti.state} />
                </td>
                <td className="num">{ti.try_number}</td>
                <td>{formatDate(ti.start_date)}</td>
                <td className="num">{formatDuration(ti.duration)}</td>
                <td>{ti.operator_name ?? ti.operator ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Loading what="task instances" />
      )}

      <h2 style={{ marginTop: 18 }}>Conf</h2>
      <pre className="json">{JSON.stringify(r.conf ?? {}, null, 2)}</pre>

      <ClearDialog open={clearing} onClose={() => setClearing(false)} dagId={dagId} runId={runId} />
      <ConfirmDialog
        open={marking !== null}
        title={`Mark run ${marking}?`}
        confirmLabel={`Mark ${marking}`}
        onClose={() => setMarking(null)}
        onConfirm={() => mark(marking ?? "success")}
      >
        <p>
          The run becomes <strong>{marking}</strong>. As in Airflow, its unfinished task instances follow:{" "}
          {marking === "success" ? "they are marked success." : "running ones are stopped and failed, the rest skipped."}
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting}
        title="Delete this run?"
        confirmLabel="Delete run"
        danger
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await deleteRun(queryClient, dagId, runId);
          navigate(dagPath(dagId));
        }}
      >
        <p>The run, its task instances, XComs and logs are deleted.</p>
      </ConfirmDialog>
    </>
  );
}
