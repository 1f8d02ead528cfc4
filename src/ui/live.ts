import { useCallback, useEffect, useRef } from 'preact/hooks';
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

/**
 * `fn` at most once per `ms`: a call when none ran for `ms` runs at once; calls inside the window
 * become one run at its end. Live events come in bursts (a backlog of clips being analysed sends
 * one clip.updated each): a page reloads its list once per burst window, not once per event.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  useEffect(() => () => {
    if (state.current.timer !== null) clearTimeout(state.current.timer);
  }, []);
  return useCallback(() => {
    const s = state.current;
    if (s.timer !== null) return;
    const run = (): void => {
      s.timer = null;
      s.last = Date.now();
      latest.current();
    };
    const wait = s.last + ms - Date.now();
    if (wait <= 0) run();
    else s.timer = setTimeout(run, wait);
  }, [ms]);
}

export function startsWithAny(type: string, prefixes: string[]): boolean {
  return prefixes.some((p) => type.startsWith(p));
}

/**
 * Keeps only the newest of a series of loads: `newest(api(...))` settles only if no later call
 * started meanwhile, so a slow answer for an older state never replaces a newer one on screen.
 */
export function useNewest(): <T>(answer: Promise<T>) => Promise<T> {
  const generation = useRef(0);
  return useCallback(<T,>(answer: Promise<T>): Promise<T> => {
    const mine = ++generation.current;
    return new Promise<T>((resolve, reject) => {
      answer.then(
        (value) => mine === generation.current && resolve(value),
        (e: unknown) => mine === generation.current && reject(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }, []);
}
