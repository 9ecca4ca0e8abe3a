import 'server-only';
import { sharedMemoryBytes, type AttachmentBytes } from '../attachments/attachment-bytes';
import { PostgresAttachmentStore } from '../attachments/postgres-attachment-store';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type {
  BranchSummary,
  ContinuedMessage,
  ConversationPatch,
  ImportedConversation,
  ListConversationsOptions,
  NewConversation,
  NewMessage,
  NewReplyRun,
  UsageSettlement,
  UserChatStore,
} from '../chat-store';
import {
  appendMessageArgs,
  continueMessageArgs,
  createConversationArgs,
  importConversationArgs,
  latestOnBranch,
  saveSummaryArgs,
  settleUsageArgs,
  updateConversationArgs,
} from '../function-args';
import { isUuid, NO_ID } from '../ids';
import { conversationRowSchema, messageRowSchema, siblingsFromRows, splitConversationPatch } from './rows';
import { replyRunArgs } from './reply-run-store';
import type { SqlDatabase } from './sql-database';
import { functionCall, scalarCall } from './user-session';
import { PostgresUserUsage } from './postgres-user-usage';

const MAX_PAGE = 200;

/**
 * A UserChatStore on any Postgres: every user operation runs as role `authenticated` with the
 * user's JWT claims set, exactly as PostgREST runs it on Supabase, so RLS is the gatekeeper.
 * What only the server writes (messages, server-owned conversation columns, imports, the reply
 * cache, usage) runs as `service_role` through the migration's functions, which take this
 * store's user id and check ownership themselves, as the Supabase adapter's service client does.
 */
export class PostgresUserStore extends PostgresUserUsage implements UserChatStore {
  readonly attachments: PostgresAttachmentStore;
  constructor(
    db: SqlDatabase,
    userId: string,
    /** Where file bytes live (the embedded store's folder); default: in this process's memory. */
    attachmentBytes: AttachmentBytes = sharedMemoryBytes(),
  ) {
    super(db, userId);
    this.attachments = new PostgresAttachmentStore(db, userId, attachmentBytes);
  }

  async listConversations(options: ListConversationsOptions = {}): Promise<ConversationRecord[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
    // The first page of the chats on show heads with the pinned ones; later pages hold none.
    const rows = await this.statementAs(
      'authenticated',
      'Listing conversations',
      `select * from public.ai_chat_conversations
        where user_id = (select auth.uid())
          and (archived_at is not null) = $3
          and ($1::timestamptz is null or ((last_message_at, id) < ($1::timestamptz, $4::uuid) and ($3 or pinned_at is null)))
        order by case when $3 then null else pinned_at end desc nulls last, last_message_at desc, id desc
        limit $2`,
      [options.before ?? null, limit, options.archived ?? false, options.beforeId ?? NO_ID],
    );
    return rows.map((row) => conversationRowSchema.parse(row));
  }

  async createConversation(input: NewConversation): Promise<ConversationRecord> {
    const rows = await this.callAsServer('Creating the conversation', 'ai_chat_create_conversation', createConversationArgs(this.userId, input));
    return conversationRowSchema.parse(rows[0]);
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const rows = await this.statementAs('authenticated', 'Reading the conversation', `select * from public.ai_chat_conversations where id = $1`, [id]);
    return rows[0] ? conversationRowSchema.parse(rows[0]) : null;
  }

  async getConversationWithBranch(
    id: string,
    leafId?: string | null,
    options: { maxTokens?: number } = {},
  ): Promise<{ conversation: ConversationRecord; branch: MessageRecord[] } | null> {
    if (!isUuid(id) || (leafId != null && !isUuid(leafId))) return null;
    const maxTokens = options.maxTokens === undefined ? null : Math.max(0, Math.floor(options.maxTokens));
    const [conversation, branch] = await this.statementsAs('authenticated', 'Reading the conversation', [
      { text: `select * from public.ai_chat_conversations where id = $1`, params: [id] },
      maxTokens === null
        ? { text: `select * from public.ai_chat_branch($1, $2)`, params: [id, leafId ?? null] }
        : { text: `select * from public.ai_chat_branch_tail($1, $2, $3)`, params: [id, leafId ?? null, maxTokens] },
    ]);
    if (!conversation![0]) return null;
    return {
      conversation: conversationRowSchema.parse(conversation![0]),
      branch: branch!.map((row) => messageRowSchema.parse(row)),
    };
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const { user, server } = splitConversationPatch(patch);
    if (Object.keys(server).length > 0) {
      const updated = await this.callAsServer(
        'Updating the conversation',
        'ai_chat_update_conversation',
        updateConversationArgs(this.userId, id, server),
      );
      if (updated.length === 0) return null;
    }
    if (Object.keys(user).length === 0) return this.getConversation(id);
    const params: unknown[] = [id];
    // Column names come from a fixed list, never from the caller: only values are parameters.
    const assignments = Object.entries(user).map(([column, value]) => {
      params.push(value);
      return `${column} = $${params.length}`;
    });
    const rows = await this.statementAs(
      'authenticated',
      'Updating the conversation',
      `update public.ai_chat_conversations set ${assignments.join(', ')} where id = $1 returning *`,
      params,
    );
    return rows[0] ? conversationRowSchema.parse(rows[0]) : null;
  }

  async setModelTitle(id: string, title: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.callAsServer('Saving the title', 'ai_chat_set_model_title', { p_user_id: this.userId, p_conversation_id: id, p_title: title });
    return rows[0]?.ai_chat_set_model_title === true;
  }

