import 'server-only';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ConversationRecord, MessageRecord, UsageSummary } from '../../protocol/records';
import type {
  CachedReply,
  ConversationPatch,
  ListConversationsOptions,
  NewConversation,
  NewMessage,
  UsageReservation,
  UsageReservationRequest,
  UsageSettlement,
  UserChatStore,
} from '../chat-store';
import { isUuid } from '../ids';
import { mapDatabaseError } from '../postgres/map-database-error';
import {
  conversationRowSchema,
  messageRowSchema,
  reservationRowSchema,
  toConversationChanges,
  usageSummaryRowSchema,
} from '../postgres/rows';

const MAX_PAGE = 200;

interface PostgrestResult<T> {
  data: T | null;
  error: unknown;
}

/** Unwraps a PostgREST answer, mapping its SQLSTATE into a ChatError. */
function unwrap<T>(result: PostgrestResult<T>, context: string): T {
  if (result.error) throw mapDatabaseError(result.error, context);
  return result.data as T;
}

/**
 * UserChatStore over PostgREST. `user` carries the user's JWT, so RLS scopes every query;
 * `service` (service-role key) is used only for the usage functions, which users may not call.
 */
export class SupabaseUserStore implements UserChatStore {
  constructor(
    private readonly user: SupabaseClient,
    private readonly service: SupabaseClient,
    readonly userId: string,
  ) {}

  async listConversations(options: ListConversationsOptions = {}): Promise<ConversationRecord[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
    let query = this.user
      .from('conversations')
      .select('*')
      .eq('user_id', this.userId)
      .order('updated_at', { ascending: false })
      .order('id', { ascending: false })
      .limit(limit);
    if (options.before) query = query.lt('updated_at', options.before);
    const rows = unwrap(await query, 'Listing conversations') ?? [];
    return rows.map((row) => conversationRowSchema.parse(row));
  }

  async createConversation(input: NewConversation): Promise<ConversationRecord> {
    const row = unwrap(
      await this.user
        .from('conversations')
        .insert({
          user_id: this.userId,
          title: input.title ?? 'New chat',
          system_prompt: input.systemPrompt ?? null,
          provider: input.provider,
          model: input.model,
        })
        .select('*')
        .single(),
      'Creating the conversation',
    );
    return conversationRowSchema.parse(row);
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const row = unwrap(
      await this.user.from('conversations').select('*').eq('id', id).maybeSingle(),
      'Reading the conversation',
    );
    return row ? conversationRowSchema.parse(row) : null;
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const changes = toConversationChanges(patch);
    if (Object.keys(changes).length === 0) return this.getConversation(id);
    const row = unwrap(
      await this.user.from('conversations').update(changes).eq('id', id).select('*').maybeSingle(),
      'Updating the conversation',
    );
    return row ? conversationRowSchema.parse(row) : null;
  }

  async deleteConversation(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = unwrap(
      await this.user.from('conversations').delete().eq('id', id).select('id'),
      'Deleting the conversation',
    );
    return (rows ?? []).length > 0;
  }

  async appendMessage(input: NewMessage): Promise<MessageRecord> {
    const row = unwrap(
      await this.user
        .rpc('ai_chat_append_message', {
          p_conversation_id: input.conversationId,
          p_parent_id: input.parentId,
          p_role: input.role,
          p_content: input.content,
          p_status: input.status ?? 'complete',
          p_provider: input.provider ?? null,
          p_model: input.model ?? null,
          p_tokens: input.tokens ?? null,
          p_cost: input.cost ?? null,
          p_tool_calls: input.toolCalls ?? null,
          p_tool_results: input.toolResults ?? null,
          p_metadata: input.metadata ?? {},
          p_id: input.id ?? null,
        })
        .single(),
      'Saving the message',
    );
    return messageRowSchema.parse(row);
  }

