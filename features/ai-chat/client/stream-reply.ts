import type { ChatEvent } from '../protocol/chat-events';
import { ChatError } from '../protocol/errors';
import type { ChatMessageState } from './chat-message-view';
import { chatErrorFromCode, toChatError } from './http-error';
import type { MessageStore } from './message-store';
import type { ChatTransport, ReplyEvents } from './chat-transport';
import { endReasoning, startReasoning, textBecomesRefusal } from '../protocol/reduce-parts';
import { withToolApproval } from './tool-approval-view';

type StartEvent = Extract<ChatEvent, { type: 'start' }>;

export interface StreamReplyTarget {
  store: MessageStore;
  /** The rows of the optimistic user message and of the reply being written. */
  userKey: string;
  assistantKey: string;
  /** For an edit or regenerate: the versions of the message being replaced (the new one is added). */
  replacedSiblings?: readonly string[];
  /** Which message gets a new version: the user's (edit, default) or the reply (regenerate). */
  replacing?: 'user' | 'assistant';
  onStart: (event: StartEvent) => void;
  /** Aborted when the user stops the reply. */
  signal?: AbortSignal;
}

/**
 * The connection broke before the reply's end (no `finish` or `error` event came): the server
 * may still be writing the reply, so it can be read again. An `error` event is never this.
 */
export class BrokenStreamError extends ChatError {
  constructor(cause?: unknown) {
    super('network', 'The connection was lost before the reply finished.', { cause });
    this.name = 'BrokenStreamError';
  }
}

const FINISH_STATE: Record<string, ChatMessageState> = { aborted: 'partial', error: 'error' };

/**
 * Mirrors one POST /api/chat response into the store: ids from `start`, text deltas (batched per
 * frame by the store), tools, usage, and the final state. Resolves on `finish`; rejects with a
 * ChatError on an `error` event or when the body ends without `finish` (a lost connection).
 */
export async function streamReply(read: ReplyEvents, target: StreamReplyTarget): Promise<void> {
  const { store, userKey, assistantKey } = target;
  let finished = false;
  let failure: ChatError | undefined;

  /** The thinking block under way ends after `durationMs`; the reasoning shown so far is kept. */
  const stopThinking = (durationMs: number) => {
    store.flush();
    const current = store.getMessage(assistantKey);
    if (!current) return;
    store.update(assistantKey, { parts: endReasoning(current.parts, Math.max(0, Math.round(durationMs))), thinkingSince: null });
  };

  const reading = read((event) => {
    switch (event.type) {
      case 'start': {
        if (event.continues) {
          // Continue: the words join the reply shown, which keeps its ids (`finish` names it).
          store.update(assistantKey, { state: 'streaming', provider: event.provider, model: event.model, finishReason: null, notice: null });
          target.onStart(event);
          return;
        }
        const replyIsNewVersion = target.replacing === 'assistant';
        const versions = (id: string) => (target.replacedSiblings ? [...target.replacedSiblings, id] : []);
        // A regenerate answers a question already saved and shown: its row stays as it is.
        if (!replyIsNewVersion) {
          store.update(userKey, { id: event.userMessageId, state: 'complete', siblingIds: versions(event.userMessageId) });
        }
        store.update(assistantKey, {
          id: event.assistantMessageId,
          parentId: event.userMessageId,
          state: 'streaming',
          provider: event.provider,
          model: event.model,
          siblingIds: replyIsNewVersion ? versions(event.assistantMessageId) : [],
        });
        target.onStart(event);
        return;
      }
      case 'retrying':
        store.update(assistantKey, {
          retrying: { attempt: event.attempt, retryAfterSeconds: event.retryAfterSeconds, reason: event.reason, since: Date.now() },
        });
        return;
      case 'text-delta': {
        const current = store.getMessage(assistantKey);
        if (current?.retrying) store.update(assistantKey, { retrying: null });
        // An answer ends the thinking, should the server not have said so.
        if (current?.thinkingSince != null) stopThinking(Date.now() - current.thinkingSince);
        store.appendText(assistantKey, event.delta);
        return;
      }
      case 'reasoning-start': {
        const current = store.getMessage(assistantKey);
        if (!current) return;
        store.flush();
        const latest = store.getMessage(assistantKey)!;
        store.update(assistantKey, {
          retrying: null,
          parts: startReasoning(latest.parts, latest.provider),
          thinkingSince: Date.now(),
        });
        return;
      }
      case 'reasoning-delta': {
        const current = store.getMessage(assistantKey);
        if (current && current.thinkingSince === null && current.parts[current.parts.length - 1]?.type !== 'reasoning') {
          // Reasoning text without its start: it began now.
          store.update(assistantKey, { retrying: null, thinkingSince: Date.now() });
        }
        store.appendStreamed(assistantKey, 'reasoning', event.delta);
        return;
      }
      case 'reasoning-end':
        stopThinking(event.durationMs);
        return;
      case 'refusal-delta': {
        const current = store.getMessage(assistantKey);
        if (current?.thinkingSince != null) stopThinking(Date.now() - current.thinkingSince);
        store.appendStreamed(assistantKey, 'refusal', event.delta);
        return;
      }
      case 'text-is-refusal': {
        // The server found the text it streamed to be the model's refusal: shown as one.
        store.flush();
        const latest = store.getMessage(assistantKey);
        if (latest) store.update(assistantKey, { parts: textBecomesRefusal(latest.parts), content: '' });
        return;
      }
      case 'tool-call': {
        const current = store.getMessage(assistantKey);
        if (current) store.update(assistantKey, { tools: [...current.tools, { id: event.id, name: event.name, args: event.args }] });
        return;
      }
      case 'tool-result': {
        const current = store.getMessage(assistantKey);
        if (current) {
          const tools = current.tools.map((tool) => (tool.id === event.id ? { ...tool, result: event.result } : tool));
          store.update(assistantKey, { tools });
        }
        return;
      }
      case 'tool-approval-request':
      case 'tool-approval-response': {
        const current = store.getMessage(assistantKey);
        if (current) store.update(assistantKey, { tools: withToolApproval(current.tools, event, current.id) });
        return;
      }
      case 'usage':
        store.update(assistantKey, {
          tokens: event.completionTokens,
          cost: event.cost,
          cachedPromptTokens: event.cachedPromptTokens ? event.cachedPromptTokens : null,
        });
        return;
      case 'finish': {
        finished = true;
        const current = store.getMessage(assistantKey);
        if (current?.thinkingSince != null) stopThinking(Date.now() - current.thinkingSince);
        store.flush();
        store.update(assistantKey, {
          id: event.messageId,
          state: FINISH_STATE[event.finishReason] ?? 'complete',
          finishReason: event.finishReason,
          retrying: null,
        });
        return;
      }
      case 'error':
        failure = chatErrorFromCode(event.code, event.message, event.reason ? { reason: event.reason } : undefined);
        return;
    }
  }, target.signal);
  try {
    await reading;
  } catch (error) {
    // The body itself broke (not a stop, not a bad event): the reply may go on on the server.
    if (!target.signal?.aborted && !failure && toChatError(error).code === 'network') throw new BrokenStreamError(error);
    throw error;
  }

  if (failure) throw failure;
  if (!finished) throw new BrokenStreamError();
}

