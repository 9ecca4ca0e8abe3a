import 'server-only';

/**
 * The approvals a reply waits on, on the instance generating it: an answer given here wakes its
 * wait at once; one given on another instance is seen at the wait's next read of the row.
 */
export class ApprovalWakeups {
  private readonly waiting = new Map<string, () => void>();

  /** Resolves on `wake(id)`, or when `sleep` does (the next poll), whichever comes first. */
  wait(id: string, sleep: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const stopSleeping = new AbortController();
    const woken = new Promise<void>((resolve) => this.waiting.set(id, resolve));
    return Promise.race([woken, sleep(stopSleeping.signal)]).finally(() => {
      stopSleeping.abort();
      this.waiting.delete(id);
    });
  }

  wake(id: string): void {
    this.waiting.get(id)?.();
  }
}
