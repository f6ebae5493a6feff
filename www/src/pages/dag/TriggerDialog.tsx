// Trigger a DAG run: the conf as JSON, prefilled with the params' defaults
// and checked against their schemas as the user types; optional run id and
// note. POST /api/v2/dags/{dag_id}/dagRuns.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

import { triggerRun } from "../../api/mutations";
import { useDagDetails } from "../../api/queries";
import type { DagRun } from "../../api/types";
import { Modal } from "../../components/Modal";
import { ErrorBanner, Loading } from "../../components/Status";
import { defaultConf, validateConf } from "../../state/params";

interface TriggerDialogProps {
  dagId: string;
  open: boolean;
  onClose: () => void;
  onTriggered?: (run: DagRun) => void;
}

export function TriggerDialog({ dagId, open, onClose, onTriggered }: TriggerDialogProps) {
  const details = useDagDetails(dagId);
  const params = details.data?.params ?? null;
  const queryClient = useQueryClient();
  const [confText, setConfText] = useState("{}");
  const [runId, setRunId] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!open) return;
    setConfText(JSON.stringify(defaultConf(params), null, 2));
    setRunId("");
    setNote("");
    setError(null);
  }, [open, params]);

  const check = useMemo(() => validateConf(confText, params), [confText, params]);

  const trigger = async () => {
    if (!check.conf) return;
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { logical_date: null, conf: check.conf };
      if (runId.trim()) body.dag_run_id = runId.trim();
      if (note.trim()) body.note = note.trim();
      const run = await triggerRun(queryClient, dagId, body);
      onTriggered?.(run);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const paramEntries = Object.entries(params ?? {});
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={`Trigger Dag – ${dagId}`}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={trigger} disabled={busy || !check.conf} data-testid="trigger-confirm">
            Trigger
          </button>
        </>
      }
    >
      {details.isPending ? <Loading what="params" /> : null}
      {paramEntries.length > 0 ? (
        <table className="table" style={{ marginBottom: 12 }}>
          <thead>
            <tr>
              <th>Param</th>
              <th>Default</th>
              <th>Schema</th>
            </tr>
          </thead>
          <tbody>
            {paramEntries.map(([name, p]) => (
              <tr key={name}>
                <td>
                  <strong className="mono">{name}</strong>
                  {p.description ? <div className="muted">{p.description}</div> : null}
                </td>
                <td className="mono">{JSON.stringify(p.value)}</td>
                <td className="mono">{Object.keys(p.schema ?? {}).length ? JSON.stringify(p.schema) : "any"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="field">
        <label htmlFor="trigger-conf">Configuration JSON</label>
        <textarea
          id="trigger-conf"
          rows={Math.min(16, Math.max(4, confText.split("\n").length + 1))}
          value={confText}
          onChange={(e) => setConfText(e.target.value)}
          spellCheck={false}
          aria-invalid={check.problems.length > 0}
          aria-describedby="trigger-conf-problems"
        />
        <div id="trigger-conf-problems" className="error-text" role="status">
          {check.problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      </div>
      <div className="field">
        <label htmlFor="trigger-run-id">Run id (optional)</label>
        <input id="trigger-run-id" type="text" value={runId} onChange={(e) => setRunId(e.target.value)} placeholder="manual__<now>" />
      </div>
      <div className="field">
        <label htmlFor="trigger-note">Note (optional)</label>
        <input id="trigger-note" type="text" value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      {error ? <ErrorBanner error={error} /> : null}
    </Modal>
  );
}
