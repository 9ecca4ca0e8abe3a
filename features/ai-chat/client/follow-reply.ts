import type { ConversationDetail } from '../protocol/rest';
import { isLocalId, type ChatMessageView } from './chat-message-view';
import { draftMessage } from './chat-turn';
import type { MessageStore } from './message-store';
import type { PlacedTurn } from './turn-rows';

/** Which reply the server is still writing a loaded chat follows, and where it goes. */

type GeneratingReply = ConversationDetail['generating'][number];

/** A reply to follow: the run, the question it answers, and the reply it is a new version of. */
export interface ReplyToFollow {
  reply: GeneratingReply;
  question: ChatMessageView;
  /** The reply shown last when the run is a new version of it (a regenerate): the branch shown ends there until the new one is saved. */
  replaces?: ChatMessageView;
}

/**
 * The reply the server is still writing under the last row shown, or a new version of the last
 * reply shown; none when there is none, or it is one in `skip` (the server would not stream it).
 */
export function replyToFollow(store: MessageStore, detail: ConversationDetail, skip: ReadonlySet<string>): ReplyToFollow | null {
  const last = store.last();
  if (!last) return null;
  const under = (run: GeneratingReply, id: string | null) => run.parentId !== null && run.parentId === id;
  const answer = detail.generating.find((run) => under(run, last.id));
  if (answer) return skip.has(answer.id) ? null : { reply: answer, question: last };
  if (last.role !== 'assistant') return null;
  // A version already saved has ended, though the server may list it for a moment longer.
  const version = detail.generating.find((run) => !last.siblingIds.includes(run.id) && run.id !== last.id && under(run, last.parentId));
  const question = last.parentId ? store.findById(last.parentId) : undefined;
  if (!version || !question || skip.has(version.id)) return null;
  return { reply: version, question, replaces: last };
}

/**
 * Shows a reply the server is still writing under `question`, as a turn to read: its row has the
 * run's id (the assistant message id) and fills from the attach stream. A new version of the
 * reply shown last (a regenerate) takes that reply's place, with its versions for the switcher,
 * as a regenerate sent from here does.
 */
export function placeFollowedReply(store: MessageStore, { reply, question, replaces }: ReplyToFollow, conversationId: string): PlacedTurn {
  const row: ChatMessageView = {
    ...draftMessage('assistant', '', question.id),
    id: reply.id,
    state: 'pending',
    provider: reply.provider,
    model: reply.model,
  };
  const displaced = replaces ? [replaces] : [];
  if (replaces) store.remove([replaces.key]);
  store.append([row]);
  const replacedSiblings = replaces
    ? (replaces.siblingIds.length > 0 ? replaces.siblingIds : [replaces.id]).filter((id) => !isLocalId(id) && id !== reply.id)
    : [];
  return {
    // As a regenerate: the question is saved and shown already, only the reply is new.
    turn: {
      text: question.content,
      attachments: [],
      userKey: question.key,
      assistantKey: row.key,
      regenerating: true,
      conversationIdBefore: conversationId,
    },
    parentId: question.id,
    regeneratingKey: question.key,
    displaced,
    replacedSiblings,
  };
}
