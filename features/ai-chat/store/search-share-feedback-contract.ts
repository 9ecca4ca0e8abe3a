import type { FeedbackRating, MessageFeedback } from '../protocol/feedback';
import type { SearchHit } from '../protocol/search';
import type { ShareLink, SharedConversation } from '../protocol/share';

export type { FeedbackRating, MessageFeedback, SearchHit, ShareLink, SharedConversation };

/** Search, share links and feedback: what one signed-in user may do (part of UserChatStore). */
export interface UserSearchShareFeedback {
  /**
   * This user's chats (by title) and messages of any branch holding every term as a word or a
   * word's start, best first. `terms` are words (protocol/search `searchTerms`); each is matched
   * as one word, never read as query syntax. Runs under RLS: no one else's rows.
   */
  search(terms: readonly string[], options?: { limit?: number }): Promise<SearchHit[]>;
  /** The conversation's share link; null when it has none or is not this user's. */
  getShare(conversationId: string): Promise<ShareLink | null>;
  /**
   * Shares the conversation's shown branch as it stands now (a copy), or refreshes the copy under
   * its existing link; null when the conversation is not this user's.
   */
  createShare(conversationId: string, options?: { showModels?: boolean; showFiles?: boolean }): Promise<ShareLink | null>;
  /** Deletes the link (it answers 404 at once); false when there was none of this user's. */
  revokeShare(conversationId: string): Promise<boolean>;
  /**
   * Sets (rating null: clears) this user's feedback on one of their assistant replies; null when
   * the message is not theirs or not a reply.
   */
  setFeedback(messageId: string, rating: FeedbackRating | null, comment?: string | null): Promise<MessageFeedback | null>;
  /** This user's feedback on the conversation's replies; empty when not theirs. */
  listFeedback(conversationId: string): Promise<MessageFeedback[]>;
}

/** Reads share links for anyone holding one, signed in or not (the database's anon role). */
export interface SharedConversationReader {
  /** The snapshot under this id; null when unknown, revoked or malformed (all alike). */
  read(shareId: string): Promise<SharedConversation | null>;
}
