import { type ChatRequestBody, type ProviderName, providerNameSchema } from '../protocol/chat-request';
import type { ConversationDetail } from '../protocol/rest';
import { filePartOf } from '../protocol/parts';
import type { AttachmentRecord } from './server-api';
import { type ChatMessageView, createLocalId, isLocalId } from './chat-message-view';
import type { MessageStore } from './message-store';
import { type ModelRef, viewsFromDetail } from './settle-turn';
import type { ChatError } from '../protocol/errors';
import { canRetry } from './http-error';
import { placeContinuation } from './continue-turn';

/** One turn of a chat on the client: what it sends, and what its rows become after it ends. */

/**
 * A new version of a message. `edit`: new text under the edited message's parent, a sibling of
 * it. `regenerate`: a new reply to the same user message (sent without text), a sibling of the
 * old reply.
 */
export type Branching =
  | { kind: 'edit'; parentMessageId: string | null; replaces: string }
  | { kind: 'regenerate'; userMessageId: string; replaces: string }
  /** Continue: the reply `replaces` (cut by its length limit or stopped) goes on, in the same row. */
  | { kind: 'continue'; replaces: string };

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
  /** A Continue: the reply's words before it, which a replay of the continuation starts from. */
  continuing?: Pick<ChatMessageView, 'content' | 'parts' | 'tools'>;
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
  const settings = {
    ...(provider ? { provider } : {}),
    ...(model ? { model } : {}),
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  };
  if (branch?.kind === 'continue' && conversationId) return { conversationId, continueMessageId: branch.replaces, ...settings };
  const target =
    branch?.kind === 'regenerate'
      ? { parentMessageId: branch.userMessageId }
      : branch?.kind === 'edit'
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
    ...settings,
    // A new chat's instructions: saved with it, and from then on the chat's own (which a person
    // may change from its menu), so later turns do not send them again over the saved ones.
    ...(systemPrompt && !conversationId ? { systemPrompt } : {}),
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

/** The rows a turn shows before the server answers, and how a refusal or a failure changes them. */

/** A turn whose rows are shown, with what is needed to send it and to undo it. */
export interface PlacedTurn {
  turn: Turn;
  /** The parent the new message goes under when it is no edit or regenerate. */
  parentId: string | null;
  /** The user row a regenerate answers again; none for a new or edited message. */
  regeneratingKey: string | null;
  /** The rows the new version hides; a regenerate the server refuses puts them back. */
  displaced: ChatMessageView[];
  /** The saved versions of the message this turn replaces, for the new version's switcher. */
  replacedSiblings: string[];
}

/** The id of the last message shown that the server has: the parent of a new message. */
export function lastSavedId(store: MessageStore): string | null {
  const all = store.getMessages();
  for (let i = all.length - 1; i >= 0; i -= 1) if (!isLocalId(all[i]!.id)) return all[i]!.id;
  return null;
}

/** Shows a turn's rows (pending) where its version goes, hiding the rows it replaces. */
export function placeTurn(
  store: MessageStore,
  outgoing: { text: string; attachments: readonly AttachmentRecord[] },
  branch: Branching | undefined,
  conversationId: string | null,
): PlacedTurn {
  if (branch?.kind === 'continue') return placeContinuation(store, branch, conversationId);
  const { text, attachments } = outgoing;
  const replaced = branch ? store.findById(branch.replaces) : undefined;
  const regenerating = branch?.kind === 'regenerate' ? store.findById(branch.userMessageId) : undefined;
  const parentId = branch?.kind === 'edit' ? branch.parentMessageId : lastSavedId(store);
  // A regenerate answers the user message already shown; anything else adds an optimistic one.
  const user = regenerating ?? { ...draftMessage('user', text, parentId, attachments), state: 'pending' as const };
  const assistant = { ...draftMessage('assistant', '', user.id), state: 'pending' as const };
  const keys = store.getKeys();
  let afterKey: string | null | undefined;
  if (regenerating) afterKey = regenerating.key;
  else if (replaced) afterKey = keys[keys.indexOf(replaced.key) - 1] ?? null;
  const displacedKeys = afterKey === undefined ? [] : keys.slice(afterKey === null ? 0 : keys.indexOf(afterKey) + 1);
  const displaced = displacedKeys.flatMap((key) => store.getMessage(key) ?? []);
  store.append(regenerating ? [assistant] : [user, assistant], { afterKey });
  // Versions the server has: a reply it never saved is no version of anything.
  const replacedSiblings = replaced
    ? (replaced.siblingIds.length > 0 ? replaced.siblingIds : [replaced.id]).filter((id) => !isLocalId(id))
    : [];
  return {
    turn: {
      text,
      attachments: regenerating ? [] : attachments,
      branch,
      userKey: user.key,
      assistantKey: assistant.key,
      regenerating: !!regenerating,
      conversationIdBefore: conversationId,
    },
    parentId,
    regeneratingKey: regenerating?.key ?? null,
    displaced,
    replacedSiblings,
  };
}

/**
 * The server refused the turn before it began (a limit, a bad request): a regenerate puts back
 * the reply it would have replaced; a new message stays, marked as not sent. Returns what to
 * send again on Retry.
 */
export function showRefusedTurn(store: MessageStore, placed: PlacedTurn): FailedSend {
  const { turn, regeneratingKey, displaced } = placed;
  if (turn.branch?.kind === 'continue') {
    // The reply stays as it was, still cut: Continue may be asked again.
    const cutByLength = store.getMessage(turn.assistantKey)?.finishReason === 'length';
    store.update(turn.assistantKey, { state: cutByLength ? 'complete' : 'partial' });
    return { text: '', attachments: [], branch: turn.branch, userKey: null };
  }
  store.remove([turn.assistantKey]);
  if (regeneratingKey) {
    store.append(displaced, { afterKey: regeneratingKey });
    return { text: turn.text, attachments: turn.attachments, branch: turn.branch, userKey: null };
  }
  store.update(turn.userKey, { state: 'error' });
  return { text: turn.text, attachments: turn.attachments, branch: turn.branch, userKey: turn.userKey };
}

/** A reply that failed after it began shows the error itself, with Retry where retrying can help. */
export function showFailedReply(store: MessageStore, assistantKey: string, error: ChatError): void {
  store.update(assistantKey, {
    state: 'error',
    retrying: null,
    error: { code: error.code, message: error.message, retryable: canRetry(error) },
  });
}
