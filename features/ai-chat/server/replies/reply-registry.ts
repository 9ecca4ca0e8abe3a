import 'server-only';
import type { NewReplyRun, ReplyRunStore } from '../../store/chat-store';
import { ENDED_RUN_GRACE_MS, type ReplyRun } from './reply-run';

export interface ReplyRegistryOptions {
  store: ReplyRunStore;
  /** A run is checkpointed at most this often (sooner on 16 KB of events). */
  checkpointIntervalMs: number;
  /** How often the instance asks the database whether any of its runs was asked to stop. */
  stopPollMs: number;
  /** A generating run without a checkpoint for this long is interrupted by a sweeper. */
  staleReplySeconds: number;
  /** How often the sweeper runs while the handler is used. */
  sweepIntervalMs: number;
}

/**
 * The reply runs of this instance (one per handler), and their one timer: each tick is at most
 * one database statement for all of them (checkpoints of the runs that are due, and the stop
 * requests of the live ones), so the cost does not grow with tokens, and grows with runs only in
 * the size of one statement.
 */
export class ReplyRegistry {
  private readonly runs = new Map<string, ReplyRun>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticking = false;
  private sweeping: Promise<void> | null = null;
  private lastSweepAt = 0;
  private halted = false;
  private lastErrorLogAt = 0;
  /** Statements the ticks sent (checkpoints and stop polls), for tests and benchmarks. */
  ticks = 0;

  constructor(readonly options: ReplyRegistryOptions) {}

  get store(): ReplyRunStore {
    return this.options.store;
  }

  add(run: ReplyRun): void {
    this.runs.set(run.info.id, run);
    this.ensureTimer();
  }

  /** Writes the run's row beside the provider call; until it lands the run is not checkpointed. */
  persist(run: ReplyRun, row: NewReplyRun): void {
    void this.options.store.start(row).then(
      (started) => this.persisted(run, started),
      (error: unknown) => {
        this.persisted(run, false);
        console.error('ai-chat: could not record the reply run; it will not survive this instance', error);
      },
    );
  }

  /** The run's row was written (with its question, or by persist), or could not be: then it is never checkpointed. */
  persisted(run: ReplyRun, started: boolean): void {
    if (started) run.persisted = true;
    else run.settledInDb = true;
  }

  /** This user's run on this instance, if it is here (ended ones for a grace period). */
  get(id: string, userId: string): ReplyRun | undefined {
    const run = this.runs.get(id);
    return run && run.info.userId === userId ? run : undefined;
  }

  /** Called on every request: the sweeper runs on first use and then every few seconds. */
  touch(): void {
    if (this.halted || Date.now() - this.lastSweepAt < this.options.sweepIntervalMs) return;
    void this.sweep();
  }

  /** Marks interrupted the runs of dead instances (or only `id`). Never throws. */
  sweep(id?: string): Promise<void> {
    if (id === undefined) {
      if (this.sweeping) return this.sweeping;
      this.lastSweepAt = Date.now();
    }
    const work = this.options.store
      .sweep(this.options.staleReplySeconds, id)
      .then(() => undefined)
      .catch((error: unknown) => this.logError('could not sweep stale replies', error));
    if (id === undefined) {
      this.sweeping = work.finally(() => {
        this.sweeping = null;
      });
      return this.sweeping;
    }
    return work;
  }

  /** Test seam: the instance "dies": no more checkpoints, stop polls or sweeps. */
  halt(): void {
    this.halted = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureTimer(): void {
    if (this.timer || this.halted) return;
    this.timer = setInterval(() => void this.tick(), this.options.stopPollMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.halted) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const [id, run] of this.runs) {
        // After the grace an ended run goes, its last checkpoint written or not (the database
        // may be gone for good): the saved message is what counts, and the sweeper's fallback.
        const gone = run.isEnded && now - run.endedAt > ENDED_RUN_GRACE_MS;
        if (gone) this.runs.delete(id);
      }
      const runs = [...this.runs.values()];
      const due = runs.filter((run) => run.checkpointDue(now, this.options.checkpointIntervalMs));
      const live = runs.filter((run) => run.persisted && !run.isEnded && !run.abort.signal.aborted).map((run) => run.info.id);
      if (due.length > 0 || live.length > 0) {
        const taken = due.map((run) => run.takeCheckpoint(now));
        this.ticks += 1;
        try {
          const stops = await this.options.store.tick(
            taken.map((t) => t.checkpoint),
            live,
          );
          for (const t of taken) t.written();
          for (const id of stops) this.runs.get(id)?.stop();
        } catch (error) {
          for (const t of taken) t.failed();
          this.logError('could not checkpoint replies', error);
        }
      }
      // While this instance has replies running it sweeps too; idle, only requests trigger it.
      if (live.length > 0 && now - this.lastSweepAt >= this.options.sweepIntervalMs) void this.sweep();
      if (this.runs.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    } finally {
      this.ticking = false;
    }
  }

  /** At most one log line a second: a database outage must not flood the logs four times a second. */
  private logError(what: string, error: unknown): void {
    if (Date.now() - this.lastErrorLogAt < 1_000) return;
    this.lastErrorLogAt = Date.now();
    console.error(`ai-chat: ${what}`, error);
  }
}
