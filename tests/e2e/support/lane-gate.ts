import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where a browser test file waits for its lane: the global setup waits for the first lane only and
 * starts the next one after it (each `next start` prepares its own embedded database, seconds of
 * CPU, so one lane at a time comes up soonest). A file waits here until its lane is ready, or
 * fails with the reason its lane could not start.
 */
export interface LaneGate {
  url: string;
  close(): Promise<void>;
}

export async function startLaneGate(ready: readonly Promise<unknown>[]): Promise<LaneGate> {
  // Settled once, so a lane that fails before any file asks is not an unhandled rejection.
  const outcomes = ready.map((promise) =>
    promise.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
    ),
  );
  const server = createServer((req, res) => {
    const lane = Number(/^\/lanes\/(\d+)\/ready$/.exec(req.url ?? '')?.[1] ?? NaN);
    const outcome = outcomes[lane];
    if (!outcome) return res.writeHead(404).end(`no lane ${req.url}`);
    void outcome.then((result) => (result.ok ? res.writeHead(200).end('ready') : res.writeHead(500).end(result.reason)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once lane `index` is up; throws with why it could not start. */
export async function waitForLane(url: string, index: number): Promise<void> {
  const response = await fetch(`${url}/lanes/${index}/ready`);
  if (!response.ok) throw new Error(`lane ${index + 1} of the browser suite did not start:\n${await response.text()}`);
}
