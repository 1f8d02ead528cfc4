import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';

function useSubmit(run: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    run().catch((err: unknown) => {
      setError(err instanceof ApiError ? err.message : 'clipgate did not answer');
      setBusy(false);
    });
  };
  return { busy, error, submit };
}

export function LoginPage(props: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await api('POST', '/api/session', { password });
    props.onDone();
  });
  return (
    <form class="card auth" onSubmit={submit}>
      <h1>clipgate</h1>
      <p class="muted">Your clips stay on this device until you approve them.</p>
      <label>
        Owner password
        <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

export function SetupPage(props: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    if (password !== confirm) throw new ApiError(400, 'MISMATCH', 'the two passwords differ');
    await api('POST', '/api/setup', { code, password });
    props.onDone();
  });
  return (
    <form class="card auth" onSubmit={submit}>
      <h1>Welcome to clipgate</h1>
      <p>
        No owner password is set yet. Enter the one-time <strong>setup code</strong> printed in the clipgate log at
        start-up (<code>journalctl -u clipgate</code> or the terminal running it), then choose your password.
      </p>
      <label>
        Setup code
        <input name="code" autocomplete="one-time-code" required placeholder="ABCD-EFGH-JKMN" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <label>
        New password (at least 10 characters)
        <input type="password" name="password" autocomplete="new-password" minLength={10} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label>
        Repeat the password
        <input type="password" name="confirm" autocomplete="new-password" minLength={10} required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>{busy ? 'Saving…' : 'Set password and sign in'}</button>
    </form>
  );
}
