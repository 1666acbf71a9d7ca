/** The settings issue 18 added: simulated pacing of the demo assistant and the thread-title limit. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from 'agentwire/server';

describe('page settings', () => {
  it('AGENTWIRE_DEMO_PACING: on by default for `agentwire start`, off with 0, refused when unreadable', () => {
    expect(loadConfig({}).demoPacing).toBe(true);
    expect(loadConfig({ AGENTWIRE_DEMO_PACING: '0' }).demoPacing).toBe(false);
    expect(loadConfig({ AGENTWIRE_DEMO_PACING: 'off' }).demoPacing).toBe(false);
    expect(loadConfig({ AGENTWIRE_DEMO_PACING: 'on' }).demoPacing).toBe(true);
    expect(() => loadConfig({ AGENTWIRE_DEMO_PACING: 'sometimes' })).toThrow(/AGENTWIRE_DEMO_PACING must be 1 or 0/);
  });

  it('AGENTWIRE_MAX_THREAD_TITLE_CHARS: unset leaves the default, a positive integer sets it', () => {
    expect(loadConfig({}).maxThreadTitleChars).toBeUndefined();
    expect(loadConfig({ AGENTWIRE_MAX_THREAD_TITLE_CHARS: '60' }).maxThreadTitleChars).toBe(60);
    expect(() => loadConfig({ AGENTWIRE_MAX_THREAD_TITLE_CHARS: '0' })).toThrow(/AGENTWIRE_MAX_THREAD_TITLE_CHARS/);
  });
});
