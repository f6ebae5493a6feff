// The dialogs of the file tree: a name for a new file or folder, a new
// path for a rename (optionally replacing what is there), and the
// confirmation before a delete. Each shows the server's answer when it
// refuses (a name that exists, a path outside the folder, ...).
import { useState, type FormEvent } from "react";

import { ConfirmDialog } from "../components/ConfirmDialog";
import { Modal } from "../components/Modal";

interface NameDialogProps {
  title: string;
  label: string;
  initial: string;
  confirmLabel: string;
  // Where the name goes, shown above the field ("in dags/hello").
  where?: string;
  allowReplace?: boolean;
  onSubmit: (value: string, replace: boolean) => Promise<unknown>;
  onClose: () => void;
}

export function NameDialog({ title, label, initial, confirmLabel, where, allowReplace, onSubmit, onClose }: NameDialogProps) {
  const [value, setValue] = useState(initial);
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!value.trim()) {
      setError("A name is required.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(value.trim(), replace);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="ide-name-form" className="btn primary" disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <form id="ide-name-form" onSubmit={submit}>
        {where ? <p className="muted">{where}</p> : null}
        <div className="field">
          <label htmlFor="ide-name">{label}</label>
          <input
            id="ide-name"
            type="text"
            className="mono"
            value={value}
            autoFocus
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        {allowReplace ? (
          <div className="checks">
            <label>
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
              Replace a file that already has this name
            </label>
          </div>
        ) : null}
        {error ? (
          <div className="banner-error" role="alert">
            {error}
          </div>
        ) : null}
      </form>
    </Modal>
  );
}

interface DeleteDialogProps {
  what: string;
  folder: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

export function DeleteDialog({ what, folder, onConfirm, onClose }: DeleteDialogProps) {
  return (
    <ConfirmDialog open title={folder ? "Delete folder" : "Delete file"} confirmLabel="Delete" danger onConfirm={onConfirm} onClose={onClose}>
      <p>
        {folder ? (
          <>
            Delete the folder <code>{what}</code> and everything in it (caches and hidden files included)?
          </>
        ) : (
          <>
            Delete <code>{what}</code>?
          </>
        )}{" "}
        This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}

interface DiscardDialogProps {
  what: string;
  onConfirm: () => void;
  onClose: () => void;
}

export function DiscardDialog({ what, onConfirm, onClose }: DiscardDialogProps) {
  return (
    <ConfirmDialog
      open
      title="Unsaved changes"
      confirmLabel="Close without saving"
      danger
      onConfirm={async () => onConfirm()}
      onClose={onClose}
    >
      <p>
        <code>{what}</code> has changes that are not saved. Close it anyway?
      </p>
    </ConfirmDialog>
  );
}