  async importConversation(input: ImportedConversation): Promise<string> {
    const rows = await this.callAsServer('Importing the conversation', 'ai_chat_import_conversation', importConversationArgs(this.userId, input));
    const id = String(rows[0]!.ai_chat_import_conversation);
    await this.callAsServer('Importing the conversation', 'ai_chat_mark_imported', { p_user_id: this.userId, p_conversation_id: id });
    return id;
  }

  async deleteConversation(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.attachments.deletingConversation(id, async () => {
      const rows = await this.statementAs('authenticated', 'Deleting the conversation', `delete from public.ai_chat_conversations where id = $1 returning id`, [id]);
      return rows.length > 0;
    });
  }

  async continueMessage(input: ContinuedMessage): Promise<MessageRecord | null> {
    if (!isUuid(input.id)) return null;
    const rows = await this.callAsServer('Saving the reply', 'ai_chat_continue_message', continueMessageArgs(this.userId, input));
    return rows[0] ? messageRowSchema.parse(rows[0]) : null;
  }

  async appendMessage(input: NewMessage): Promise<MessageRecord> {
    const rows = await this.callAsServer('Saving the message', 'ai_chat_append_message', appendMessageArgs(this.userId, input));
    return messageRowSchema.parse(rows[0]);
  }

  async createConversationWithMessage(
    conversation: NewConversation,
    message: NewMessage,
  ): Promise<{ conversation: ConversationRecord; message: MessageRecord }> {
    const [created, appended] = await this.statementsAs('service_role', 'Saving the message', [
      functionCall('ai_chat_create_conversation', createConversationArgs(this.userId, conversation)),
      functionCall('ai_chat_append_message', appendMessageArgs(this.userId, message)),
    ]);
    return { conversation: conversationRowSchema.parse(created![0]), message: messageRowSchema.parse(appended![0]) };
  }

  async saveQuestionWithRun(question: {
    conversation: (NewConversation & { id: string }) | null;
    message: NewMessage;
    run: NewReplyRun;
  }): Promise<{ conversation: ConversationRecord | null; message: MessageRecord; runStarted: boolean }> {
    const results = await this.statementsAs('service_role', 'Saving the message', [
      ...(question.conversation ? [functionCall('ai_chat_create_conversation', createConversationArgs(this.userId, question.conversation))] : []),
      functionCall('ai_chat_append_message', appendMessageArgs(this.userId, question.message)),
      scalarCall('ai_chat_reply_start', replyRunArgs.start(question.run), 'started'),
    ]);
    const [created, appended, started] = question.conversation ? results : [null, ...results];
    return {
      conversation: created ? conversationRowSchema.parse(created[0]) : null,
      message: messageRowSchema.parse(appended![0]),
      runStarted: started![0]?.started === true,
    };
  }

  async listMessages(conversationId: string): Promise<MessageRecord[]> {
    if (!isUuid(conversationId)) return [];
    const rows = await this.statementAs(
      'authenticated',
      'Reading messages',
      `select * from public.ai_chat_messages where conversation_id = $1 order by created_at, id`,
      [conversationId],
    );
    return rows.map((row) => messageRowSchema.parse(row));
  }

  async getActiveBranch(conversationId: string, leafId?: string | null): Promise<MessageRecord[]> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return [];
    const rows = await this.statementAs('authenticated', 'Reading the conversation', `select * from public.ai_chat_branch($1, $2)`, [
      conversationId,
      leafId ?? null,
    ]);
    return rows.map((row) => messageRowSchema.parse(row));
  }

  async getBranchSiblings(conversationId: string, leafId?: string | null): Promise<Record<string, string[]>> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return {};
    // text[]: every driver parses it (a uuid[] is left a string by some).
    const rows = await this.statementAs(
      'authenticated',
      'Reading the conversation',
      `select message_id, sibling_ids::text[] as sibling_ids from public.ai_chat_branch_siblings($1, $2)`,
      [conversationId, leafId ?? null],
    );
    return siblingsFromRows(rows);
  }

  async switchBranch(conversationId: string, messageId: string): Promise<string | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const rows = await this.statementAs('authenticated', 'Switching branch', `select public.ai_chat_switch_branch($1, $2) as leaf`, [
      conversationId,
      messageId,
    ]);
    return (rows[0]?.leaf as string | null | undefined) ?? null;
  }

  async appendMessageAndSettle(
    message: NewMessage,
    reservationId: string,
    settlement: UsageSettlement,
  ): Promise<{ message: MessageRecord; settled: boolean }> {
    const [appended, settled] = await this.statementsAs('service_role', 'Saving the message', [
      functionCall('ai_chat_append_message', appendMessageArgs(this.userId, message)),
      scalarCall('ai_chat_settle_usage', settleUsageArgs(reservationId, settlement), 'settled'),
    ]);
    return { message: messageRowSchema.parse(appended![0]), settled: settled![0]?.settled === true };
  }

  async getBranchSummary(conversationId: string, branchMessageIds: readonly string[]): Promise<BranchSummary | null> {
    const ids = branchMessageIds.filter(isUuid);
    if (!isUuid(conversationId) || ids.length === 0) return null;
    const rows = await this.statementAs(
      'authenticated',
      'Reading the summary',
      `select s.summary, s.through_message_id from public.ai_chat_summaries s
        where s.conversation_id = $1 and s.through_message_id = any($2::uuid[])`,
      [conversationId, ids],
    );
    return latestOnBranch(rows as Array<{ summary: string; through_message_id: string }>, ids);
  }

  async saveSummary(conversationId: string, summary: BranchSummary): Promise<void> {
    await this.callAsServer('Saving the summary', 'ai_chat_save_summary', saveSummaryArgs(this.userId, conversationId, summary));
  }
}
