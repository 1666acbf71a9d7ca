import { afterAll, describe, expect, it } from 'vitest';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

describe('TS: definitions and near-duplicates', () => {
  const tree = fixtureTree({
    'src/transport/websocket-notifier.ts': 'export class WebSocketNotifier {\n  send() {}\n  close() {}\n  flush() {}\n}\n',
    'src/legacy/websocket-notifier.ts': '// old copy\nexport class WebSocketNotifier {\n  send() {}\n  close() {}\n  flush() {}\n  drain() {}\n}\n',
    'src/legacy/socket-sender.ts': 'export class SocketSender {\n  send() {}\n  close() {}\n  flush() {}\n}\nexport const Notifier = 1;\n',
    'src/email/email-notifier.ts': 'export class EmailNotifier {\n  mail() {}\n}\nexport function createNotifier() {}\n',
    'src/types/notifier.d.ts': 'export declare class WebSocketNotifier {}\n',
    'src/alias.ts': 'import { WebSocketNotifier as Impl } from "./transport/websocket-notifier.js";\nexport const WebSocketNotifier = Impl;\n',
    'src/overloads.ts': 'export function WebSocketNotifier(a: string): void;\nexport function WebSocketNotifier(a: number): void;\nexport function WebSocketNotifier(a: unknown): void {}\nfunction local() { class WebSocketNotifier {} return WebSocketNotifier; }\n',
  });
  afterAll(() => tree.remove());

  it('finds every definition, counts implementations per file and name, and lists declarations apart', async () => {
    const { concept: result } = await auditTree(tree, concept('WebSocketNotifier'));
    const definitions = result.definitions.map((d) => [`${d.file}:${d.line}`, d.kind, d.countsAsImplementation]);
    expect(definitions).toEqual([
      ['src/alias.ts:2', 'alias', false],
      ['src/legacy/websocket-notifier.ts:2', 'class', true],
      ['src/overloads.ts:1', 'function', true],
      ['src/overloads.ts:2', 'function', true],
      ['src/overloads.ts:3', 'function', true],
      ['src/transport/websocket-notifier.ts:1', 'class', true],
      ['src/types/notifier.d.ts:1', 'class', false],
    ]);
    expect(result.metrics.implementations).toBe(3);
  });

  it('reports near-duplicates by name and by body, not factories or constants', async () => {
    const { concept: result } = await auditTree(tree, concept('WebSocketNotifier'));
    const duplicates = result.nearDuplicates.map((d) => [d.name, `${d.file}:${d.line}`, d.reasons, d.likely]);
    expect(duplicates).toEqual([
      ['SocketSender', 'src/legacy/socket-sender.ts:1', ['similar body (100% of members shared)'], true],
      ['EmailNotifier', 'src/email/email-notifier.ts:1', ['same role word (Notifier)'], false],
    ]);
    expect(result.metrics.nearDuplicates).toBe(1);
  });
});
