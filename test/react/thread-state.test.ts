import fc from 'fast-check';
import type { AgentEvent } from 'agentwire/client';
import { addEvents, addLocalRun, emptyThread, type ThreadState } from 'agentwire/react';
import { describe, expect, it } from 'vitest';

const EPOCH = 'ep1';
let seq = 0;

function event<T extends AgentEvent['type']>(runId: string, type: T, data: Extract<AgentEvent, { type: T }>['data'], threadId = 'thr_a'): AgentEvent {
  seq += 1;
  return { v: 1, type, seq, epoch: EPOCH, eventId: `e${seq}`, runId, threadId, userId: 'alice', agentName: 'assistant', ts: new Date(1_800_000_000_000 + seq).toISOString(), data } as AgentEvent;
}

/** The assistant's "What is 17 * 23?" as the server sends it. */
function calculatorRun(runId: string, threadId = 'thr_a'): AgentEvent[] {
  return [
    event(runId, 'agent_started', { input: 'What is 17 * 23?' }, threadId),
    event(runId, 'agent_thinking', { reasoning: 'Reading the question', step: 1, progress: 0.1 }, threadId),
    event(runId, 'tool_executing', { toolName: 'calculator', toolCallId: 'call_1', args: { expression: '17 * 23' } }, threadId),
    event(runId, 'tool_completed', { toolName: 'calculator', toolCallId: 'call_1', status: 'success', result: { value: 391 }, durationMs: 0.4 }, threadId),
    event(runId, 'agent_thinking', { reasoning: 'Writing the answer', step: 2, progress: 0.9 }, threadId),
    event(runId, 'agent_message_delta', { delta: '17 * 23 ' }, threadId),
    event(runId, 'agent_message_delta', { delta: '= 391.' }, threadId),
    event(runId, 'agent_completed', { result: { answer: '17 * 23 = 391.' }, durationMs: 12 }, threadId),
  ];
}

describe('thread state', () => {
  it('folds a run into its timeline, tool call, answer and final state', () => {
    const state = addEvents(emptyThread('thr_a'), calculatorRun('run_1'));
    expect(state.runs).toHaveLength(1);
    const run = state.runs[0]!;
    expect(run.status).toBe('completed');
    expect(run.userText).toBe('What is 17 * 23?');
    expect(run.answer).toBe('17 * 23 = 391.');
    expect(run.tools).toEqual([
      expect.objectContaining({ toolName: 'calculator', args: { expression: '17 * 23' }, status: 'success', result: { value: 391 }, durationMs: 0.4 }),
    ]);
    expect(run.timeline.map((item) => item.kind)).toEqual(['started', 'thinking', 'tool', 'thinking']);
    expect(run.progress).toBe(0.9);
    expect(run.terminal?.type).toBe('agent_completed');
  });

  it('ignores events of other threads', () => {
    const state = addEvents(emptyThread('thr_a'), calculatorRun('run_x', 'thr_b'));
    expect(state.runs).toEqual([]);
    expect(addEvents(emptyThread(undefined), calculatorRun('run_y'))).toEqual(emptyThread(undefined));
  });

  it('holds each event once, in seq order, whatever the arrival order and duplicates (history overlapping live)', () => {
    const events = [...calculatorRun('run_1'), ...calculatorRun('run_2')];
    const expected = addEvents(emptyThread('thr_a'), events);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.array(fc.constantFrom(...events)), fc.integer({ min: 1, max: 5 }), (shuffled, duplicates, batches) => {
        const arrivals = [...shuffled, ...duplicates];
        let state: ThreadState = emptyThread('thr_a');
        const size = Math.ceil(arrivals.length / batches);
        for (let i = 0; i < arrivals.length; i += size) state = addEvents(state, arrivals.slice(i, i + size));
        expect(state).toEqual(expected);
      }),
    );
  });

  it('returns the same object when nothing changed', () => {
    const state = addEvents(emptyThread('thr_a'), calculatorRun('run_1'));
    expect(addEvents(state, state.runs[0]!.events)).toBe(state);
  });

  it('shows a run sent from this tab at once, with the full text, and keeps it when events arrive', () => {
    const long = `${'x'.repeat(300)}?`;
    let state = addLocalRun(emptyThread('thr_a'), { runId: 'run_1', threadId: 'thr_a', text: long });
    expect(state.runs[0]).toMatchObject({ runId: 'run_1', status: 'queued', userText: long });
    state = addEvents(state, calculatorRun('run_1'));
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({ status: 'completed', userText: long });
  });

  it('orders runs by their first event; runs without events yet come last', () => {
    const first = calculatorRun('run_1');
    const second = calculatorRun('run_2');
    let state = addLocalRun(emptyThread('thr_a'), { runId: 'run_3', threadId: 'thr_a', text: 'later' });
    state = addEvents(state, second);
    state = addEvents(state, first);
    expect(state.runs.map((r) => r.runId)).toEqual(['run_1', 'run_2', 'run_3']);
  });

  it('tells cancelled, failed and dead runs apart', () => {
    const cancelled = addEvents(emptyThread('thr_a'), [
      event('run_c', 'progress_update', { message: 'Waiting for a free slot' }),
      event('run_c', 'agent_error', { code: 'cancelled', message: 'cancelled by the user', durationMs: 3 }),
    ]).runs[0]!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.timeline).toEqual([expect.objectContaining({ kind: 'queued', message: 'Waiting for a free slot' })]);
    const failed = addEvents(emptyThread('thr_a'), [event('run_e', 'agent_error', { code: 'timeout', message: 'too slow', durationMs: 9 })]).runs[0]!;
    expect(failed.status).toBe('error');
    const died = addEvents(emptyThread('thr_a'), [event('run_d', 'agent_death', { cause: 'node_lost', message: 'gone' })]).runs[0]!;
    expect(died.status).toBe('died');
  });
});
