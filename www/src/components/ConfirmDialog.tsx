// Asks before a destructive action, says what it will do, and shows the
// server's answer when it refuses.
import { useState, type ReactNode } from "react";

import { Modal } from "./Modal";

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  children: ReactNode;
}

export function ConfirmDialog({ open, title, confirmLabel, danger, onConfirm, onClose, children }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={danger ? "btn danger solid" : "btn primary"} onClick={confirm} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error ? <div className="banner-error" role="alert">{error}</div> : null}
    </Modal>
  );
}
