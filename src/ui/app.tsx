import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, getSession, setCsrfToken, setUnauthorizedHandler, type Problem, type SessionInfo } from './api.js';
import { connectLive, disconnectLive, useLive } from './live.js';
import { CamerasPage } from './pages/cameras.js';
import { ClipPage } from './pages/clip.js';
import { LedgerPage } from './pages/ledger.js';
import { LoginPage, SetupPage } from './pages/login.js';
import { QueuePage } from './pages/queue.js';
import { queueHref } from './pages/queue-filters.js';
import { RequestsPage } from './pages/requests.js';
import { SharesPage } from './pages/shares.js';

const PAGES = [
  { path: 'queue', label: 'Review', icon: '▣' },
  { path: 'shares', label: 'Shares', icon: '⇪' },
  { path: 'requests', label: 'Requests', icon: '✉' },
  { path: 'cameras', label: 'Cameras', icon: '◉' },
  { path: 'ledger', label: 'Ledger', icon: '§' },
] as const;
type PagePath = (typeof PAGES)[number]['path'];
type Route = { page: PagePath; clipId?: string };

/**
 * Hash routing (#/shares): the server only ever serves index.html at /, no fallback routes needed.
 * `#/clips/<id>` opens one clip (the link in clip notifications, see docs/mqtt.md) under Review;
 * `#/cameras/<id>` (Home Assistant's device link) opens the cameras page.
 */
function currentRoute(): Route {
  const [first = '', second] = (location.hash.replace(/^#\/?/, '').split('?')[0] ?? '').split('/');
  if (first === 'clips' && second) return { page: 'queue', clipId: decodeURIComponent(second) };
  return { page: PAGES.find((x) => x.path === first)?.path ?? 'queue' };
}

function ProblemsBanner() {
  const [problems, setProblems] = useState<Problem[]>([]);
  const load = useCallback(() => {
    api<Problem[]>('GET', '/api/problems').then(setProblems, () => undefined);
  }, []);
  useEffect(load, [load]);
  useLive((type) => {
    if (type.startsWith('problem.') || type === 'resync') load();
  }, [load]);
  if (problems.length === 0) return null;
  return (
    <ul class="problems" aria-label="Problems">
      {problems.map((p) => (
        <li key={p.id} class={`problem ${p.severity}`}>
          <strong>{p.summary}</strong>
          {p.details && <span> — {p.details}</span>}
        </li>
      ))}
    </ul>
  );
}

/** Without onLogout (Home Assistant ingress, where Home Assistant holds the sign-in) there is no Sign out. */
function Shell(props: { onLogout?: () => void }) {
  const [route, setRoute] = useState<Route>(currentRoute());
  const page = route.page;
  useEffect(() => {
    const on = (): void => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">clipgate</span>
        <nav class="tabs" aria-label="Main">
          {PAGES.map((p) => (
            <a key={p.path} href={p.path === 'queue' ? queueHref() : `#/${p.path}`} class={p.path === page ? 'active' : ''} aria-current={p.path === page ? 'page' : undefined}>
              <span class="icon" aria-hidden="true">{p.icon}</span>
              <span class="label">{p.label}</span>
            </a>
          ))}
        </nav>
        {props.onLogout && <button class="link logout" type="button" onClick={props.onLogout}>Sign out</button>}
      </header>
      <ProblemsBanner />
      <main>
        {page === 'queue' && (route.clipId === undefined ? <QueuePage /> : <ClipPage id={route.clipId} />)}
        {page === 'shares' && <SharesPage />}
        {page === 'requests' && <RequestsPage />}
        {page === 'cameras' && <CamerasPage />}
        {page === 'ledger' && <LedgerPage />}
      </main>
    </div>
  );
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    getSession().then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
        setError(null);
      },
      (err: Error) => setError(`clipgate is not answering: ${err.message}`),
    );
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setSession((s) => (s ? { ...s, authenticated: false, csrfToken: null } : s)));
    refresh();
  }, [refresh]);

  useEffect(() => {
    if (session?.authenticated) connectLive();
    else disconnectLive();
  }, [session?.authenticated]);

  const logout = useCallback(() => {
    // Signed out locally whatever the server answered (it may already have dropped the session).
    void api('DELETE', '/api/session')
      .catch(() => undefined)
      .then(() => {
        setCsrfToken(null);
        refresh();
      });
  }, [refresh]);

  if (error) return <p class="boot error">{error}</p>;
  if (!session) return <p class="boot">Loading…</p>;
  if (session.setupRequired) return <main><SetupPage onDone={refresh} /></main>;
  if (!session.authenticated) return <main><LoginPage onDone={refresh} /></main>;
  return <Shell {...(session.ingress ? {} : { onLogout: logout })} />;
}
