// A task instance: state, tries, duration, operator; the log of each try
// (tailed while it runs), its XCom entries, its rendered templates; clear
// and mark success/failed. A mapped task without a map index lists its map
// indexes first.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";

import { markTaskInstance, type MarkState } from "../../api/mutations";
import { useStructure, useTaskInstance, useTries, useXComEntries } from "../../api/queries";
import type { TaskInstance } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { durationBetween, formatDate, formatDuration } from "../../components/format";
import { ClearIcon } from "../../components/Icons";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner, Loading } from "../../components/Status";
import { useTitle } from "../../components/useTitle";
import { activeStates } from "../../state/states";
import { ClearDialog } from "../dag/ClearDialog";
import { dagPath, runPath } from "../dag/paths";
import { LogViewer } from "./LogViewer";
import { MappedIndexes } from "./MappedIndexes";

type Tab = "logs" | "xcom" | "rendered" | "details";

function XComTab({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const xcom = useXComEntries(dagId, runId, taskId, mapIndex);
  if (xcom.error) return <ErrorBanner error={xcom.error} />;
  if (!xcom.data) return <Loading what="XCom" />;
  if (xcom.data.length === 0) return <p className="muted">This task instance pushed no XCom.</p>;
  return (
    <table className="table" data-testid="xcom-table">
      <thead>
        <tr>
          <th>Key</th>
          <th>Value</th>
          <th>Timestamp</th>
        </tr>
      </thead>
      <tbody>
        {xcom.data.map((entry) => (
          <tr key={entry.key}>
            <td className="mono">{entry.key}</td>
            <td>
              <pre className="json">{typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value, null, 2)}</pre>
            </td>
            <td>{formatDate(entry.timestamp)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RenderedTab({ ti }: { ti: TaskInstance }) {
  const fields = Object.entries(ti.rendered_fields ?? {});
  if (fields.length === 0) return <p className="muted">No rendered template fields (yet).</p>;
  return (
    <dl className="kv">
      {fields.map(([name, value]) => (
        <div key={name} style={{ display: "contents" }}>
          <dt className="mono">{name}</dt>
          <dd>
            <pre className="json">{typeof value === "string" ? value : JSON.stringify(value, null, 2)}</pre>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function DetailsTab({ ti }: { ti: TaskInstance }) {
  const rows: Array<[string, string]> = [
    ["Task", ti.task_id],
    ["Run", ti.dag_run_id],
    ["Map index", String(ti.map_index)],
    ["Operator", ti.operator_name ?? ti.operator ?? ""],
    ["Try number", String(ti.try_number)],
    ["Max tries", String(ti.max_tries)],
    ["Scheduled", formatDate(ti.scheduled_when)],
    ["Queued", formatDate(ti.queued_when)],
    ["Started", formatDate(ti.start_date)],
    ["Ended", formatDate(ti.end_date)],
    ["Hostname", ti.hostname ?? ""],
    ["PID", ti.pid === null ? "" : String(ti.pid)],
    ["Pool", ti.pool],
    ["Queue", ti.queue ?? ""],
    ["Dag version", ti.dag_version ? `v${ti.dag_version.version_number}` : ""],
    ["Note", ti.note ?? ""],
  ];
  return (
    <dl className="kv card">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: "contents" }}>
          <dt>{k}</dt>
          <dd className="mono">{v || "–"}</dd>
        </div>
      ))}
    </dl>
  );
}

export function TaskInstancePage() {
  const { dagId = "", runId = "", taskId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  useTitle(`${taskId} · ${dagId}`);
  const structure = useStructure(dagId);
  const mapIndexParam = search.get("map_index");
  const mapIndex = mapIndexParam === null ? -1 : Number(mapIndexParam);
  const isMapped = structure.data?.tasks.find((t) => t.task_id === taskId)?.is_mapped ?? false;

  if (isMapped && mapIndexParam === null) {
    return (
      <>
        <h1 className="mono">{taskId}</h1>
        <p>
          A mapped task in run <Link to={runPath(dagId, runId)}>{runId}</Link>: choose a map index.
        </p>
        <MappedIndexes dagId={dagId} runId={runId} taskId={taskId} />
      </>
    );
  }
  return <TaskInstanceView dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} search={search} setSearch={setSearch} />;
}

interface ViewProps {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  search: URLSearchParams;
  setSearch: (s: URLSearchParams, o?: { replace?: boolean }) => void;
}

function TaskInstanceView({ dagId, runId, taskId, mapIndex, search, setSearch }: ViewProps) {
  const ti = useTaskInstance(dagId, runId, taskId, mapIndex);
  const tries = useTries(dagId, runId, taskId, mapIndex);
  const queryClient = useQueryClient();
  const [clearing, setClearing] = useState(false);
  const [marking, setMarking] = useState<MarkState | null>(null);
  const tab = (search.get("tab") as Tab | null) ?? "logs";

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value === null) next.delete(name);
    else next.set(name, value);
    setSearch(next, { replace: true });
  };

  if (ti.error) return <ErrorBanner error={ti.error} />;
  if (!ti.data) return <Loading what="the task instance" />;
  const t = ti.data;
  const running = activeStates.has(t.state ?? "");
  const tryNumbers = Array.from(
    new Set([...(tries.data?.task_instances ?? []).map((x) => x.try_number), t.try_number].filter((n) => n > 0)),
  ).sort((a, b) => a - b);
  const selectedTry = Number(search.get("try") ?? t.try_number) || t.try_number;
  const duration = t.duration ?? durationBetween(t.start_date, t.end_date);

  const mark = async (state: MarkState) => {
    await markTaskInstance(queryClient, { dagId, runId, taskId, mapIndex }, state);
  };

  return (
    <>
      <section className="card header-card">
        <div className="title">
          <h1 className="mono" data-testid="ti-title">
            {t.task_display_name}
            {mapIndex >= 0 ? ` [${mapIndex}]` : ""}
          </h1>
          <span data-testid="ti-state">
            <StateBadge state={t.state} />
          </span>
          <div className="actions">
            <button type="button" className="btn" onClick={() => setClearing(true)}>
              <ClearIcon /> Clear
            </button>
            <button type="button" className="btn" onClick={() => setMarking("success")} disabled={t.state === "success"}>
              Mark success
            </button>
            <button type="button" className="btn" onClick={() => setMarking("failed")} disabled={t.state === "failed"}>
              Mark failed
            </button>
          </div>
        </div>
        <div className="header-facts">
          <div>
            <span className="label">Dag</span>
            <Link to={dagPath(dagId)}>{dagId}</Link>
          </div>
          <div>
            <span className="label">Run</span>
            <Link to={runPath(dagId, runId)} className="mono">
              {runId}
            </Link>
          </div>
          <div>
            <span className="label">Operator</span>
            <span>{t.operator_name ?? t.operator ?? "–"}</span>
          </div>
          <div>
            <span className="label">Tries</span>
            <span>
              {t.try_number} of {t.max_tries + 1}
            </span>
          </div>
          <div>
            <span className="label">Started</span>
            <span>{formatDate(t.start_date) || "–"}</span>
          </div>
          <div>
            <span className="label">Duration</span>
            <span>{formatDuration(duration) || "–"}</span>
          </div>
        </div>
      </section>

      <nav className="tabs" aria-label="Task instance views">
        {(
          [
            ["logs", "Logs"],
            ["xcom", "XCom"],
            ["rendered", "Rendered Templates"],
            ["details", "Details"],
          ] as const
        ).map(([id, label]) => (
          <Link key={id} to={`?${new URLSearchParams({ ...Object.fromEntries(search), tab: id })}`} className={tab === id ? "active" : ""} replace>
            {label}
          </Link>
        ))}
      </nav>

      {tab === "logs" ? (
        tryNumbers.length === 0 ? (
          <p className="muted">This task instance has not run yet.</p>
        ) : (
          <>
            <div className="toolbar" role="group" aria-label="Tries">
              {tryNumbers.map((n) => (
                <button
                  key={n}
                  type="button"
                  className={`btn small${n === selectedTry ? " primary" : ""}`}
                  aria-pressed={n === selectedTry}
                  onClick={() => setParam("try", String(n))}
                >
                  Try {n}
                </button>
              ))}
            </div>
            <LogViewer
              dagId={dagId}
              runId={runId}
              taskId={taskId}
              mapIndex={mapIndex}
              tryNumber={selectedTry}
              running={running && selectedTry === t.try_number}
            />
          </>
        )
      ) : null}
      {tab === "xcom" ? <XComTab dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} /> : null}
      {tab === "rendered" ? <RenderedTab ti={t} /> : null}
      {tab === "details" ? <DetailsTab ti={t} /> : null}

      <ClearDialog open={clearing} onClose={() => setClearing(false)} dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />
      <ConfirmDialog
        open={marking !== null}
        title={`Mark ${taskId} ${marking}?`}
        confirmLabel={`Mark ${marking}`}
        onClose={() => setMarking(null)}
        onConfirm={() => mark(marking ?? "success")}
      >
        <p>
          The task instance becomes <strong>{marking}</strong>; its downstream tasks are scheduled by their trigger rules.
        </p>
      </ConfirmDialog>
    </>
  );
}

