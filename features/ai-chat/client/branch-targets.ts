import { isLocalId, type ChatMessageView } from './chat-message-view';
import type { Branching } from './chat-turn';
import type { MessageStore } from './message-store';

/** Which saved messages a regenerate or a branch switch points at; null where it points at nothing. */

/**
 * The regenerate of the reply `assistantMessageId` (default: the last reply shown): the text of
 * the user message before it, sent again under that message. None while that message is unsaved.
 */
export function regenerateTarget(
  store: MessageStore,
  assistantMessageId?: string,
): { text: string; branch: Branching } | null {
  const all = store.getMessages();
  const assistant = assistantMessageId
    ? store.findById(assistantMessageId)
    : [...all].reverse().find((m) => m.role === 'assistant');
  if (!assistant) return null;
  const index = all.indexOf(assistant);
  const user = all.slice(0, index).reverse().find((m) => m.role === 'user');
  if (!user || isLocalId(user.id)) return null;
  return { text: user.content, branch: { kind: 'regenerate', userMessageId: user.id, replaces: assistant.id } };
}

/** The saved sibling of `message` that `target` names: its previous or next version, or a sibling id. */
export function siblingTarget(message: ChatMessageView, target: 'previous' | 'next' | string): string | null {
  const index = message.siblingIds.indexOf(message.id);
  const targetId =
    target === 'previous' ? message.siblingIds[index - 1] : target === 'next' ? message.siblingIds[index + 1] : target;
  if (!targetId || targetId === message.id || isLocalId(targetId)) return null;
  return targetId;
}
