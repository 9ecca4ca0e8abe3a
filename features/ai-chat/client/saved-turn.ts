import type { ConversationDetail } from '../protocol/rest';
import type { ChatTransport } from './chat-transport';
import { viewFromRecord, type ChatMessageView } from './chat-message-view';
import { isAbortError } from './http-error';

/** A provider and model, as a conversation or a reply names them. */
export interface ModelRef {
  provider: string;
  model: string;
}

/** The rows of a conversation's active branch, as the UI shows them. */
export function viewsFromDetail(detail: ConversationDetail): ChatMessageView[] {
  return detail.messages.map((record) => viewFromRecord(record, detail.siblings[record.id] ?? []));
}

/**
 * The model the conversation is held on: the one that wrote its last reply on the branch shown
 * (the reader may have switched models mid-chat), else the one it was created with.
 */
export function modelOfConversation(detail: ConversationDetail): ModelRef {
  for (let i = detail.messages.length - 1; i >= 0; i -= 1) {
    const { role, provider, model } = detail.messages[i]!;
    if (role === 'assistant' && provider && model) return { provider, model };
  }
  return { provider: detail.conversation.provider, model: detail.conversation.model };
}

/** Short waits between reads while a stopped reply is being saved: 3.1 s in all. */
export const SAVE_POLL_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600];

export type SavedTurn =
  | { kind: 'saved'; detail: ConversationDetail }
  | { kind: 'absent'; detail: ConversationDetail }
  | { kind: 'unreadable'; notFound: boolean };

/**
 * Reads the conversation until the message `messageId` is in it, waiting `delaysMs` between
 * reads: the server saves a stopped reply only once the stop reaches it. `absent` when it never
 * appeared (nothing was worth saving), `unreadable` when the conversation could not be read.
 */
export async function readSavedTurn(
  transport: ChatTransport,
  conversationId: string,
  messageId: string,
  delaysMs: readonly number[],
  signal: AbortSignal,
): Promise<SavedTurn> {
  let last: ConversationDetail | null = null;
  for (let attempt = 0; attempt <= delaysMs.length; attempt += 1) {
    if (attempt > 0) await wait(delaysMs[attempt - 1]!, signal);
    try {
      last = await transport.loadConversation(conversationId, signal);
    } catch (error) {
      if (signal.aborted || isAbortError(error)) throw error;
      const notFound = (error as { code?: unknown }).code === 'not_found';
      if (notFound || attempt === delaysMs.length) return { kind: 'unreadable', notFound };
      continue;
    }
    if (last.messages.some((message) => message.id === messageId)) return { kind: 'saved', detail: last };
  }
  return last ? { kind: 'absent', detail: last } : { kind: 'unreadable', notFound: false };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
