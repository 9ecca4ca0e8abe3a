import 'server-only';
import type { ChatEvent } from '../../protocol/chat-events';
import { ChatError } from '../../protocol/errors';
import type { ReplyCheckpoint, ReplyFallback } from '../../store/chat-store';
import { createSseStream, type SseFraming } from '../http/sse-stream';
import { ApprovalWakeups } from '../approvals/approval-wakeups';


/** Sooner than the interval when this much event text piled up since the last checkpoint. */
export const CHECKPOINT_BYTES = 16 * 1024;
/** A run's events stay in memory this long after it ends, for late subscribers on this instance. */
export const ENDED_RUN_GRACE_MS = 60_000;

export interface ReplyRunInfo {
  id: string;
  userId: string;
  conversationId: string;
  parentId: string | null;
  provider: string;
  model: string;
}

/**
 * One reply's life on the instance generating it: its own abort (never the request's), every
 * event it emitted in order (for subscribers who come late: a reload, a second tab), and what
 * the next checkpoint must write. Subscribers only read; leaving never stops the reply.
 */
export class ReplyRun {
  readonly abort = new AbortController();
  /** Its tool calls waiting for the person's approval: an answer given on this instance wakes them. */
  readonly approvals = new ApprovalWakeups();
  private readonly events: ChatEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private ended = false;
  private timeLimit: ReturnType<typeof setTimeout> | undefined;
  endedAt = 0;
  /** The run row exists in the database (written beside the provider call); checkpoints wait for it. */
  persisted = false;
  private checkpointed = 0;
  private nextSeq = 0;
  private pendingBytes = 0;
  lastCheckpointAt = Date.now();
  /** The run's final checkpoint is written (or there is no database row to write it to). */
  settledInDb = false;
  /** Checkpoints written for this run (the figure docs/durable-replies.md quotes: about one a second). */
  checkpointsWritten = 0;

  constructor(
    readonly info: ReplyRunInfo,
    /** The row and settlement if the run died now; read at checkpoint time only. */
    private readonly fallbackOf: (events: readonly ChatEvent[]) => ReplyFallback | null,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  emit(event: ChatEvent): void {
    if (this.ended) return;
    this.events.push(event);
    // A size estimate without serialising each token: deltas by their length, others at a guess.
    this.pendingBytes += 'delta' in event ? event.delta.length + 32 : 256;
    for (const listener of this.listeners) listener();
  }

  end(): void {
    if (this.ended) return;
    if (this.timeLimit) clearTimeout(this.timeLimit);
    this.ended = true;
    this.endedAt = Date.now();
    for (const listener of this.listeners) listener();
  }

  /** A reply nobody stops still ends: after `seconds`, stopped with an error saying so. */
  limitDuration(seconds: number): void {
    this.timeLimit = setTimeout(
      () => this.stop(new ChatError('aborted', `The reply reached its time limit of ${seconds} s.`, { details: { reason: 'time_limit' } })),
      // setTimeout fires at once past 2^31 ms (24.8 days): a longer limit is no limit.
      Math.min(seconds * 1000, 2 ** 31 - 1),
    );
    this.timeLimit.unref?.();
  }

  /** Aborts the provider call; `reason` (a ChatError) becomes the reply's error when given. */
  stop(reason?: unknown): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
  }

  /** What the run would leave if its instance died now (the run row carries it from the start). */
  fallbackNow(): ReplyFallback | null {
    return this.fallbackOf(this.events);
  }

  /** Whether a checkpoint is due: the interval passed with something new, 16 KB piled up, or the end. */
  checkpointDue(now: number, intervalMs: number): boolean {
    if (!this.persisted || this.settledInDb) return false;
    if (this.ended) return true;
    if (this.pendingBytes >= CHECKPOINT_BYTES) return true;
    return now - this.lastCheckpointAt >= intervalMs;
  }

  /**
   * The next checkpoint: the events since the last one, deltas coalesced, and the fallback.
   * `written` or `failed` must follow: a failed one is taken again, whole, at the next tick.
   */
  takeCheckpoint(now: number): { checkpoint: ReplyCheckpoint; written: () => void; failed: () => void } {
    const from = this.checkpointed;
    const fresh = coalesceDeltas(this.events.slice(from));
    const ended = this.ended;
    const checkpoint: ReplyCheckpoint = {
      id: this.info.id,
      seq: this.nextSeq,
      events: fresh,
      fallback: ended ? null : this.fallbackOf(this.events),
      ended,
    };
    this.checkpointed = this.events.length;
    if (fresh.length > 0) this.nextSeq += 1;
    this.pendingBytes = 0;
    this.lastCheckpointAt = now;
    return {
      checkpoint,
      written: () => {
        this.checkpointsWritten += 1;
        if (ended) this.settledInDb = true;
      },
      failed: () => {
        this.checkpointed = from;
        if (fresh.length > 0) this.nextSeq -= 1;
        this.pendingBytes = CHECKPOINT_BYTES;
      },
    };
  }

  /**
   * The reply as SSE, from its first event, then live, to its end. Cancelling only unsubscribes.
   * `framing` writes it in another protocol (the AI SDK's); default: ours.
   */
  subscribe(pingIntervalMs: number, framing: SseFraming = {}): ReadableStream<Uint8Array> {
    let listener: (() => void) | undefined;
    const unsubscribe = () => {
      if (listener) this.listeners.delete(listener);
    };
    return createSseStream(
      (writer) => {
        let sent = 0;
        listener = () => {
          while (sent < this.events.length && writer.send(this.events[sent]!)) sent += 1;
          if (this.ended || writer.closed) {
            unsubscribe();
            writer.close();
          }
        };
        this.listeners.add(listener);
        listener();
      },
      { pingIntervalMs, onCancel: unsubscribe, ...framing },
    );
  }
}

/** Consecutive text and reasoning deltas as one event each: a checkpoint's chunk stays small. */
export function coalesceDeltas(events: readonly ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if (last && (event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'refusal-delta') && last.type === event.type) {
      out[out.length - 1] = { type: event.type, delta: last.delta + event.delta };
    } else {
      out.push(event);
    }
  }
  return out;
}
