// The DAG list: search by id, filter by tag and paused state, pause toggles,
// last run state, next run, schedule, owner, tags, trigger, pagination. The
// filters live in the URL so a view can be shared and reloaded.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";

import { setDagPaused } from "../api/mutations";
import { useDags, useDagTags, useRecentRuns, type DagListParams } from "../api/queries";
import type { Dag } from "../api/types";
import { formatDate } from "../components/format";
import { PlayIcon } from "../components/Icons";
import { Pagination } from "../components/Pagination";
import { StateBadge } from "../components/StateBadge";
import { ErrorBanner, Loading } from "../components/Status";
import { Toggle } from "../components/Toggle";
import { useTitle } from "../components/useTitle";
import { TriggerDialog } from "./dag/TriggerDialog";

const pageSize = 25;

function useListParams(): [DagListParams, (change: Partial<DagListParams>) => void] {
  const [search, setSearch] = useSearchParams();
  const paused = search.get("paused");
  const params: DagListParams = {
    search: search.get("search") ?? "",
    tag: search.get("tag") ?? "",
    paused: paused === "active" || paused === "paused" ? paused : "all",
    limit: pageSize,
    offset: Number(search.get("offset") ?? 0) || 0,
  };
  const update = (change: Partial<DagListParams>) => {
    const next = { ...params, ...change };
    if (!("offset" in change)) next.offset = 0;
    const query = new URLSearchParams();
    if (next.search) query.set("search", next.search);
    if (next.tag) query.set("tag", next.tag);
    if (next.paused !== "all") query.set("paused", next.paused);
    if (next.offset) query.set("offset", String(next.offset));
    setSearch(query, { replace: true });
  };
  return [params, update];
}

export function PauseToggle({ dag }: { dag: Dag }) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (active: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await setDagPaused(queryClient, dag.dag_id, !active);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Toggle
        checked={!dag.is_paused}
        onChange={change}
        disabled={busy}
        label={dag.is_paused ? `Unpause ${dag.dag_id}` : `Pause ${dag.dag_id}`}
      />
      {error ? (
        <span className="error-text" role="alert">
          {" "}
          {error}
        </span>
      ) : null}
    </>
  );
}

function SearchBox({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => onChange(text), 250);
    return () => window.clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <input
      type="search"
      className="search"
      placeholder="Search Dags"
      aria-label="Search Dags"
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

export function DagListPage() {
  useTitle("Dags");
  const [params, update] = useListParams();
  const dags = useDags(params);
  const tags = useDagTags();
  const list = dags.data?.dags ?? [];
  const recent = useRecentRuns(list.map((d) => d.dag_id));
  const [triggering, setTriggering] = useState<string | null>(null);
  const navigate = useNavigate();

  return (
    <>
      <h1>Dags</h1>
      <div className="toolbar">
        <SearchBox value={params.search} onChange={(search) => update({ search })} />
        <div className="segmented" role="group" aria-label="Paused state">
          {(["all", "active", "paused"] as const).map((p) => (
            <button key={p} type="button" aria-pressed={params.paused === p} onClick={() => update({ paused: p })}>
              {p === "all" ? "All" : p === "active" ? "Active" : "Paused"}
            </button>
          ))}
        </div>
        <select aria-label="Filter by tag" value={params.tag} onChange={(e) => update({ tag: e.target.value })}>
          <option value="">All tags</option>
          {(tags.data?.tags ?? []).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <span className="grow" />
        <span className="muted">{dags.data ? `${dags.data.total_entries} Dags` : ""}</span>
      </div>
      {dags.error ? <ErrorBanner error={dags.error} /> : null}
      {dags.isPending ? <Loading what="Dags" /> : null}
      {dags.data ? (
        <table className="table" data-testid="dag-list">
          <thead>
            <tr>
              <th style={{ width: 50 }}>Active</th>
              <th>Dag</th>
              <th>Schedule</th>
              <th>Owner</th>
              <th>Latest Run</th>
              <th>Next Run</th>
              <th style={{ width: 60 }}>
                <span className="muted">Run</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No Dags match.
                </td>
              </tr>
            ) : null}
            {list.map((dag) => {
              const last = recent.data?.dag_runs[dag.dag_id]?.[0];
              return (
                <tr key={dag.dag_id} data-testid={`dag-row-${dag.dag_id}`}>
                  <td>
                    <PauseToggle dag={dag} />
                  </td>
                  <td>
                    <Link to={`/dags/${encodeURIComponent(dag.dag_id)}`}>
                      <strong>{dag.dag_display_name}</strong>
                    </Link>
                    {dag.has_import_errors ? <span className="error-text"> · import error</span> : null}
                    <div>
                      {dag.tags.map((t) => (
                        <button key={t.name} type="button" className="tag" onClick={() => update({ tag: t.name })}>
                          {t.name}
                        </button>
                      ))}
                    </div>
                  </td>
                  <td className="mono" title={dag.timetable_description ?? undefined}>
                    {dag.timetable_summary ?? <span className="muted">None</span>}
                  </td>
                  <td>{dag.owners.join(", ")}</td>
                  <td>
                    {last ? (
                      <Link to={`/dags/${encodeURIComponent(dag.dag_id)}/runs/${encodeURIComponent(last.run_id)}`}>
                        <StateBadge state={last.state} /> {formatDate(last.run_after)}
                      </Link>
                    ) : (
                      <span className="muted">Never</span>
                    )}
                  </td>
                  <td>{formatDate(dag.next_dagrun_run_after) || <span className="muted">–</span>}</td>
                  <td>
                    <button type="button" className="icon-btn" aria-label={`Trigger ${dag.dag_id}`} title="Trigger" onClick={() => setTriggering(dag.dag_id)}>
                      <PlayIcon />
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {dags.data ? (
        <Pagination offset={params.offset} limit={params.limit} total={dags.data.total_entries} onChange={(offset) => update({ offset })} />
      ) : null}
      {triggering ? (
        <TriggerDialog
          dagId={triggering}
          open
          onClose={() => setTriggering(null)}
          onTriggered={() => navigate(`/dags/${encodeURIComponent(triggering)}`)}
        />
      ) : null}
    </>
  );
}
