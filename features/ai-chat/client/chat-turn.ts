import { providerNameSchema, type ChatRequestBody, type ProviderName } from '../protocol/chat-request';
import type { ConversationDetail } from '../protocol/rest';
import { filePartOf } from '../protocol/parts';
import type { AttachmentRecord } from './attachments-api';
import { createLocalId, type ChatMessageView } from './chat-message-view';
import type { MessageStore } from './message-store';
import { viewsFromDetail, type ModelRef } from './saved-turn';

/** One turn of a chat on the client: what it sends, and what its rows become after it ends. */

/**
 * A new version of a message. `edit`: new text under the edited message's parent, a sibling of
 * it. `regenerate`: a new reply to the same user message (sent without text), a sibling of the
 * old reply.
 */
export type Branching =
  | { kind: 'edit'; parentMessageId: string | null; replaces: string }
  | { kind: 'regenerate'; userMessageId: string; replaces: string };

export interface FailedSend {
  text: string;
  attachments: readonly AttachmentRecord[];
  branch?: Branching;
  /** The optimistic user row to drop before sending again; none for a regenerate. */
  userKey: string | null;
}

/** One turn as it went out: the rows it added and what it knew when it started. */
export interface Turn {
  text: string;
  /** Files sent with the message (uploaded already); none for a regenerate. */
  attachments: readonly AttachmentRecord[];
  branch?: Branching;
  userKey: string;
  assistantKey: string;
  regenerating: boolean;
  conversationIdBefore: string | null;
}

/**
 * How a turn ended without its stream's end: the reader stopped it, it failed, or it `ended`
 * on the server while the stream was broken.
 */
export type TurnEnding = 'stopped' | 'error' | 'ended';

/** The files a saved user message carries, as records to send again (an edit keeps them). */
export function attachmentsOf(message: ChatMessageView): AttachmentRecord[] {
  return message.parts.flatMap((part) =>
    part.type === 'file' ? [{ id: part.attachmentId, mediaType: part.mediaType, name: part.name, size: part.size }] : [],
  );
}

export function draftMessage(
  role: 'user' | 'assistant',
  content: string,
  parentId: string | null,
  attachments: readonly AttachmentRecord[] = [],
): ChatMessageView {
  const id = createLocalId();
  return {
    key: id,
    id,
    parentId,
    role,
    content,
    // Files first, as the server saves them: the question is about what it shows.
    parts: [...attachments.map(filePartOf), ...(content === '' ? [] : [{ type: 'text' as const, text: content }])],
    thinkingSince: null,
    finishReason: null,
    cachedPromptTokens: null,
    state: 'complete',
    createdAt: new Date().toISOString(),
    provider: null,
    model: null,
    tokens: null,
    cost: null,
    tools: [],
    siblingIds: [],
    error: null,
    retrying: null,
    reconnecting: false,
    notice: null,
  };
}

/**
 * The provider and model a turn goes to: the ones the chat is held on (a picker's choice or the
 * conversation's), else the options' own. A held provider this client does not know is ignored.
 */
export function modelForTurn(
  held: ModelRef | null,
  fallback: { provider?: ProviderName; model?: string },
): { provider?: ProviderName; model?: string } {
  const provider = held ? providerNameSchema.safeParse(held.provider) : null;
  if (held && provider?.success) return { provider: provider.data, model: held.model };
  return { provider: fallback.provider, model: fallback.model };
}

/** The POST /api/chat body of a turn: only the new message (none for a regenerate) and where it goes. */
export function chatRequestBody(turn: {
  text: string;
  attachments?: readonly AttachmentRecord[];
  branch?: Branching;
  parentId: string | null;
  conversationId: string | null;
  regenerating: boolean;
  provider?: ProviderName;
  model?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
}): ChatRequestBody & { attachments?: string[] } {
  const { text, attachments = [], branch, parentId, conversationId, regenerating, provider, model, systemPrompt, temperature, maxTokens } = turn;
  const target =
    branch?.kind === 'regenerate'
      ? { parentMessageId: branch.userMessageId }
      : branch
        ? { parentMessageId: branch.parentMessageId }
        : parentId
          ? { parentMessageId: parentId }
          : {};
  return {
    // A message may be files only: then it has no text at all.
    ...(regenerating || text === '' ? {} : { message: text }),
    ...(!regenerating && attachments.length > 0 ? { attachments: attachments.map((file) => file.id) } : {}),
    ...(conversationId ? { conversationId } : {}),
    ...target,
    ...(provider ? { provider } : {}),
    ...(model ? { model } : {}),
    ...(systemPrompt ? { systemPrompt } : {}),
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  };
}

/**
 * Shows the conversation as saved after a stopped or failed turn. A reply the reader saw fail
 * keeps saying so (with its Retry) even where the server saw a cut connection as a stop, and a
 * reply the server stopped keeps its notice.
 */
export function showSavedTurn(store: MessageStore, detail: ConversationDetail, assistantKey: string, ending: TurnEnding): void {
  const shown = store.getMessage(assistantKey);
  const failure = shown?.error ?? null;
  store.replaceAll(viewsFromDetail(detail));
  const row = store.getMessage(assistantKey);
  // Why it stopped, when the reader did not stop it: the saved row cannot tell.
  if (row && ending === 'stopped' && shown?.notice) store.update(assistantKey, { notice: shown.notice });
  if (row && ending === 'error' && failure && (row.state !== 'error' || !row.error)) {
    store.update(assistantKey, { state: 'error', error: failure });
  }
}

/**
 * The server has no row for this reply (nothing was written before it failed or stopped): it
 * keeps a local id, so the next message goes under the question (an empty stopped reply goes).
 * Where not even the question was saved, it is "Not sent", as if refused: `question-unsent`.
 */
export function forgetUnsavedTurn(
  store: MessageStore,
  turn: Pick<Turn, 'userKey' | 'assistantKey' | 'regenerating'>,
  savedIds: readonly string[] | null,
  ending: TurnEnding,
): 'reply-forgotten' | 'question-unsent' {
  const reply = store.getMessage(turn.assistantKey);
  if (reply && ending === 'stopped' && reply.content === '') store.remove([turn.assistantKey]);
  else if (reply) store.update(turn.assistantKey, { id: createLocalId(), siblingIds: [] });
  const question = store.getMessage(turn.userKey);
  if (turn.regenerating || !question || !savedIds || savedIds.includes(question.id)) return 'reply-forgotten';
  store.remove([turn.assistantKey]);
  store.update(turn.userKey, { id: createLocalId(), state: 'error', siblingIds: [] });
  return 'question-unsent';
}
