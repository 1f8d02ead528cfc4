import { useEffect, useRef } from 'preact/hooks';
import { isEditable } from '../a11y.js';
import { Modal, ModalHeader } from '../components/modal.js';

export type QueueCommand = 'next' | 'previous' | 'play' | 'share' | 'reject' | 'select' | 'selectRange' | 'help';

/** The queue's keys, in the order the `?` dialog lists them. */
export const SHORTCUTS: { keys: string[]; command: QueueCommand; what: string }[] = [
  { keys: ['j', '↓', '→'], command: 'next', what: 'Next clip' },
  { keys: ['k', '↑', '←'], command: 'previous', what: 'Previous clip' },
  { keys: ['Space', 'p'], command: 'play', what: 'Play or pause the clip' },
  { keys: ['s'], command: 'share', what: 'Share… (opens the redaction and preview; nothing is sent without your Send)' },
  { keys: ['r'], command: 'reject', what: 'Reject (asks once more: press Enter to confirm)' },
  { keys: ['x'], command: 'select', what: 'Select or unselect the clip' },
  { keys: ['Shift+x'], command: 'selectRange', what: 'Select every clip from the last one selected to this one' },
  { keys: ['?'], command: 'help', what: 'This list' },
];

const KEYS: Record<string, QueueCommand> = {
  j: 'next', ArrowDown: 'next', ArrowRight: 'next',
  k: 'previous', ArrowUp: 'previous', ArrowLeft: 'previous',
  ' ': 'play', p: 'play', s: 'share', r: 'reject', x: 'select', X: 'selectRange', '?': 'help',
};

/** Keys a focused button, link, checkbox, player, disclosure or scrollable group acts on itself. */
const NATIVE_KEYS = new Set([' ', 'ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight']);
const USES_KEYS = 'button, a[href], input, video, audio, summary, [tabindex="0"]';

/**
 * Single keys for the review queue, for as long as it is shown. They never fire while the owner
 * types in a field, holds Ctrl/Alt/Meta, or has a dialog open; Space and the arrows are left to a
 * focused button, checkbox, link or player (which use them themselves), except on a clip's card.
 */
export function useQueueKeys(run: (command: QueueCommand, cardId: string | null) => void): void {
  const handler = useRef(run);
  handler.current = run;
  useEffect(() => {
    const keyDown = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || isEditable(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const command = KEYS[e.key];
      if (!command) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const card = target?.closest<HTMLElement>('article.clip[data-clip-id]') ?? null;
      // Space and the arrows belong to a focused control that uses them itself (not to a card or a heading).
      if (NATIVE_KEYS.has(e.key) && target !== null && target !== card && target.matches(USES_KEYS)) return;
      e.preventDefault();
      handler.current(command, card?.dataset.clipId ?? null);
    };
    document.addEventListener('keydown', keyDown);
    return () => document.removeEventListener('keydown', keyDown);
  }, []);
}

export function ShortcutsDialog(props: { onClose: () => void }) {
  return (
    <Modal labelledBy="keys-title" onClose={props.onClose} class="narrow">
      <ModalHeader id="keys-title" title="Keyboard shortcuts" onClose={props.onClose} />
      <p class="muted small">On the review queue, when you are not typing in a field.</p>
      <dl class="keys">
        {SHORTCUTS.map((s) => (
          <div key={s.command}>
            <dt>{s.keys.map((k, i) => <span key={k}>{i > 0 && ' or '}<kbd>{k}</kbd></span>)}</dt>
            <dd>{s.what}</dd>
          </div>
        ))}
      </dl>
      <div class="actions">
        <button type="button" onClick={props.onClose}>Close</button>
      </div>
    </Modal>
  );
}
