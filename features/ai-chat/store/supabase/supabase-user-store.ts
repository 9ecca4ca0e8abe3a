import 'server-only';
import { SupabaseAttachmentStore } from '../attachments/supabase-attachment-store';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type {
  ContinuedMessage,
  BranchSummary,
  ConversationPatch,
  ImportedConversation,
  ListConversationsOptions,
  NewConversation,
  NewMessage,
  UserChatStore,
} from '../chat-store';
import {
  appendMessageArgs,
  continueMessageArgs,
  createConversationArgs,
  importConversationArgs,
  latestOnBranch,
  saveSummaryArgs,
  updateConversationArgs,
} from '../function-args';
import { ChatError } from '../../protocol/errors';
import { isUuid } from '../ids';
import { conversationRowSchema, messageRowSchema, siblingsFromRows, splitConversationPatch } from '../postgres/rows';
import { readAllPages, SUPABASE_MAX_ROWS } from './read-pages';
import { unwrap } from './postgrest-result';
import { SupabaseUserUsage } from './supabase-user-usage';

const MAX_PAGE = 200;

/**
 * UserChatStore over PostgREST. `user` carries the user's JWT, so RLS scopes every read and the
 * user's own writes (rename, branch switch, delete); `service` (service-role key) calls the
 * functions only the server may call (messages, server-owned conversation columns, imports, the
 * reply cache, usage), each given the user id that Supabase Auth verified for this request.
 * Lists that can outgrow PostgREST's `max-rows` (a conversation's messages, its branch) are read
 * in pages of `pageRows`.
 */
export class SupabaseUserStore extends SupabaseUserUsage implements UserChatStore {
  readonly attachments: SupabaseAttachmentStore;
  constructor(
    user: SupabaseClient,
    service: SupabaseClient,
    userId: string,
    private readonly pageRows: number = SUPABASE_MAX_ROWS,
  ) {
    super(user, service, userId);
    this.attachments = new SupabaseAttachmentStore(user, service, userId, pageRows);
  }

  async listConversations(options: ListConversationsOptions = {}): Promise<ConversationRecord[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
    const archived = options.archived ?? false;
    let query = this.user.from('ai_chat_conversations').select('*').eq('user_id', this.userId);
    query = archived ? query.not('archived_at', 'is', null) : query.is('archived_at', null);
    // The first page of the chats on show heads with the pinned ones; later pages hold none.
    if (!archived) query = query.order('pinned_at', { ascending: false, nullsFirst: false });
    query = query.order('last_message_at', { ascending: false }).order('id', { ascending: false }).limit(limit);
    if (options.before) {
      // (last_message_at, id) < (before, beforeId): PostgREST has no row comparison.
      // Both go into a filter string: only a time and an id in their own forms may.
      if ((options.beforeId && !isUuid(options.beforeId)) || Number.isNaN(Date.parse(options.before))) {
        throw new ChatError('bad_request', 'Not a page of the chat list.');
      }
      query = options.beforeId
        ? // A time holds `:` and `.`, reserved in a logic tree's grammar: quoted, as PostgREST asks.
          query.or(`last_message_at.lt."${options.before}",and(last_message_at.eq."${options.before}",id.lt.${options.beforeId})`)
        : query.lt('last_message_at', options.before);
      if (!archived) query = query.is('pinned_at', null);
    }
    const rows = unwrap(await query, 'Listing conversations') ?? [];
    return rows.map((row) => conversationRowSchema.parse(row));
  }

  async createConversation(input: NewConversation): Promise<ConversationRecord> {
    const row = unwrap(
      await this.service.rpc('ai_chat_create_conversation', createConversationArgs(this.userId, input)).single(),
      'Creating the conversation',
    );
    return conversationRowSchema.parse(row);
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const row = unwrap(
      await this.user.from('ai_chat_conversations').select('*').eq('id', id).maybeSingle(),
      'Reading the conversation',
    );
    return row ? conversationRowSchema.parse(row) : null;
  }

  async getConversationWithBranch(
    id: string,
    leafId?: string | null,
    options: { maxTokens?: number } = {},
  ): Promise<{ conversation: ConversationRecord; branch: MessageRecord[] } | null> {
    // Two PostgREST calls, sent at once: one round trip of latency.
    const [conversation, branch] = await Promise.all([this.getConversation(id), this.branchRows(id, leafId, options.maxTokens)]);
    return conversation ? { conversation, branch } : null;
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const { user, server } = splitConversationPatch(patch);
    if (Object.keys(server).length > 0) {
      const rows = unwrap(
        await this.service.rpc('ai_chat_update_conversation', updateConversationArgs(this.userId, id, server)),
        'Updating the conversation',
      );
      if (((rows as unknown[] | null) ?? []).length === 0) return null;
    }
    if (Object.keys(user).length === 0) return this.getConversation(id);
    const row = unwrap(
      await this.user.from('ai_chat_conversations').update(user).eq('id', id).select('*').maybeSingle(),
      'Updating the conversation',
    );
    return row ? conversationRowSchema.parse(row) : null;
  }

