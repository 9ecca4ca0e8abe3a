import type { ChatError } from '../protocol/errors';
import type { AttachmentRecord } from './attachments-api';
import { isLocalId, type ChatMessageView } from './chat-message-view';
import { draftMessage, type Branching, type FailedSend, type Turn } from './chat-turn';
import { canRetry } from './http-error';
import type { MessageStore } from './message-store';

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
