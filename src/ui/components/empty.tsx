import type { ComponentChildren } from 'preact';

/** An empty page says what would be here, and the next step to get it there. */
export function EmptyState(props: { title: string; children: ComponentChildren; docs?: { href: string; label: string } }) {
  return (
    <div class="empty-state" data-testid="empty-state">
      <h2>{props.title}</h2>
      {props.children}
      {props.docs && (
        <p>
          <a href={props.docs.href} target="_blank" rel="noopener noreferrer">{props.docs.label}</a>
        </p>
      )}
    </div>
  );
}
