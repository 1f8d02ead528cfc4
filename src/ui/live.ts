import { useEffect } from 'preact/hooks';
import { apiUrl } from './api.js';

type Listener = (type: string, data: unknown) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

/** Event types the server streams (see GET /api/events); 'resync' means events may have been missed. */
const TYPES = [
  'clip.created', 'clip.updated', 'clip.deleted', 'share.created', 'share.updated', 'share.progress', 'share.uploaded', 'share.revoked',
  'camera.status', 'camera.privacy', 'request.received', 'problem.raised', 'problem.cleared', 'stats.changed',
];

function dispatch(type: string, data: unknown): void {
  for (const fn of [...listeners]) fn(type, data);
}

/** One EventSource for the whole app; the browser reconnects by itself after a drop. */
export function connectLive(): void {
  if (source) return;
  // Relative, like every API URL (see apiUrl): it must work under an ingress path prefix too.
  source = new EventSource(apiUrl('/api/events'));
  let opened = false;
  source.addEventListener('open', () => {
    // After a reconnect, anything emitted during the gap was missed: pages reload their data.
    if (opened) dispatch('resync', null);
    opened = true;
  });
  for (const t of TYPES) {
    source.addEventListener(t, (e) => dispatch(t, JSON.parse((e as MessageEvent<string>).data) as unknown));
  }
}

export function disconnectLive(): void {
  source?.close();
  source = null;
}

/** Subscribe a component to live events for as long as it is mounted. */
export function useLive(fn: Listener, deps: unknown[]): void {
  useEffect(() => {
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, deps);
}

export function startsWithAny(type: string, prefixes: string[]): boolean {
  return prefixes.some((p) => type.startsWith(p));
}