/**
 * How long a stopped reply's stream may take to end before the reader gives up on it and re-reads
 * the conversation instead. The server ends it within about a second.
 */
export const STOP_GRACE_MS = 3_000;

/**
 * One reply being read on the client: its stream, the server's id for it, and the two ways the
 * reader lets go of it. `stop` asks the server to stop the reply (for every tab reading it) and
 * reads on until the stream ends as stopped; `detach` only stops reading, and the server goes on
 * writing and saving the reply (leaving the chat, New chat, unmount).
 */
export class ReplyReading {
  private readonly controller = new AbortController();
  private serverId: string | null = null;
  private stopping = false;
  private grace: ReturnType<typeof setTimeout> | null = null;
  private detachedByReader = false;

  constructor(private readonly transport: ChatTransport) {}

  /** Aborted when the reader lets go of the stream (detach, or a stop the server could not take). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the reader let go without stopping the reply: nothing of its ending is shown. */
  get detached(): boolean {
    return this.detachedByReader;
  }

  /** The server's id for the reply, once its `start` named it. */
  get replyId(): string | null {
    return this.serverId;
  }

  /** True once this reader asked the server to stop the reply. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** The server named the reply (its `start`): a Stop asked for before then is sent now. */
  named(replyId: string): void {
    this.serverId = replyId;
    if (this.stopping) void this.sendStop(replyId);
  }

  /** Asks the server to stop the reply; the stream then ends with what was written, as stopped. */
  stop(): void {
    if (this.stopping || this.signal.aborted) return;
    this.stopping = true;
    // Not named yet: the stop goes with the `start`, unless that never comes.
    this.armGrace();
    if (this.serverId) void this.sendStop(this.serverId);
  }

  /** Stops reading only: the reply goes on on the server, and a later load attaches to it again. */
  detach(): void {
    this.detachedByReader = true;
    this.end();
    this.controller.abort();
  }

  /** The stream has ended: nothing is waited for any more. */
  end(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = null;
  }

  private async sendStop(replyId: string): Promise<void> {
    try {
      await this.transport.stopReply(replyId);
      this.armGrace();
    } catch {
      // Gone (404: it ended and was saved) or the server is unreachable: no stream will tell how
      // it ended, so stop reading; the conversation is re-read as saved.
      this.giveUp();
    }
  }

  private armGrace(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = setTimeout(() => this.giveUp(), STOP_GRACE_MS);
  }

  private giveUp(): void {
    this.end();
    this.controller.abort();
  }
}
