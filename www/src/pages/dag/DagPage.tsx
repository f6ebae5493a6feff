// A DAG's page: the header (schedule, latest and next run, max active runs,
// owner, tags, latest version), the actions (trigger, pause, delete) and the
// Grid / Graph / Runs / Tasks / Code / Details / Versions tabs. When a new
// version registers while the page is open, the structure refreshes by
// itself and a notice says so.
import { useState } from "react";
import { Link, NavLink, useNavigate, useParams, useSearchParams } from "react-router-dom";

import { api, apiPath } from "../../api/client";
import { useDag, useDagDetails, useRecentRuns } from "../../api/queries";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { formatDate } from "../../components/format";
import { PlayIcon, TrashIcon } from "../../components/Icons";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner, isNotFound, Loading } from "../../components/Status";
import { useTitle } from "../../components/useTitle";
import { useLiveEvents } from "../../live/LiveProvider";
import { PauseToggle } from "../DagListPage";
import { CodeTab } from "./CodeTab";
import { DetailsTab } from "./DetailsTab";
import { GraphView } from "./GraphView";
import { GridView } from "./GridView";
import { dagPath, runPath } from "./paths";
import { RunsTab } from "./RunsTab";
import { TasksTab } from "./TasksTab";
import { TriggerDialog } from "./TriggerDialog";
import { VersionsTab } from "./VersionsTab";

const tabs = [
  { id: "grid", label: "Grid" },
  { id: "graph", label: "Graph" },
  { id: "runs", label: "Runs" },
  { id: "tasks", label: "Tasks" },
  { id: "code", label: "Code" },
  { id: "details", label: "Details" },
  { id: "versions", label: "Versions" },
] as const;

type TabId = (typeof tabs)[number]["id"];

function DagHeader({ dagId, onTrigger, onDelete }: { dagId: string; onTrigger: () => void; onDelete: () => void }) {
  const dag = useDag(dagId);
  const details = useDagDetails(dagId);
  const recent = useRecentRuns([dagId]);
  if (!dag.data) return null;
  const d = dag.data;
  const latest = recent.data?.dag_runs[dagId]?.[0];
  return (
    <section className="card header-card">
      <div className="title">
        <PauseToggle dag={d} />
        <h1 data-testid="dag-title">{d.dag_display_name}</h1>
        {d.is_paused ? <span className="tag">paused</span> : null}
        {d.has_import_errors ? <span className="error-text">the file fails to import; the last good version is shown</span> : null}
        <div className="actions">
          <button type="button" className="btn primary" onClick={onTrigger} data-testid="trigger-button">
            <PlayIcon /> Trigger
          </button>
          <button type="button" className="btn danger" onClick={onDelete} aria-label={`Delete ${dagId}`}>
            <TrashIcon /> Delete
          </button>
        </div>
      </div>
      {d.description ? <p className="muted" style={{ margin: 0 }}>{d.description}</p> : null}
      <div className="header-facts">
        <div>
          <span className="label">Schedule</span>
          <span className="mono" title={d.timetable_description ?? undefined}>{d.timetable_summary ?? "None"}</span>
        </div>
        <div>
          <span className="label">Latest Run</span>
          {latest ? (
            <Link to={runPath(dagId, latest.run_id)}>
              {formatDate(latest.run_after)} <StateBadge state={latest.state} />
            </Link>
          ) : (
            <span className="muted">Never</span>
          )}
        </div>
        <div>
          <span className="label">Next Run</span>
          <span>{formatDate(d.next_dagrun_run_after) || "–"}</span>
        </div>
        <div>
          <span className="label">Max Active Runs</span>
          <span>
            {details.data ? `${details.data.active_runs_count} of ${d.max_active_runs}` : d.max_active_runs}
          </span>
        </div>
        <div>
          <span className="label">Owner</span>
          <span>{d.owners.join(", ")}</span>
        </div>
        <div>
          <span className="label">Tags</span>
          <span>{d.tags.length ? d.tags.map((t) => <span key={t.name} className="tag">{t.name}</span>) : "–"}</span>
        </div>
        <div>
          <span className="label">Latest Dag Version</span>
          <span data-testid="latest-version">
            {details.data?.latest_dag_version ? `v${details.data.latest_dag_version.version_number}` : "–"}
          </span>
        </div>
      </div>
    </section>
  );
}

export function DagPage() {
  const { dagId = "", tab } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const dag = useDag(dagId);
  useTitle(dagId);
  const [triggerOpen, setTriggerOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [versionNotice, setVersionNotice] = useState<number | null>(null);
  const [removed, setRemoved] = useState(false);

  useLiveEvents((event) => {
    if (event.type === "dag_version" && event.dag_id === dagId) setVersionNotice(event.version_number);
    if (event.type === "dag_removed" && event.dag_id === dagId) setRemoved(true);
  });

  const active: TabId = tabs.some((t) => t.id === tab) ? (tab as TabId) : "grid";
  const selectedRun = search.get("run_id");
  const codeVersion = search.get("version") ? Number(search.get("version")) : undefined;
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value === null) next.delete(name);
    else next.set(name, value);
    setSearch(next, { replace: true });
  };

  if (dag.error && isNotFound(dag.error))
    return (
      <div className="banner-error" role="alert">
        There is no Dag <code>{dagId}</code>{removed ? " any more: it was removed" : ""}. <Link to="/dags">All Dags</Link>
      </div>
    );
  if (dag.error) return <ErrorBanner error={dag.error} />;
  if (!dag.data) return <Loading what={dagId} />;

  return (
    <>
      <DagHeader dagId={dagId} onTrigger={() => setTriggerOpen(true)} onDelete={() => setDeleteOpen(true)} />
      {versionNotice !== null ? (
        <div className="notice" role="status" data-testid="version-notice">
          <span>
            Version {versionNotice} of this DAG was registered; the grid and graph now show it.
          </span>
          <button type="button" className="btn small" onClick={() => setVersionNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <nav className="tabs" aria-label="Dag views">
        {tabs.map((t) => (
          <NavLink key={t.id} to={dagPath(dagId, t.id === "grid" ? undefined : t.id)} end className={t.id === active ? "active" : ""}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      {active === "grid" ? <GridView dagId={dagId} selectedRunId={selectedRun} /> : null}
      {active === "graph" ? <GraphView dagId={dagId} runId={selectedRun} onSelectRun={(r) => setParam("run_id", r)} /> : null}
      {active === "runs" ? <RunsTab dagId={dagId} /> : null}
      {active === "tasks" ? <TasksTab dagId={dagId} /> : null}
      {active === "code" ? (
        <CodeTab dagId={dagId} version={codeVersion} onVersion={(v) => setParam("version", v === undefined ? null : String(v))} />
      ) : null}
      {active === "details" ? <DetailsTab dagId={dagId} /> : null}
      {active === "versions" ? <VersionsTab dagId={dagId} /> : null}

      <TriggerDialog dagId={dagId} open={triggerOpen} onClose={() => setTriggerOpen(false)} />
      <ConfirmDialog
        open={deleteOpen}
        title={`Delete ${dagId}?`}
        confirmLabel="Delete"
        danger
        onClose={() => setDeleteOpen(false)}
        onConfirm={async () => {
          await api.delete(apiPath("/api/v2/dags", dagId));
          navigate("/dags");
        }}
      >
        <p>
          This removes the DAG's versions, runs, task instances, XComs and logs from Lite. The DAG file on disk is not
          touched: saving it again registers the DAG anew.
        </p>
      </ConfirmDialog>
    </>
  );
}
