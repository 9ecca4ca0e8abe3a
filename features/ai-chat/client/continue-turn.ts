import type { Branching, PlacedTurn } from './chat-turn';
import type { MessageStore } from './message-store';

/**
 * Continue's rows: none new. The reply it carries on is the turn's reply row (its text stays and
 * the new words are appended as they stream); its question is the turn's user row, untouched.
 */
export function placeContinuation(store: MessageStore, branch: Extract<Branching, { kind: 'continue' }>, conversationId: string | null): PlacedTurn {
  const reply = store.findById(branch.replaces);
  if (!reply) throw new Error(`Continue: no reply ${branch.replaces} is shown`);
  const question = reply.parentId ? store.findById(reply.parentId) : undefined;
  store.update(reply.key, { state: 'pending', error: null, retrying: null });
  return {
    turn: {
      text: '',
      attachments: [],
      branch,
      userKey: question?.key ?? reply.key,
      assistantKey: reply.key,
      // Nothing new to show or take back: like a regenerate, it sends no message.
      regenerating: true,
      conversationIdBefore: conversationId,
      continuing: { content: reply.content, parts: reply.parts, tools: reply.tools },
    },
    parentId: reply.parentId,
    regeneratingKey: null,
    displaced: [],
    replacedSiblings: [],
  };
}
