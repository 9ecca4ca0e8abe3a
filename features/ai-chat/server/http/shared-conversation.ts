import 'server-only';
import type { SharedConversation } from '../../protocol/share';
import type { ChatStore } from '../../store/chat-store';
import { getDefaultChatHandler } from './chat-handler';

/**
 * What a share link shows, for a page served without sign-in: the snapshot under `shareId`, read
 * as anyone (the database's anon role, through ai_chat_share_read); null when the id is unknown,
 * revoked or malformed, all alike, so the page answers 404 for each. Default store: the
 * environment's (the default handler's).
 */
export async function readSharedConversation(shareId: string, store?: ChatStore): Promise<SharedConversation | null> {
  const reader = (store ?? getDefaultChatHandler().options.store).shares;
  if (typeof shareId !== 'string' || !reader) return null;
  return reader.read(shareId);
}
