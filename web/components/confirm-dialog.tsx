'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import styles from './confirm-dialog.module.css';

/**
 * A modal confirmation built on the native <dialog> (showModal gives focus trapping, Escape to
 * cancel and an inert background without a library). Focus starts on Cancel so Enter never
 * confirms a destructive action by accident.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="confirm-dialog"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div id={bodyId} className={styles.body}>
        {props.children}
      </div>
      <div className={styles.actions}>
        <button ref={cancelRef} type="button" className="button buttonSecondary" onClick={props.onCancel} data-testid="confirm-cancel">
          Cancel
        </button>
        <button type="button" className={`button ${styles.confirm}`} disabled={props.pending} onClick={props.onConfirm} data-testid="confirm-accept">
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
