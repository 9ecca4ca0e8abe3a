import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { ConversationDetail } from '../../protocol/rest';
import type { ReplyRunStore, UserChatStore } from '../../store/chat-store';

/**
 * The conversation, its active branch, the siblings of each message on it (from the store, which
 * computes them in the database: never from every message of every branch), and its replies still
 * generating.
 */
export async function conversationDetail(user: UserChatStore, id: string, replies?: ReplyRunStore): Promise<ConversationDetail> {
  const conversation = await user.getConversation(id);
  if (!conversation) throw new ChatError('not_found', 'Conversation not found.');
  // Both read the branch of the leaf just read, so a branch switch in between cannot pair one
  // branch's messages with another's pickers.
  const leaf = conversation.activeLeafId;
  const [messages, siblings, generating] = await Promise.all([
    leaf ? user.getActiveBranch(id, leaf) : [],
    leaf ? user.getBranchSiblings(id, leaf) : {},
    replies ? replies.generating(user.userId, id) : [],
  ]);
  return { conversation, messages, siblings, generating };
}
