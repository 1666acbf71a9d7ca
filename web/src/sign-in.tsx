import { useId, useState, type SubmitEvent } from 'react';
import { nameProblem, signIn, type ServerInfo, type Session } from './session.ts';
import { Logo } from './logo.tsx';

interface Props {
  info: ServerInfo | undefined;
  infoError: string | undefined;
  onSignedIn: (session: Session) => void;
}

export function SignIn({ info, infoError, onSignedIn }: Props) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const inputId = useId();
  const errorId = useId();
  const hintId = useId();
  const noDemo = info !== undefined && !info.demo;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '' || busy) return;
    const problem = nameProblem(trimmed);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    signIn(trimmed).then(onSignedIn, (e: unknown) => {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    });
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} noValidate aria-describedby={error ? errorId : undefined}>
        <Logo />
        <h1>Sign in to agentwire</h1>
        <p className="muted">Watch an agent think, call its tools and answer, live, even when the connection drops.</p>
        <label htmlFor={inputId}>Your name</label>
        <input
          id={inputId}
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. ada"
          autoComplete="username"
          autoFocus
          required
          maxLength={64}
          aria-describedby={hintId}
          disabled={noDemo}
        />
        <p id={hintId} className="hint">
          One word, no spaces. Each name is its own user with its own conversations.
        </p>
        <button type="submit" className="primary" disabled={busy || noDemo || name.trim() === ''}>
          {busy ? 'Signing in…' : 'Continue'}
        </button>
        {error && (
          <p id={errorId} className="form-error" role="alert">
            {error}
          </p>
        )}
        {noDemo && <p className="form-error" role="alert">This server runs without demo sign-in. Sign in through your application instead.</p>}
        {infoError && <p className="form-error" role="alert">The server cannot be reached: {infoError}</p>}
        <p className="fine-print">Demo mode: the server issues a token for any name, on this machine only.</p>
      </form>
    </main>
  );
}
