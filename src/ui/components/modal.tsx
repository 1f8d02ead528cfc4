import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { focusables } from '../a11y.js';

/**
 * A real modal `<dialog>` (showModal): the page behind it is inert, focus moves in, Tab and
 * Shift+Tab wrap around inside it, Escape closes it, and focus goes back to what opened it (or,
 * when that is gone — the card of a clip just shared — to `fallbackFocus`).
 */
export function Modal(props: { labelledBy: string; onClose: () => void; fallbackFocus?: () => HTMLElement | null; class?: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const fallback = useRef(props.fallbackFocus);
  fallback.current = props.fallbackFocus;

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    let unmounting = false;
    // The browser may close the dialog by itself (a second Escape): the owner of the state must hear of it.
    const closed = (): void => {
      if (!unmounting) onClose.current();
    };
    dialog.addEventListener('close', closed);
    if (!dialog.open) dialog.showModal();
    return () => {
      unmounting = true;
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      const target = opener?.isConnected ? opener : fallback.current?.();
      target?.focus();
    };
  }, []);

  const cancel = (e: Event): void => {
    // Escape: the parent unmounts the dialog, which returns focus (see above).
    e.preventDefault();
    props.onClose();
  };
  const keyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = focusables(ref.current);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || active === ref.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog ref={ref} class={`modal ${props.class ?? ''}`} aria-labelledby={props.labelledBy} onCancel={cancel} onKeyDown={keyDown}>
      {props.children}
    </dialog>
  );
}

/** The dialog's title bar: its heading (the dialog's name) and a Close button. */
export function ModalHeader(props: { id: string; title: string; onClose: () => void }) {
  return (
    <header class="modal-head">
      <h2 id={props.id} tabIndex={-1}>{props.title}</h2>
      <button type="button" class="link close" onClick={props.onClose} aria-label="Close">✕</button>
    </header>
  );
}
