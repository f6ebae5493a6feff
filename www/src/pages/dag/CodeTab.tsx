// The Code tab: the source of a chosen version (the latest by default) in a
// read-only CodeMirror view with Python highlighting.
import { lazy, Suspense } from "react";

import { useDag, useDagSource, useDagVersions } from "../../api/queries";
import { formatDate } from "../../components/format";
import { ErrorBanner, Loading } from "../../components/Status";

const CodeView = lazy(() => import("../../code/CodeView"));

interface CodeTabProps {
  dagId: string;
  version: number | undefined;
  onVersion: (version: number | undefined) => void;
}

export function CodeTab({ dagId, version, onVersion }: CodeTabProps) {
  const dag = useDag(dagId);
  const versions = useDagVersions(dagId);
  const source = useDagSource(dagId, version);
  const fileName = dag.data?.relative_fileloc ?? dag.data?.fileloc ?? "dag.py";
  return (
    <>
      <div className="toolbar">
        <code>{fileName}</code>
        <span className="grow" />
        <label htmlFor="code-version">Version</label>
        <select
          id="code-version"
          value={version ?? ""}
          onChange={(e) => onVersion(e.target.value ? Number(e.target.value) : undefined)}
        >
          <option value="">Latest</option>
          {(versions.data?.dag_versions ?? []).map((v) => (
            <option key={v.version_number} value={v.version_number}>
              v{v.version_number} · {formatDate(v.created_at)}
            </option>
          ))}
        </select>
      </div>
      {source.error ? <ErrorBanner error={source.error} /> : null}
      {source.data ? (
        <Suspense fallback={<Loading what="the code viewer" />}>
          <CodeView source={source.data.content} fileName={fileName} />
        </Suspense>
      ) : (
        <Loading what="the source" />
      )}
    </>
  );
}
