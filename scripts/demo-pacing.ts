/**
 * How long the demo assistant's runs take with and without its simulated pacing, measured from
 * the events' own timestamps (first event to terminal). Rerun:
 *   node --conditions=agentwire-source --import tsx scripts/demo-pacing.ts
 */
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { AgentwireClient, type WebSocketConstructor } from 'agentwire/client';
import { silentLogger, startServer } from 'agentwire/server';

const SECRET = 'demo-pacing-figure-secret-of-at-least-32-bytes';
const QUESTIONS = ['What is 17 * 23?', 'What time is it in Tokyo?', 'How does resume work?', 'Can you recommend a good book about Rome?'];

async function spans(demoPacing: boolean): Promise<number[]> {
  const server = await startServer({ port: 0, host: '127.0.0.1', auth: { jwtSecret: SECRET }, demoPacing, logger: silentLogger });
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('pacing').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const client = new AgentwireClient({ url: server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
  try {
    await client.connect();
    const out: number[] = [];
    for (const question of QUESTIONS) {
      const { runId } = await client.send(question);
      const events = [];
      for await (const event of client.run(runId)) events.push(event);
      out.push(Date.parse(events.at(-1)?.ts ?? '') - Date.parse(events[0]?.ts ?? ''));
    }
    return out;
  } finally {
    client.close();
    await server.close();
  }
}

for (const demoPacing of [false, true]) {
  const ms = await spans(demoPacing);
  console.log(`demoPacing=${demoPacing}: ${ms.map((m, i) => `${QUESTIONS[i]} ${m} ms`).join(' | ')}`);
}
