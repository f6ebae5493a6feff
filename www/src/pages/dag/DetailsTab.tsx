// The Details tab: the DAG's settings, its params and default args, and its
// doc_md rendered as Markdown.
import { lazy, Suspense } from "react";

import { useDagDetails } from "../../api/queries";
import { formatDate } from "../../components/format";
import { ErrorBanner, Loading } from "../../components/Status";

const Markdown = lazy(() => import("../../components/Markdown"));

export function DetailsTab({ dagId }: { dagId: string }) {
  const details = useDagDetails(dagId);
  if (details.error) return <ErrorBanner error={details.error} />;
  if (!details.data) return <Loading what="details" />;
  const d = details.data;
  const params = Object.entries(d.params ?? {});
  return (
    <div style={{ display: "grid", gap: 14 }}>
      {d.doc_md ? (
        <section className="card markdown" data-testid="doc-md">
          <Suspense fallback={<Loading />}>
            <Markdown text={d.doc_md} />
          </Suspense>
        </section>
      ) : null}
      <section className="card">
        <h2>Dag</h2>
        <dl className="kv">
          <dt>Description</dt>
          <dd>{d.description ?? <span className="muted">None</span>}</dd>
          <dt>Schedule</dt>
          <dd className="mono">
            {d.timetable_summary ?? "None"} {d.timetable_description ? <span className="muted">({d.timetable_description})</span> : null}
          </dd>
          <dt>Start date</dt>
          <dd>{formatDate(d.start_date) || "–"}</dd>
          <dt>End date</dt>
          <dd>{formatDate(d.end_date) || "–"}</dd>
          <dt>Catchup</dt>
          <dd>{String(d.catchup)}</dd>
          <dt>Max active runs</dt>
          <dd>{d.max_active_runs}</dd>
          <dt>Max active tasks</dt>
          <dd>{d.max_active_tasks}</dd>
          <dt>Run timeout</dt>
          <dd>{d.dag_run_timeout ?? "–"}</dd>
          <dt>Timezone</dt>
          <dd>{d.timezone ?? "UTC"}</dd>
          <dt>File</dt>
          <dd className="mono">{d.fileloc}</dd>
          <dt>Bundle</dt>
          <dd>{d.bundle_name ?? "–"}</dd>
          <dt>Last parsed</dt>
          <dd>{formatDate(d.last_parsed_time)}</dd>
        </dl>
      </section>
      <section className="card">
        <h2>Params</h2>
        {params.length === 0 ? (
          <p className="muted">This DAG has no params.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Default</th>
                <th>Schema</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {params.map(([name, p]) => (
                <tr key={name}>
                  <td className="mono">{name}</td>
                  <td className="mono">{JSON.stringify(p.value)}</td>
                  <td className="mono">{JSON.stringify(p.schema ?? {})}</td>
                  <td>{p.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Default args</h2>
        <pre className="json">{JSON.stringify(d.default_args ?? {}, null, 2)}</pre>
      </section>
    </div>
  );
}
