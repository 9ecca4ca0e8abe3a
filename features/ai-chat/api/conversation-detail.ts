import 'server-only';
import { ChatError } from '../protocol/errors';
import type { MessageRecord } from '../protocol/records';
import type { ConversationDetail } from '../protocol/rest';
import type { ReplyRunStore, UserChatStore } from '../store/chat-store';

/** The conversation, its active branch, the siblings of each message on it, and its replies still generating. */
export async function conversationDetail(user: UserChatStore, id: string, replies?: ReplyRunStore): Promise<ConversationDetail> {
  const conversation = await user.getConversation(id);
  if (!conversation) throw new ChatError('not_found', 'Conversation not found.');
  const [messages, all, generating] = await Promise.all([
    user.getActiveBranch(id),
    user.listMessages(id),
    replies ? replies.generating(user.userId, id) : [],
  ]);
  return { conversation, messages, siblings: siblingsOnBranch(messages, all), generating };
}

function siblingsOnBranch(branch: readonly MessageRecord[], all: readonly MessageRecord[]): Record<string, string[]> {
  const childrenOf = new Map<string | null, string[]>();
  for (const message of all) {
    const list = childrenOf.get(message.parentId) ?? [];
    list.push(message.id);
    childrenOf.set(message.parentId, list);
  }
  const siblings: Record<string, string[]> = {};
  for (const message of branch) {
    const group = childrenOf.get(message.parentId) ?? [];
    if (group.length > 1) siblings[message.id] = group;
  }
  return siblings;
}
