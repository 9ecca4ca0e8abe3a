import 'server-only';
import type { SharedConversation } from '../../protocol/share';
import type { ChatStore } from '../../store/chat-store';

/**
 * What a share link shows, for a page served without sign-in: the snapshot under `shareId`, read
 * as anyone (the database's anon role, through ai_chat_share_read); null when the id is unknown,
 * revoked or malformed, all alike, so the page answers 404 for each. (A handler's `readShare`
 * reads through its own store.)
 */
export async function readSharedConversation(shareId: string, store: ChatStore): Promise<SharedConversation | null> {
  if (typeof shareId !== 'string' || !store.shares) return null;
  return store.shares.read(shareId);
}
