// Clearing task instances so they run again: options (upstream, downstream,
// only failed), a dry-run preview of exactly what would be cleared, then the
// real thing. Works for one task instance (clearTaskInstances) or a whole run
// (dagRuns/{run_id}/clear).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { clearRequest, clearTaskInstances, type ClearOptions } from "../../api/mutations";
import type { TaskInstanceCollection } from "../../api/types";
import { Modal } from "../../components/Modal";
import { StateBadge } from "../../components/StateBadge";
import { ErrorBanner } from "../../components/Status";

interface ClearDialogProps {
  open: boolean;
  onClose: () => void;
  dagId: string;
  runId: string;
  // Absent: clear the whole run.
  taskId?: string;
  mapIndex?: number;
}

export function ClearDialog(props: ClearDialogProps) {
  const { open, onClose, dagId, runId, taskId } = props;
  const queryClient = useQueryClient();
  const [options, setOptions] = useState<ClearOptions>({ upstream: false, downstream: true, onlyFailed: false });
  const [preview, setPreview] = useState<TaskInstanceCollection | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setPreview(null);
    setError(null);
    let cancelled = false;
    clearRequest(props, options, true)
      .then((result) => {
        if (!cancelled) setPreview(result);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(e);
      });
    return () => {
      cancelled = true;
    };
    // The preview follows the options; props identify the target.
  }, [open, options, dagId, runId, taskId, props.mapIndex]);

  const clear = async () => {
    setBusy(true);
    setError(null);
    try {
      await clearTaskInstances(queryClient, props, options);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const set = (key: keyof ClearOptions) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setOptions((o) => ({ ...o, [key]: e.target.checked }));
  const affected = preview?.task_instances ?? [];

  return (
    <Modal
      open={open}
      onClose={onClose}
      title={taskId ? `Clear ${taskId}` : `Clear run ${runId}`}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={clear} disabled={busy || !preview} data-testid="clear-confirm">
            Clear {preview ? `${affected.length} task instance${affected.length === 1 ? "" : "s"}` : ""}
          </button>
        </>
      }
    >
      <div className="checks">
        {taskId ? (
          <>
            <label>
              <input type="checkbox" checked={options.upstream} onChange={set("upstream")} /> Upstream
            </label>
            <label>
              <input type="checkbox" checked={options.downstream} onChange={set("downstream")} /> Downstream
            </label>
          </>
        ) : null}
        <label>
          <input type="checkbox" checked={options.onlyFailed} onChange={set("onlyFailed")} /> Only failed
        </label>
      </div>
      <h3>These task instances will run again:</h3>
      {error ? <ErrorBanner error={error} /> : null}
      {!preview && !error ? <p className="muted">Computing the preview…</p> : null}
      {preview ? (
        affected.length === 0 ? (
          <p className="muted">Nothing to clear with these options.</p>
        ) : (
          <table className="table" data-testid="clear-preview">
            <tbody>
              {affected.map((ti) => (
                <tr key={`${ti.task_id}:${ti.map_index}`}>
                  <td className="mono">
                    {ti.task_id}
                    {ti.map_index >= 0 ? ` [${ti.map_index}]` : ""}
                  </td>
                  <td>
                    <StateBadge state={ti.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </Modal>
  );
}
