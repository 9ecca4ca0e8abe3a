import 'server-only';
import { SHARE_ID_PATTERN } from '../../protocol/share';
import type {
  FeedbackRating,
  MessageFeedback,
  SearchHit,
  SharedConversation,
  SharedConversationReader,
  ShareLink,
  UserSearchShareFeedback,
} from '../search-share-feedback-contract';
import { isUuid } from '../ids';
import { mapDatabaseError } from './map-database-error';
import { feedbackRowSchema, searchHitRowSchema, sharedConversationRowSchema, shareLinkRowSchema } from './search-share-feedback-rows';
import { runStatements, type SqlDatabase } from './sql-database';
import { PostgresUserSession } from './user-session';

const SHARE_COLUMNS = 'id, conversation_id, show_models, show_files, created_at';

/**
 * Search, share links and feedback on any Postgres (and PGlite): reads and the user's own writes
 * as role `authenticated` under RLS; a share's snapshot is written by the server's function.
 */
export class PostgresUserSearchShareFeedback extends PostgresUserSession implements UserSearchShareFeedback {
  async search(terms: readonly string[], options: { limit?: number } = {}): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const rows = await this.statementAs('authenticated', 'Searching', `select * from public.ai_chat_search($1::text[], $2)`, [
      [...terms],
      options.limit ?? 20,
    ]);
    return rows.map((row) => searchHitRowSchema.parse(row));
  }

  async getShare(conversationId: string): Promise<ShareLink | null> {
    if (!isUuid(conversationId)) return null;
    const rows = await this.statementAs(
      'authenticated',
      'Reading the share link',
      `select ${SHARE_COLUMNS} from public.ai_chat_shares where conversation_id = $1`,
      [conversationId],
    );
    return rows[0] ? shareLinkRowSchema.parse(rows[0]) : null;
  }

  async createShare(conversationId: string, options: { showModels?: boolean; showFiles?: boolean } = {}): Promise<ShareLink | null> {
    if (!isUuid(conversationId)) return null;
    const rows = await this.callAsServer('Sharing the conversation', 'ai_chat_share_create', {
      p_user_id: this.userId,
      p_conversation_id: conversationId,
      p_show_models: options.showModels ?? false,
      p_show_files: options.showFiles ?? false,
    });
    return rows[0] ? shareLinkRowSchema.parse(rows[0]) : null;
  }

  async revokeShare(conversationId: string): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    const rows = await this.statementAs(
      'authenticated',
      'Revoking the share link',
      `delete from public.ai_chat_shares where conversation_id = $1 returning id`,
      [conversationId],
    );
    return rows.length > 0;
  }

  async setFeedback(messageId: string, rating: FeedbackRating | null, comment: string | null = null): Promise<MessageFeedback | null> {
    if (!isUuid(messageId)) return null;
    const rows = await this.statementAs(
      'authenticated',
      'Saving the feedback',
      `select * from public.ai_chat_set_feedback(p_message_id => $1, p_rating => $2, p_comment => $3)`,
      [messageId, rating, comment],
    );
    return rows[0] ? feedbackRowSchema.parse(rows[0]) : null;
  }

  async listFeedback(conversationId: string): Promise<MessageFeedback[]> {
    if (!isUuid(conversationId)) return [];
    const rows = await this.statementAs(
      'authenticated',
      'Reading feedback',
      `select message_id, conversation_id, rating, comment, updated_at from public.ai_chat_feedback
        where conversation_id = $1 order by updated_at, message_id`,
      [conversationId],
    );
    return rows.map((row) => feedbackRowSchema.parse(row));
  }
}

const AS_ANON = `select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true)`;

/**
 * Share links as anyone reads them: role `anon`, whose only way to a row is the security definer
 * function ai_chat_share_read (the same call PostgREST makes with the anon key).
 */
export function sqlSharedConversationReader(db: SqlDatabase): SharedConversationReader {
  return {
    async read(shareId: string): Promise<SharedConversation | null> {
      if (!SHARE_ID_PATTERN.test(shareId)) return null;
      try {
        const [, result] = await runStatements(db, [
          { text: AS_ANON },
          { text: `select * from public.ai_chat_share_read($1)`, params: [shareId] },
        ]);
        const row = result!.rows[0];
        return row ? sharedConversationRowSchema.parse(row) : null;
      } catch (error) {
        throw mapDatabaseError(error, 'Reading the shared conversation');
      }
    },
  };
}
