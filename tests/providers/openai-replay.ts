import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const OPENAI_RECORDINGS = join(process.cwd(), 'tests/support/fake-providers/recordings/openai');

/** A recording's SSE body. */
export function readRecording(name: string): Promise<string> {
  return readFile(join(OPENAI_RECORDINGS, name), 'utf8');
}

/** The parsed `data` of every frame of a recording, `[DONE]` left out. */
export function framesOf(sse: string): Array<Record<string, unknown>> {
  return sse
    .split('\n\n')
    .map((frame) => /^data: (.*)$/m.exec(frame)?.[1])
    .filter((data): data is string => data !== undefined && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Record<string, unknown>);
}

export interface ReplayServer {
  /** Base URL for the SDK (`…/v1`). */
  url: string;
  /** The JSON bodies received, in order, with the path each went to. */
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

/**
 * A loopback server that answers each POST with the next recording, written frame by frame as
 * the API streams it. A request beyond the recordings gets a 500 so the test sees it.
 */
export async function startReplay(recordings: readonly string[]): Promise<ReplayServer> {
  const bodies = await Promise.all(recordings.map(readRecording));
  const requests: ReplayServer['requests'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      requests.push({ path: req.url ?? '', body: await readJson(req) });
      const body = bodies.shift();
      if (body === undefined) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no recording left', type: 'server_error', code: null, param: null } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_replay' });
      for (const frame of body.split(/(?<=\n\n)/)) {
        res.write(frame);
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
