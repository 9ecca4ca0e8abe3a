import 'server-only';

/**
 * The time an approval waits by: real timers in the app, a clock the test moves in tests (no
 * real sleeps). `sleep` resolves early when `signal` aborts.
 */
export interface ApprovalClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: ApprovalClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface ToolApprovalOptions {
  /** How long a call waits for its answer; then it is denied and the model told. Default 300 s. */
  timeoutSeconds?: number;
  /** How often the waiting server reads the approval's row (answers given on another instance). Default 500 ms. */
  pollMs?: number;
  /** Test seam: the clock the wait runs by. */
  clock?: ApprovalClock;
}

export type ResolvedToolApprovalOptions = Required<ToolApprovalOptions>;

export function resolveToolApprovalOptions(options: ToolApprovalOptions = {}): ResolvedToolApprovalOptions {
  return { timeoutSeconds: options.timeoutSeconds ?? 300, pollMs: options.pollMs ?? 500, clock: options.clock ?? systemClock };
}