  async listMessages(conversationId: string): Promise<MessageRecord[]> {
    if (!isUuid(conversationId)) return [];
    const rows = unwrap(
      await this.user
        .from('messages')
        .select('*')
        .eq('conversation_id', conversationId)
        .order('created_at', { ascending: true })
        .order('id', { ascending: true }),
      'Reading messages',
    );
    return (rows ?? []).map((row) => messageRowSchema.parse(row));
  }

  async getActiveBranch(conversationId: string, leafId?: string | null): Promise<MessageRecord[]> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return [];
    const rows = unwrap(
      await this.user.rpc('ai_chat_branch', { p_conversation_id: conversationId, p_leaf_id: leafId ?? null }),
      'Reading the conversation',
    );
    return ((rows as unknown[] | null) ?? []).map((row) => messageRowSchema.parse(row));
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

  async getUsageSummary(): Promise<UsageSummary> {
    const row = unwrap(await this.user.rpc('ai_chat_usage_summary').single(), 'Reading usage');
    return usageSummaryRowSchema.parse(row);
  }

  async reserveUsage(request: UsageReservationRequest): Promise<UsageReservation> {
    const raw = unwrap(
      await this.service
        .rpc('ai_chat_reserve_usage', {
          p_user_id: this.userId,
          p_provider: request.provider,
          p_model: request.model,
          p_conversation_id: request.conversationId ?? null,
          p_estimated_tokens: Math.max(0, Math.ceil(request.estimatedTokens)),
          p_estimated_cost: request.estimatedCost,
          p_max_tokens_per_day: request.maxTokensPerDay ?? null,
          p_max_cost_per_month: request.maxCostPerMonth == null ? null : String(request.maxCostPerMonth),
          p_max_requests_per_minute: request.maxRequestsPerMinute ?? null,
        })
        .single(),
      'Checking usage limits',
    );
    return reservationRowSchema.parse(raw);
  }

  async settleUsage(reservationId: string, settlement: UsageSettlement): Promise<void> {
    unwrap(
      await this.service.rpc('ai_chat_settle_usage', {
        p_reservation_id: reservationId,
        p_provider: settlement.provider,
        p_model: settlement.model,
        p_prompt_tokens: settlement.promptTokens,
        p_completion_tokens: settlement.completionTokens,
        p_cached_prompt_tokens: settlement.cachedPromptTokens ?? 0,
        p_cost: settlement.cost,
        p_message_id: settlement.messageId ?? null,
        p_conversation_id: settlement.conversationId ?? null,
      }),
      'Recording usage',
    );
  }

  async getCachedReply(key: string): Promise<CachedReply | null> {
    const row = unwrap(
      await this.user
        .from('ai_response_cache')
        .select('provider, model, content')
        .eq('user_id', this.userId)
        .eq('key', key)
        .gt('expires_at', new Date().toISOString())
        .maybeSingle(),
      'Reading the reply cache',
    );
    return (row as CachedReply | null) ?? null;
  }

  async putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void> {
    unwrap(
      await this.user.from('ai_response_cache').upsert(
        {
          user_id: this.userId,
          key,
          provider: reply.provider,
          model: reply.model,
          content: reply.content,
          expires_at: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
        },
        { onConflict: 'user_id,key', ignoreDuplicates: true },
      ),
      'Caching the reply',
    );
  }

  async recordUsage(settlement: UsageSettlement): Promise<void> {
    unwrap(
      await this.service.rpc('ai_chat_record_usage', {
        p_user_id: this.userId,
        p_provider: settlement.provider,
        p_model: settlement.model,
        p_prompt_tokens: settlement.promptTokens,
        p_completion_tokens: settlement.completionTokens,
        p_cached_prompt_tokens: settlement.cachedPromptTokens ?? 0,
        p_cost: settlement.cost,
        p_conversation_id: settlement.conversationId ?? null,
        p_message_id: settlement.messageId ?? null,
      }),
      'Recording usage',
    );
  }
}
