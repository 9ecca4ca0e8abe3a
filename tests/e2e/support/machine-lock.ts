import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A readers-writer lock on the machine, between the browser suite's test files (each in its own
 * process): a test holds it shared while it runs, and a test with a time bound (RUNS_ALONE) holds
 * it exclusive, so nothing runs beside it. Requests are granted in arrival order, so a test
 * waiting to run alone is not starved by the other lane's next tests.
 *
 * Held as an open HTTP response: the lock is released when the holder's connection closes, so a
 * test process that crashes or is killed cannot leave the other lane waiting.
 */
export type Hold = 'shared' | 'exclusive';

export interface MachineLock {
  url: string;
  /** How many holds are queued, not yet granted. */
  waiting(): number;
  /** Who holds it now. */
  holders(): { shared: number; exclusive: boolean };
  close(): Promise<void>;
}

interface Waiter {
  hold: Hold;
  grant(): void;
}

export async function startMachineLock(): Promise<MachineLock> {
  let sharedHolders = 0;
  let exclusiveHeld = false;
  const queue: Waiter[] = [];
  const grantable = (hold: Hold) => !exclusiveHeld && (hold === 'shared' || sharedHolders === 0);
  const pump = () => {
    while (queue.length > 0 && grantable(queue[0]!.hold)) queue.shift()!.grant();
  };

  const server = createServer((req, res: ServerResponse) => {
    const hold: Hold = new URL(req.url ?? '/', 'http://lock').searchParams.get('hold') === 'exclusive' ? 'exclusive' : 'shared';
    let granted = false;
    const waiter: Waiter = {
      hold,
      grant() {
        granted = true;
        if (hold === 'exclusive') exclusiveHeld = true;
        else sharedHolders += 1;
        res.writeHead(200, { 'content-type': 'text/plain' }).write('granted\n');
      },
    };
    res.on('close', () => {
      if (!granted) {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
      } else if (hold === 'exclusive') exclusiveHeld = false;
      else sharedHolders -= 1;
      pump();
    });
    queue.push(waiter);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    waiting: () => queue.length,
    holders: () => ({ shared: sharedHolders, exclusive: exclusiveHeld }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until the lock is granted; the returned function releases it. */
export function holdMachine(url: string, hold: Hold): Promise<() => void> {
  return new Promise((resolve, reject) => {
    // Its own connection (no keep-alive pool): closing it is the release.
    const request = get(`${url}/?hold=${hold}`, { agent: false }, (response) => {
      response.once('data', () => resolve(() => request.destroy()));
      response.once('error', reject);
    });
    request.once('error', reject);
  });
}
