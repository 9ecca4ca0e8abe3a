import type { ApprovalClock } from '@/features/ai-chat/server/approvals/approval-clock';

/** An approval clock the test moves: no real sleeps. `sleeping()` waits until a wait is asleep on it. */
export interface TestClock extends ApprovalClock {
  advance(ms: number): void;
  sleeping(): Promise<void>;
}

export function createTestClock(start = Date.UTC(2026, 11, 7, 12)): TestClock {
  let now = start;
  let sleepers: { due: number; resolve: () => void }[] = [];
  const onSleep: (() => void)[] = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        const sleeper = { due: now + ms, resolve };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          resolve();
        }, { once: true });
        for (const wake of onSleep.splice(0)) wake();
      });
    },
    advance(ms) {
      now += ms;
      const due = sleepers.filter((s) => s.due <= now);
      sleepers = sleepers.filter((s) => s.due > now);
      for (const sleeper of due) sleeper.resolve();
    },
    sleeping() {
      return sleepers.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => onSleep.push(resolve));
    },
  };
}
