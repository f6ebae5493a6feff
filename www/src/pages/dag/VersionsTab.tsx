// The Versions tab: every registered version of the DAG, newest first, each
// opening its source in the Code tab.
import { Link } from "react-router-dom";

import { useDagVersions } from "../../api/queries";
import { formatDate } from "../../components/format";
import { ErrorBanner, Loading } from "../../components/Status";
import { dagPath } from "./paths";

export function VersionsTab({ dagId }: { dagId: string }) {
  const versions = useDagVersions(dagId);
  if (versions.error) return <ErrorBanner error={versions.error} />;
  if (!versions.data) return <Loading what="versions" />;
  return (
    <table className="table" data-testid="versions-table">
      <thead>
        <tr>
          <th>Version</th>
          <th>Registered</th>
          <th>Bundle</th>
          <th>Source</th>
        </tr>
      </thead>
      <tbody>
        {versions.data.dag_versions.map((v) => (
          <tr key={v.version_number}>
            <td>v{v.version_number}</td>
            <td>{formatDate(v.created_at)}</td>
            <td>{v.bundle_name ?? "–"}</td>
            <td>
              <Link to={`${dagPath(dagId, "code")}?version=${v.version_number}`}>View code</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
