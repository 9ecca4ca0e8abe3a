import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Replays recorded Anthropic Messages SSE streams (the `.sse` files beside this one) over a
 * loopback HTTP server, byte for byte, one per request, and keeps each request body so a test
 * can check what the adapter sent back (a signature, say).
 */
export interface ReplayServer {
  url: string;
  /** The JSON bodies received, in order. */
  bodies: Array<Record<string, unknown>>;
  /** Queue recordings by file name (`thinking-tool-use.sse`); each answers one request. */
  play(...names: string[]): void;
  close(): Promise<void>;
}

export function recording(name: string): string {
  return readFileSync(new URL(name, import.meta.url), 'utf8');
}

export async function startReplayServer(): Promise<ReplayServer> {
  const queue: string[] = [];
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      const name = queue.shift();
      if (req.url?.split('?')[0] !== '/v1/messages' || name === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'No recording queued' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_replay' });
      // Frame by frame, as the API flushes them, so the SDK's parser sees real boundaries.
      const frames = recording(name).split(/(?<=\n\n)/);
      const write = () => {
        const frame = frames.shift();
        if (frame === undefined) return void res.end();
        res.write(frame, () => setImmediate(write));
      };
      write();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    play: (...names) => queue.push(...names),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
