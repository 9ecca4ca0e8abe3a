import 'server-only';
import { uuidV5 } from '../../store/user-id';

/** The UUID v5 namespace of AI SDK chat ids. Fixed forever: changing it would orphan every such chat. */
export const AI_SDK_CHAT_NAMESPACE = '0b6c4e2a-9d1f-5a3e-8c47-6f2e1d9a4b58';

/**
 * The conversation an AI SDK client's chat id names for this user: the UUID v5 of the pair, so
 * the mapping needs no table. The same id of another user names another conversation; only the
 * server picks conversation ids (users may not insert one, nor import one under a chosen id), so
 * nobody can take the conversation a chat id will name; RLS guards it as any other.
 */
export function conversationIdOfChat(userId: string, chatId: string): string {
  return uuidV5(`${userId}\n${chatId}`, AI_SDK_CHAT_NAMESPACE);
}
