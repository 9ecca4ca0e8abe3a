import type { ChatEvent } from '../protocol/chat-events';
import { ChatError } from '../protocol/errors';
import type { ChatMessageState } from './chat-message-view';
import { chatErrorFromCode, toChatError } from './http-error';
import type { MessageStore } from './message-store';
import type { ReplyEvents } from './chat-transport';
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
        failure = chatErrorFromCode(event.code, event.message);
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
