/**
 * The client against a raw server that says what a test tells it to: a malformed frame is
 * reported (a PROTOCOL_ERROR `error` and a count) and dropped, never cast into state; what the
 * client sends is a message the real server's schema accepts.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { AgentwireClient, type AgentEvent, type AgentwireClientError, type WebSocketConstructor } from 'agentwire/client';
import { clientMessageSchema, parseClientMessage } from 'agentwire/protocol';

interface RawServer {
  url: string;
  /** Resolves with the next connection's socket, already sent `connection_established`. */
  nextSocket: () => Promise<WebSocket>;
  /** Every text frame the client sent, in order. */
  received: string[];
  /** The body of every HTTP answer (the history API). */
  httpBody: unknown;
  close: () => Promise<void>;
}

const opened: { close: () => Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function rawServer(): Promise<RawServer> {
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(server.httpBody));
  });
  const wss = new WebSocketServer({ server: http, handleProtocols: () => 'agentwire.v1' });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const received: string[] = [];
  const waiting: ((socket: WebSocket) => void)[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => received.push(data.toString()));
    const limits = { maxFrameBytes: 1, messagesPerSecond: 1, connectionsPerUser: 1, concurrentRunsPerUser: 1, queuedRunsPerUser: 1, outboundBufferBytes: 1 };
    socket.send(JSON.stringify({ type: 'connection_established', connectionId: 'c1', userId: 'u1', epoch: 'e1', lastSeq: 0, heartbeatMs: 60_000, limits }));
    waiting.shift()?.(socket);
  });
  const server: RawServer = {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`,
    nextSocket: () => new Promise((resolve) => waiting.push(resolve)),
    received,
    httpBody: {},
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => http.close(() => resolve()));
      }),
  };
  opened.push(server);
  return server;
}

async function connected(server: RawServer): Promise<{ client: AgentwireClient; socket: WebSocket; errors: AgentwireClientError[]; events: AgentEvent[] }> {
  const client = new AgentwireClient({ url: server.url, token: 'any', WebSocket: WebSocket as unknown as WebSocketConstructor, ackIntervalMs: 10 });
  opened.push(client);
  const errors: AgentwireClientError[] = [];
  const events: AgentEvent[] = [];
  client.on('error', (error) => errors.push(error));
  client.on('event', (event) => events.push(event));
  const socket = server.nextSocket();
  await client.connect();
  return { client, socket: await socket, errors, events };
}

function event(seq: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1, type: 'agent_message_delta', seq, epoch: 'e1', eventId: `ev${seq}`, runId: 'r1', threadId: 't1', userId: 'u1',
    agentName: 'a', ts: new Date(0).toISOString(), data: { delta: `d${seq}` }, ...overrides,
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const MALFORMED: [string, string][] = [
  ['not JSON', '{"type":"agent_message_delta",'],
  ['an array', '[1,2]'],
  ['no type', '{"seq":1}'],
  ['an unknown type', '{"type":"agent_teleported","seq":1}'],
  ['an event without runId', JSON.stringify(event(1, { runId: undefined }))],
  ['an event whose seq is a string', JSON.stringify(event(1, { seq: '1' }))],
  ['an event of another protocol version', JSON.stringify(event(1, { v: 2 }))],
  ['an event whose data is null', JSON.stringify(event(1, { data: null }))],
  ['run_accepted without runId', '{"type":"run_accepted","clientMessageId":"cm","threadId":"t"}'],
  ['resumed without recovered', '{"type":"resumed","fromSeq":1,"toSeq":0}'],
  ['error with a numeric code', '{"type":"error","code":7,"message":"m"}'],
  ['connection_established without epoch', '{"type":"connection_established","connectionId":"c","userId":"u","lastSeq":0,"heartbeatMs":1,"limits":{}}'],
];

describe('client: frames from the server are checked, not cast', () => {
  it('reports and drops every malformed frame, and goes on with the well-formed ones', async () => {
    const server = await rawServer();
    const { client, socket, errors, events } = await connected(server);
    for (const [, frame] of MALFORMED) socket.send(frame);
    socket.send(JSON.stringify(event(1)));
    await until(() => events.length === 1);
    expect(errors.map((error) => error.code)).toEqual(MALFORMED.map(() => 'PROTOCOL_ERROR'));
    expect(client.protocolErrors).toBe(MALFORMED.length);
    // None of them moved the client's state: no event, the stream still at seq 1, still connected.
    expect(events.map((e) => e.seq)).toEqual([1]);
    expect(client.position).toMatchObject({ epoch: 'e1', lastSeq: 1 });
    expect(client.state).toBe('connected');
  });

  it('a malformed event does not take its seq: the well-formed event with that seq is delivered', async () => {
    const server = await rawServer();
    const { client, socket, errors, events } = await connected(server);
    socket.send(JSON.stringify(event(1, { threadId: 42 })));
    socket.send(JSON.stringify(event(1)));
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ seq: 1, threadId: 't1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('threadId');
    expect(client.protocolErrors).toBe(1);
  });
});

describe('client: history answers are checked too', () => {
  it('a history event without its envelope fails the call with PROTOCOL_ERROR', async () => {
    const server = await rawServer();
    const { client } = await connected(server);
    const thread = { threadId: 't1', userId: 'u1', title: '', createdAt: 0, updatedAt: 0 };
    server.httpBody = { thread, epoch: 'e1', events: [event(1)], hasMore: false };
    expect((await client.history('t1')).events.map((e) => e.seq)).toEqual([1]);
    server.httpBody = { thread, epoch: 'e1', events: [event(1), event(2, { type: 'made_up' })], hasMore: false };
    await expect(client.history('t1')).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    server.httpBody = { thread, epoch: 'e1', hasMore: false };
    await expect(client.history('t1')).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });
});

describe('client: what it sends is a client message of the protocol', () => {
  it('user_message, ack, cancel and resume all pass the server schema', async () => {
    const server = await rawServer();
    const { client, socket } = await connected(server);
    const sent = client.send('hello', { agent: 'assistant' });
    await until(() => server.received.some((text) => text.includes('user_message')));
    const userMessage = JSON.parse(server.received.find((text) => text.includes('user_message')) ?? '{}') as { clientMessageId: string };
    socket.send(JSON.stringify({ type: 'run_accepted', clientMessageId: userMessage.clientMessageId, runId: 'r1', threadId: 't1' }));
    await expect(sent).resolves.toEqual({ runId: 'r1', threadId: 't1' });
    socket.send(JSON.stringify(event(1)));
    // Closing the client at the end rejects the pending cancel; that is not what this test is about.
    client.cancel('r1').catch(() => undefined);
    // seq 3 before 2: the client asks for the gap with an in-band resume.
    socket.send(JSON.stringify(event(3)));
    await until(() => ['ack', 'cancel', 'resume'].every((type) => server.received.some((text) => text.includes(`"type":"${type}"`))));
    const schema = clientMessageSchema(10_000);
    const parsed = server.received.map((text) => parseClientMessage(text, schema));
    expect(parsed.filter((result) => !result.ok)).toEqual([]);
    expect(new Set(parsed.map((result) => (result.ok ? result.message.type : '')))).toEqual(new Set(['user_message', 'ack', 'cancel', 'resume']));
  });
});
