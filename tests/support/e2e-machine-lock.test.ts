import { get } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdMachine, startMachineLock, type MachineLock } from '../e2e/support/machine-lock';

// The browser suite's lanes share the machine through this lock (tests/e2e/support/lanes.ts): a
// file that runs alone must get the machine to itself, and must not wait forever.
describe('the browser suite’s machine lock', () => {
  let lock: MachineLock;
  afterEach(() => lock?.close());

  /** Until the lock has `count` holds queued (requests arrive over their own connections). */
  const queued = (count: number) => vi.waitFor(() => expect(lock.waiting()).toBe(count), { interval: 5 });

  /** Records when each hold is granted, by name. */
  function recorder() {
    const order: string[] = [];
    const take = (name: string, hold: 'shared' | 'exclusive') =>
      holdMachine(lock.url, hold).then((release) => (order.push(name), release));
    return { order, take };
  }

  it('shares between shared holders; an exclusive one waits for them, and later shared ones wait behind it', async () => {
    lock = await startMachineLock();
    const { order, take } = recorder();
    const [a, b] = await Promise.all([take('a', 'shared'), take('b', 'shared')]);
    const alone = take('alone', 'exclusive');
    await queued(1);
    const after = take('after', 'shared');
    await queued(2);
    a();
    // One shared holder left: the exclusive hold and the shared one queued behind it both wait.
    await vi.waitFor(() => expect(lock.holders()).toEqual({ shared: 1, exclusive: false }), { interval: 5 });
    expect(lock.waiting()).toBe(2);
    expect(order).toEqual(['a', 'b']);
    b();
    const releaseAlone = await alone;
    expect(order).toEqual(['a', 'b', 'alone']);
    releaseAlone();
    (await after)();
    expect(order).toEqual(['a', 'b', 'alone', 'after']);
  });

  it('a holder whose connection closes (its process died) frees the lock; a waiter that leaves is forgotten', async () => {
    lock = await startMachineLock();
    const { order, take } = recorder();
    const crashed = await take('crashed', 'exclusive');
    // A waiter whose process dies before its turn: its connection closes without being granted.
    const leaver = get(`${lock.url}/?hold=exclusive`, { agent: false });
    leaver.on('error', () => undefined);
    await queued(1);
    const next = take('next', 'shared');
    await queued(2);
    leaver.destroy();
    await queued(1);
    crashed(); // what the holder's process exiting does: its socket closes
    (await next)();
    expect(order).toEqual(['crashed', 'next']);
  });
});
