import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { onCleanup } from './run-steps';

/** A loopback HTTP server for the shadcn CLI: the built registry items, plus the files it reads from REGISTRY_URL. */
export interface StaticRegistry {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request it answered, `GET /r/ai-chat.json 200`, for the proof's log. */
  requests: string[];
}

/**
 * Serves `/r/<name>.json` from `builtDir` (the `shadcn build` output) and `/r/<extra path>` from
 * `extra` (the base colour the CLI would fetch from ui.shadcn.com). Anything else is a 404, logged,
 * so a file the CLI wanted and did not get shows in the proof's output.
 */
export async function serveRegistry(builtDir: string, extra: Record<string, unknown>): Promise<StaticRegistry> {
  const requests: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, body: string) => {
      requests.push(`${request.method} ${url.pathname} ${status}`);
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    const name = url.pathname.replace(/^\/r\//, '');
    if (name in extra) return answer(200, JSON.stringify(extra[name]));
    if (/^[\w-]+\.json$/.test(name)) {
      try {
        return answer(200, await readFile(path.join(builtDir, name), 'utf8'));
      } catch {
        // not built: a 404 below
      }
    }
    answer(404, JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup('stop the loopback registry', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the loopback registry has no port');
  return { url: `http://127.0.0.1:${address.port}`, requests };
}
