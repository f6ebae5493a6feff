// The list behind the red "Dag Import Errors" card: each failing file, its
// bundle, and the full traceback with line numbers.
import { useImportErrors } from "../api/queries";
import { formatDate } from "../components/format";
import { Modal } from "../components/Modal";
import { ErrorBanner, Loading } from "../components/Status";

export function Traceback({ text }: { text: string }) {
  const lines = text.replace(/\n$/, "").split("\n");
  return (
    <div className="traceback mono">
      <ol>
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ol>
    </div>
  );
}

export function ImportErrorsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const errors = useImportErrors();
  const list = errors.data?.import_errors ?? [];
  return (
    <Modal open={open} onClose={onClose} title={`Dag Import Errors (${errors.data?.total_entries ?? 0})`}>
      {errors.isPending ? <Loading what="import errors" /> : null}
      {errors.error ? <ErrorBanner error={errors.error} /> : null}
      {errors.data && list.length === 0 ? <p>Every DAG file imports cleanly.</p> : null}
      {list.map((e) => (
        <section key={e.import_error_id} data-testid="import-error">
          <h3 className="mono">{e.filename}</h3>
          <p className="muted">
            {e.bundle_name ? <>Bundle {e.bundle_name} · </> : null}
            {formatDate(e.timestamp)}
          </p>
          <Traceback text={e.stack_trace} />
        </section>
      ))}
    </Modal>
  );
}
