import { describe, expect, it } from 'vitest';
import {
  AgentWebSocketBridge,
  Authenticator,
  MemoryEventStore,
  Metrics,
  createUserExecutionContext,
  isUserExecutionContext,
  newRunId,
  newThreadId,
  type VerifiedIdentity,
} from 'agentwire/server';
import { TEST_SECRET, signToken } from '../helpers/tokens.js';

async function identity(sub: string): Promise<VerifiedIdentity> {
  return new Authenticator({ jwtSecret: TEST_SECRET }).verify(await signToken(sub));
}

function bridge(): AgentWebSocketBridge {
  return new AgentWebSocketBridge({ store: new MemoryEventStore(), metrics: new Metrics({ processMetrics: false }), fanout: { publish: () => undefined } });
}

describe('factory-only construction', () => {
  it('makes a frozen context from a verified identity and server-issued ids', async () => {
    const ctx = createUserExecutionContext(await identity('alice'), { threadId: newThreadId(), runId: newRunId() });
    expect(isUserExecutionContext(ctx)).toBe(true);
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(() => {
      (ctx as { userId: string }).userId = 'mallory';
    }).toThrow();
  });

  it('refuses a context from a look-alike identity that the authenticator did not mint', () => {
    const fake = { userId: 'alice', expiresAt: undefined } as unknown as VerifiedIdentity;
    expect(() => createUserExecutionContext(fake, { threadId: newThreadId(), runId: newRunId() })).toThrow(expect.objectContaining({ code: 'FACTORY_ONLY' }));
  });

  it('refuses empty, placeholder and client-invented thread or run ids', async () => {
    const id = await identity('alice');
    for (const threadId of ['', 'default', 'thread-1', 'thr_short', `run_${'a'.repeat(22)}`]) {
      expect(() => createUserExecutionContext(id, { threadId, runId: newRunId() })).toThrow(expect.objectContaining({ code: 'INVALID_CONTEXT' }));
    }
    expect(() => createUserExecutionContext(id, { threadId: newThreadId(), runId: 'undefined' })).toThrow(expect.objectContaining({ code: 'INVALID_CONTEXT' }));
  });

  it('throws when UserExecutionContext is constructed directly', async () => {
    const ctx = createUserExecutionContext(await identity('alice'), { threadId: newThreadId(), runId: newRunId() });
    const Ctor = ctx.constructor as new (...args: unknown[]) => unknown;
    expect(() => new Ctor(Symbol('forged'), 'mallory', newThreadId(), newRunId())).toThrow(expect.objectContaining({ code: 'FACTORY_ONLY' }));
    expect(() => new Ctor(undefined, 'mallory', newThreadId(), newRunId())).toThrow(expect.objectContaining({ code: 'FACTORY_ONLY' }));
  });

  it('throws when UserWebSocketEmitter is constructed directly; the bridge factory makes it', async () => {
    const ctx = createUserExecutionContext(await identity('alice'), { threadId: newThreadId(), runId: newRunId() });
    const emitter = bridge().createEmitter(ctx, 'assistant');
    expect(emitter.context).toBe(ctx);
    const Ctor = emitter.constructor as new (...args: unknown[]) => unknown;
    expect(() => new Ctor(Symbol('forged'), { publish: () => Promise.resolve() }, ctx, 'assistant')).toThrow(expect.objectContaining({ code: 'FACTORY_ONLY' }));
  });

  it('an emitter stamps every event with its own user, thread and run, and refuses any other', async () => {
    const store = new MemoryEventStore();
    const b = new AgentWebSocketBridge({ store, metrics: new Metrics({ processMetrics: false }), fanout: { publish: () => undefined } });
    const ctx = createUserExecutionContext(await identity('alice'), { threadId: newThreadId(), runId: newRunId() });
    const emitter = b.createEmitter(ctx, 'assistant');
    await emitter.emit('agent_thinking', { reasoning: 'ok' }, { userId: 'alice', threadId: ctx.threadId, runId: ctx.runId });
    await expect(emitter.emit('agent_thinking', { reasoning: 'no' }, { userId: 'bob' })).rejects.toMatchObject({ code: 'ISOLATION_VIOLATION' });
    await expect(emitter.emit('agent_completed' as never, { result: 1, durationMs: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    await emitter.terminate('agent_completed', { result: 'done', durationMs: 1 });
    await expect(emitter.emit('agent_thinking', { reasoning: 'late' })).rejects.toMatchObject({ code: 'RUN_CLOSED' });
    await expect(emitter.terminate('agent_error', { code: 'x', message: 'again', durationMs: 1 })).rejects.toMatchObject({ code: 'RUN_CLOSED' });
    const stored = await store.readAfter('alice', 0, 10);
    expect(stored.map((e) => e.type)).toEqual(['agent_thinking', 'agent_completed']);
    expect(await store.readAfter('bob', 0, 10)).toEqual([]);
  });
});
