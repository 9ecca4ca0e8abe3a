import 'server-only';
import type { SupabaseClient } from '@supabase/supabase-js';
import { SHARE_ID_PATTERN } from '../../protocol/share';
import { isUuid } from '../ids';
import { mapDatabaseError } from '../postgres/map-database-error';
import {
  feedbackRowSchema,
  searchHitRowSchema,
  sharedConversationRowSchema,
  shareLinkRowSchema,
} from '../postgres/search-share-feedback-rows';
import type {
  FeedbackRating,
  MessageFeedback,
  SearchHit,
  SharedConversation,
  SharedConversationReader,
  ShareLink,
  UserSearchShareFeedback,
} from '../search-share-feedback-contract';

interface PostgrestResult {
  data: unknown;
  error: unknown;
}

function rowsOf(result: PostgrestResult, context: string): Record<string, unknown>[] {
  if (result.error) throw mapDatabaseError(result.error, context);
  return (result.data ?? []) as Record<string, unknown>[];
}

const SHARE_COLUMNS = 'id, conversation_id, show_models, show_files, created_at';

/**
 * Search, share links and feedback over PostgREST: the user's client (their JWT, RLS decides)
 * for reads and their own writes; the service client only to write a share's snapshot, for the
 * user Supabase Auth verified.
 */
export class SupabaseUserSearchShareFeedback implements UserSearchShareFeedback {
  constructor(
    protected readonly user: SupabaseClient,
    protected readonly service: SupabaseClient,
    readonly userId: string,
  ) {}

  async search(terms: readonly string[], options: { limit?: number } = {}): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const rows = rowsOf(await this.user.rpc('ai_chat_search', { p_terms: [...terms], p_limit: options.limit ?? 20 }), 'Searching');
    return rows.map((row) => searchHitRowSchema.parse(row));
  }

  async getShare(conversationId: string): Promise<ShareLink | null> {
    if (!isUuid(conversationId)) return null;
    const rows = rowsOf(
      await this.user.from('ai_chat_shares').select(SHARE_COLUMNS).eq('conversation_id', conversationId),
      'Reading the share link',
    );
    return rows[0] ? shareLinkRowSchema.parse(rows[0]) : null;
  }

  async createShare(conversationId: string, options: { showModels?: boolean; showFiles?: boolean } = {}): Promise<ShareLink | null> {
    if (!isUuid(conversationId)) return null;
    const rows = rowsOf(
      await this.service.rpc('ai_chat_share_create', {
        p_user_id: this.userId,
        p_conversation_id: conversationId,
        p_show_models: options.showModels ?? false,
        p_show_files: options.showFiles ?? false,
      }),
      'Sharing the conversation',
    );
    return rows[0] ? shareLinkRowSchema.parse(rows[0]) : null;
  }

  async revokeShare(conversationId: string): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    const rows = rowsOf(
      await this.user.from('ai_chat_shares').delete().eq('conversation_id', conversationId).select('id'),
      'Revoking the share link',
    );
    return rows.length > 0;
  }

  async setFeedback(messageId: string, rating: FeedbackRating | null, comment: string | null = null): Promise<MessageFeedback | null> {
    if (!isUuid(messageId)) return null;
    const rows = rowsOf(
      await this.user.rpc('ai_chat_set_feedback', { p_message_id: messageId, p_rating: rating, p_comment: comment }),
      'Saving the feedback',
    );
    return rows[0] ? feedbackRowSchema.parse(rows[0]) : null;
  }

  async listFeedback(conversationId: string): Promise<MessageFeedback[]> {
    if (!isUuid(conversationId)) return [];
    const rows = rowsOf(
      await this.user
        .from('ai_chat_feedback')
        .select('message_id, conversation_id, rating, comment, updated_at')
        .eq('conversation_id', conversationId)
        .order('updated_at')
        .order('message_id'),
      'Reading feedback',
    );
    return rows.map((row) => feedbackRowSchema.parse(row));
  }
}

/** Share links through PostgREST with the anon key: only ai_chat_share_read answers it. */
export function supabaseSharedConversationReader(anon: SupabaseClient): SharedConversationReader {
  return {
    async read(shareId: string): Promise<SharedConversation | null> {
      if (!SHARE_ID_PATTERN.test(shareId)) return null;
      const rows = rowsOf(await anon.rpc('ai_chat_share_read', { p_share_id: shareId }), 'Reading the shared conversation');
      return rows[0] ? sharedConversationRowSchema.parse(rows[0]) : null;
    },
  };
}