  async setModelTitle(id: string, title: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const written = unwrap(
      await this.service.rpc('ai_chat_set_model_title', { p_user_id: this.userId, p_conversation_id: id, p_title: title }),
      'Saving the title',
    );
    return written === true;
  }

  async importConversation(input: ImportedConversation): Promise<string> {
    const id = String(
      unwrap(await this.service.rpc('ai_chat_import_conversation', importConversationArgs(this.userId, input)), 'Importing the conversation'),
    );
    unwrap(await this.service.rpc('ai_chat_mark_imported', { p_user_id: this.userId, p_conversation_id: id }), 'Importing the conversation');
    return id;
  }

  async deleteConversation(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.attachments.deletingConversation(id, async () => {
      const rows = unwrap(
        await this.user.from('ai_chat_conversations').delete().eq('id', id).select('id'),
        'Deleting the conversation',
      );
      return (rows ?? []).length > 0;
    });
  }

  async continueMessage(input: ContinuedMessage): Promise<MessageRecord | null> {
    if (!isUuid(input.id)) return null;
    const rows = unwrap(await this.service.rpc('ai_chat_continue_message', continueMessageArgs(this.userId, input)), 'Saving the reply');
    const row = ((rows as unknown[] | null) ?? [])[0];
    return row ? messageRowSchema.parse(row) : null;
  }

  async appendMessage(input: NewMessage): Promise<MessageRecord> {
    const row = unwrap(
      await this.service.rpc('ai_chat_append_message', appendMessageArgs(this.userId, input)).single(),
      'Saving the message',
    );
    return messageRowSchema.parse(row);
  }

  async listMessages(conversationId: string): Promise<MessageRecord[]> {
    if (!isUuid(conversationId)) return [];
    const rows = await readAllPages(
      (from, to) =>
        this.user
          .from('ai_chat_messages')
          .select('*')
          .eq('conversation_id', conversationId)
          .order('created_at', { ascending: true })
          .order('id', { ascending: true })
          .range(from, to),
      this.pageRows,
      'Reading messages',
    );
    return rows.map((row) => messageRowSchema.parse(row));
  }

  async getActiveBranch(conversationId: string, leafId?: string | null): Promise<MessageRecord[]> {
    return this.branchRows(conversationId, leafId);
  }

  /** The branch, or with maxTokens its newest part (ai_chat_branch_tail). */
  private async branchRows(conversationId: string, leafId?: string | null, maxTokens?: number): Promise<MessageRecord[]> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return [];
    // Newest first, so the first page names the leaf (a message is always newer than its parent)
    // and every later page reads that leaf's branch: a branch switch between two pages cannot
    // splice two branches together.
    let leaf = leafId ?? null;
    const rows = await readAllPages<{ id: string }>(
      async (from, to) => {
        const page = await this.user
          .rpc(
            maxTokens === undefined ? 'ai_chat_branch' : 'ai_chat_branch_tail',
            maxTokens === undefined
              ? { p_conversation_id: conversationId, p_leaf_id: leaf }
              : { p_conversation_id: conversationId, p_leaf_id: leaf, p_max_tokens: Math.max(0, Math.floor(maxTokens)) },
          )
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .range(from, to);
        leaf ??= (page.data as { id: string }[] | null)?.[0]?.id ?? null;
        return page;
      },
      this.pageRows,
      'Reading the conversation',
    );
    return rows.reverse().map((row) => messageRowSchema.parse(row));
  }

  async getBranchSiblings(conversationId: string, leafId?: string | null): Promise<Record<string, string[]>> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return {};
    const rows = await readAllPages(
      (from, to) =>
        this.user
          .rpc('ai_chat_branch_siblings', { p_conversation_id: conversationId, p_leaf_id: leafId ?? null })
          .order('message_id', { ascending: true })
          .range(from, to),
      this.pageRows,
      'Reading the conversation',
    );
    return siblingsFromRows(rows);
  }

  async switchBranch(conversationId: string, messageId: string): Promise<string | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const leaf = unwrap(
      await this.user.rpc('ai_chat_switch_branch', {
        p_conversation_id: conversationId,
        p_message_id: messageId,
      }),
      'Switching branch',
    );
    return typeof leaf === 'string' ? leaf : null;
  }

  async getBranchSummary(conversationId: string, branchMessageIds: readonly string[]): Promise<BranchSummary | null> {
    const ids = branchMessageIds.filter(isUuid);
    if (!isUuid(conversationId) || ids.length === 0) return null;
    // A handful per conversation (one per branch point summarised), but never cut at max-rows.
    const rows = await readAllPages<{ summary: string; through_message_id: string }>(
      (from, to) =>
        this.user
          .from('ai_chat_summaries')
          .select('summary, through_message_id')
          .eq('conversation_id', conversationId)
          .order('through_message_id', { ascending: true })
          .range(from, to),
      this.pageRows,
      'Reading the summary',
    );
    return latestOnBranch(rows, ids);
  }

  async saveSummary(conversationId: string, summary: BranchSummary): Promise<void> {
    unwrap(await this.service.rpc('ai_chat_save_summary', saveSummaryArgs(this.userId, conversationId, summary)), 'Saving the summary');
  }
}
