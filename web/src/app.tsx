/** The page: the sign-in screen, or the chat for the signed-in session. */
import { useEffect, useState } from 'react';
import { Chat } from './chat.tsx';
import { fetchInfo, onSessionChange, savedSession, signOut, type ServerInfo, type Session } from './session.ts';
import { SignIn } from './sign-in.tsx';

export function App() {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const [info, setInfo] = useState<ServerInfo | undefined>();
  const [infoError, setInfoError] = useState<string | undefined>();

  // Signing in or out in another tab does the same here.
  // A token renewed by another tab for the same user changes nothing here (this tab renews its own).
  useEffect(() => onSessionChange((next) => setSession((current) => (next && current && next.userId === current.userId ? current : next))), []);

  useEffect(() => {
    fetchInfo().then(setInfo, (error: unknown) => {
      setInfoError(error instanceof Error ? error.message : String(error));
    });
  }, []);

  if (!session) return <SignIn info={info} infoError={infoError} onSignedIn={setSession} />;
  return (
    <Chat
      key={session.userId}
      session={session}
      info={info}
      onSignOut={() => {
        signOut(session);
        setSession(undefined);
      }}
    />
  );
}
