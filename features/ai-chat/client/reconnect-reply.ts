import type { ChatTransport, OpenReply, TurnOutcome } from './chat-transport';
import type { ChatMessageView } from './chat-message-view';
import type { MessageStore } from './message-store';
import { BrokenStreamError } from './stream-reply';

/**
 * The waits before each attempt to read a reply again after its stream broke: from 0.5 s,
 * doubling, capped at 8 s (each ±20 %); about 30 s in all before the reply shows the lost connection.
 */
export const RECONNECT_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];

/**
 * How reading a reply again ended: as any read does, or `ended`, the server keeps no stream of
 * it any more (it ended meanwhile, and its saved row is in the conversation).
 */
export type ReconnectOutcome = TurnOutcome | { kind: 'ended' };

/** The stream broke before its end: the reply goes on on the server, so it can be read again. */
export function isBrokenStream(outcome: TurnOutcome): outcome is Extract<TurnOutcome, { kind: 'failed' }> {
  return outcome.kind === 'failed' && outcome.error instanceof BrokenStreamError;
}

/** The request to read the reply again did not reach the server (still offline). */
function unreachable(outcome: TurnOutcome): boolean {
  return outcome.kind === 'failed' && !outcome.started && outcome.error.code === 'network';
}

/**
 * Reads a reply whose stream broke again, from its start (the server replays it), into the same
 * row: what the row showed is replaced by the replay as soon as the replay answers, so no text
 * shows twice. Tries again after each wait while the connection stays broken; a wait ends early
 * when the browser comes back online. `read` is one read of the reply (`requestTurn`).
 */
export async function reconnectReply(
  target: {
    transport: ChatTransport;
    replyId: string;
    store: MessageStore;
    assistantKey: string;
    signal: AbortSignal;
    /** What the row held before the reply (a Continue's words so far); the replay starts from it. */
    base?: Pick<ChatMessageView, 'content' | 'parts' | 'tools'>;
  },
  read: (open: OpenReply) => Promise<TurnOutcome>,
  broken: Extract<TurnOutcome, { kind: 'failed' }>,
  delaysMs: readonly number[] = RECONNECT_DELAYS_MS,
): Promise<ReconnectOutcome> {
  const { transport, replyId, store, assistantKey, signal, base } = target;
  const open: OpenReply = async (attempt) => {
    const events = await transport.attachReply(replyId, attempt);
    clearReply(store, assistantKey, base);
    return events;
  };
  let last: Extract<TurnOutcome, { kind: 'failed' }> = broken;
  store.update(assistantKey, { reconnecting: true });
  try {
    for (const delay of delaysMs) {
      try {
        // Jittered, so the readers of a server that restarted do not all come back at once.
        await waitForConnection(delay * (0.8 + Math.random() * 0.4), signal);
      } catch {
        // Let go of (detach) or stopped while waiting: as if the stream had been aborted.
        return { kind: 'stopped', started: true };
      }
      const outcome = await read(open);
      if (outcome.kind === 'failed' && !outcome.started && outcome.error.code === 'not_found') return { kind: 'ended' };
      if (unreachable(outcome)) continue;
      // The turn started the first time, whether or not this read got as far as its `start`.
      const started = outcome.kind === 'finished' ? outcome : { ...outcome, started: true };
      if (!isBrokenStream(started)) return started;
      last = started;
    }
    return last;
  } finally {
    store.update(assistantKey, { reconnecting: false });
  }
}

/**
 * Runs one read of a reply with a signal of its own, and counts the browser going offline while
 * the reply streams (`streaming()`) as the stream breaking: a connection stalled by a lost
 * network may say nothing for minutes. Aborting `signal` (detach, a stop) aborts the read as before.
 */
export async function readWhileOnline(
  signal: AbortSignal,
  streaming: () => boolean,
  read: (signal: AbortSignal) => Promise<TurnOutcome>,
): Promise<TurnOutcome> {
  const attempt = new AbortController();
  let wentOffline = false;
  const onAbort = () => attempt.abort(signal.reason);
  const onOffline = () => {
    if (!streaming() || attempt.signal.aborted) return;
    wentOffline = true;
    attempt.abort();
  };
  if (signal.aborted) attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  globalThis.addEventListener?.('offline', onOffline);
  try {
    const outcome = await read(attempt.signal);
    if (wentOffline && !signal.aborted && outcome.kind === 'stopped') {
      return { kind: 'failed', started: outcome.started, error: new BrokenStreamError() };
    }
    return outcome;
  } finally {
    signal.removeEventListener('abort', onAbort);
    globalThis.removeEventListener?.('offline', onOffline);
  }
}

/** The row as before its first event, for a replay to fill again. */
const EMPTY = { content: '', parts: [], tools: [] };

function clearReply(store: MessageStore, key: string, base: Pick<ChatMessageView, 'content' | 'parts' | 'tools'> = EMPTY): void {
  store.flush();
  store.update(key, { ...base, thinkingSince: null, retrying: null, finishReason: null });
}

/** Waits `ms`, or less when the browser comes back online; rejects when `signal` aborts. */
function waitForConnection(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      globalThis.removeEventListener?.('online', done);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      globalThis.removeEventListener?.('online', done);
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    globalThis.addEventListener?.('online', done, { once: true });
  });
}

