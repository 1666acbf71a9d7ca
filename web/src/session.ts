/**
 * Signing in (demo mode: a token by name from the server, loopback only), keeping the session in
 * localStorage so every tab of this browser shares it (a new tab does not ask again, and signing
 * out in one signs out all), the stream position per tab in sessionStorage so a reload resumes
 * where that tab was, and making the client.
 */
import { AgentwireClient, type StreamPosition } from 'agentwire/client';

export interface Session {
  name: string;
  userId: string;
  token: string;
}

export interface ServerInfo {
  agents: { name: string; description: string }[];
  demo: boolean;
  /** The agent used when a message names none. */
  defaultAgent?: string;
  /** Which model serves, when an agent is backed by one: {agent, name, host}, or null. */
  model?: unknown;
}

const SESSION_KEY = 'agentwire.session';
const positionKey = (userId: string) => `agentwire.position.${userId}`;
/** Ask for a new token when the current one has less than this left. */
const REFRESH_BEFORE_MS = 60_000;

export class SignInError extends Error {}

export async function fetchInfo(): Promise<ServerInfo> {
  const res = await fetch('/api/info');
  if (!res.ok) throw new Error(`GET /api/info: HTTP ${res.status}`);
  return (await res.json()) as ServerInfo;
}

export async function signIn(name: string): Promise<Session> {
  const res = await fetch('/api/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; userId?: string; error?: { message?: string } };
  if (!res.ok || body.token === undefined || body.userId === undefined) {
    throw new SignInError(body.error?.message ?? `sign-in failed (HTTP ${res.status})`);
  }
  const session = { name, userId: body.userId, token: body.token };
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function savedSession(): Session | undefined {
  const raw = localStorage.getItem(SESSION_KEY);
  if (raw === null) return undefined;
  try {
    const session = JSON.parse(raw) as Partial<Session>;
    if (typeof session.name === 'string' && typeof session.userId === 'string' && typeof session.token === 'string') {
      return { name: session.name, userId: session.userId, token: session.token };
    }
  } catch {
    // A corrupt entry is the same as none: sign in again.
  }
  localStorage.removeItem(SESSION_KEY);
  return undefined;
}

export function signOut(session: Session): void {
  localStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(positionKey(session.userId));
}

/**
 * Calls back when another tab signs in or out (the storage event fires only in the other tabs).
 * Returns the unsubscribe.
 */
export function onSessionChange(listener: (session: Session | undefined) => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.storageArea === localStorage && (event.key === SESSION_KEY || event.key === null)) listener(savedSession());
  };
  addEventListener('storage', onStorage);
  return () => removeEventListener('storage', onStorage);
}

/** Our own words for a name the server would refuse, before asking it; undefined when fine. */
export function nameProblem(name: string): string | undefined {
  if (/\s/.test(name)) return 'Use one word without spaces, for example "ada" or "ada.lovelace".';
  if (name.length > 64) return 'Use at most 64 characters.';
  return undefined;
}

function savedPosition(userId: string): StreamPosition | undefined {
  try {
    const position = JSON.parse(sessionStorage.getItem(positionKey(userId)) ?? 'null') as Partial<StreamPosition> | null;
    if (position && typeof position.lastSeq === 'number' && typeof position.epoch === 'string') return { lastSeq: position.lastSeq, epoch: position.epoch };
  } catch {
    // Start live at the head instead.
  }
  return undefined;
}

/** Seconds-since-epoch expiry of a JWT, read without verifying (the server verifies). */
function tokenExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A client for the session. Its token function renews a demo token that is about to expire, so
 * a tab left open keeps working; its position is saved as events arrive and when the page hides.
 */
export function createClient(session: Session): { client: AgentwireClient; dispose: () => void } {
  let current = session;
  const token = async (): Promise<string> => {
    const expiry = tokenExpiry(current.token);
    if (expiry !== undefined && expiry - Date.now() < REFRESH_BEFORE_MS) current = await signIn(current.name);
    return current.token;
  };
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const resumeFrom = savedPosition(session.userId);
  const client = new AgentwireClient({
    url: url.toString(),
    token,
    ...(resumeFrom ? { resumeFrom } : {}),
    backoff: { initialDelayMs: 500, maxDelayMs: 8_000 },
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    const position = client.position;
    if (position) sessionStorage.setItem(positionKey(session.userId), JSON.stringify(position));
  };
  const saveSoon = () => {
    timer ??= setTimeout(save, 300);
  };
  const unlisten = [client.on('event', saveSoon), client.on('connected', saveSoon), client.on('unrecovered', saveSoon)];
  addEventListener('pagehide', save);
  return {
    client,
    dispose: () => {
      clearTimeout(timer);
      save();
      for (const off of unlisten) off();
      removeEventListener('pagehide', save);
      client.close();
    },
  };
}

/** The agent the page sends to when the user picked none: the server's default, else the first. */
export function defaultAgentOf(info: ServerInfo | undefined): string | undefined {
  if (!info) return undefined;
  if (info.defaultAgent !== undefined && info.agents.some((a) => a.name === info.defaultAgent)) return info.defaultAgent;
  return info.agents.find((a) => a.name === 'assistant')?.name ?? info.agents[0]?.name;
}

/**
 * What serves an agent, for the header: the model's name when a model answers as that agent
 * (GET /api/info's `model: {agent, name, host}`), else "deterministic assistant" for the
 * built-in one, else the agent's own name.
 */
export function servedBy(info: ServerInfo | undefined, agent: string | undefined): { label: string; title: string } {
  const model = info?.model;
  if (typeof model === 'object' && model !== null) {
    const { agent: modelAgent, name, host } = model as { agent?: unknown; name?: unknown; host?: unknown };
    if (typeof name === 'string' && (modelAgent === undefined || modelAgent === agent)) {
      return { label: name, title: `Model ${name}${typeof host === 'string' ? ` at ${host}` : ''}, answering as the "${agent ?? 'default'}" agent` };
    }
  } else if (typeof model === 'string' && model !== '') {
    return { label: model, title: `Model ${model}` };
  }
  if (agent === undefined || agent === 'assistant') return { label: 'deterministic assistant', title: 'The built-in assistant: no model, real tools' };
  const description = info?.agents.find((a) => a.name === agent)?.description;
  return { label: agent, title: description ?? agent };
}
