import 'server-only';
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
import { mapDatabaseError } from './map-database-error';
import {
  conversationRowSchema,
  messageRowSchema,
  reservationRowSchema,
  toConversationChanges,
  usageSummaryRowSchema,
} from './rows';
import type { SqlDatabase, SqlExecutor } from './sql-database';

const MAX_PAGE = 200;

/**
 * A UserChatStore on any Postgres: every user operation runs as role `authenticated` with the
 * user's JWT claims set, exactly as PostgREST runs it on Supabase, so RLS is the gatekeeper.
 * Usage writes run as `service_role`, as the Supabase adapter's service client does.
 */
export class PostgresUserStore implements UserChatStore {
  constructor(
    private readonly db: SqlDatabase,
    readonly userId: string,
  ) {}

  private asUser<T>(context: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inRole('authenticated', context, work);
  }

  private asServer<T>(context: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inRole('service_role', context, work);
  }

  private async inRole<T>(
    role: 'authenticated' | 'service_role',
    context: string,
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> {
    const claims = JSON.stringify({ sub: this.userId, role });
    try {
      return await this.db.transaction(async (tx) => {
        // One round trip, transaction-local, the way PostgREST does it.
        await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
          role,
          claims,
        ]);
        return work(tx);
      });
    } catch (error) {
      throw mapDatabaseError(error, context);
    }
  }

  listConversations(options: ListConversationsOptions = {}): Promise<ConversationRecord[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
    return this.asUser('Listing conversations', async (tx) => {
      const { rows } = await tx.query(
        `select * from public.conversations
          where user_id = (select auth.uid())
            and ($1::timestamptz is null or updated_at < $1::timestamptz)
          order by updated_at desc, id desc
          limit $2`,
        [options.before ?? null, limit],
      );
      return rows.map((row) => conversationRowSchema.parse(row));
    });
  }

  createConversation(input: NewConversation): Promise<ConversationRecord> {
    return this.asUser('Creating the conversation', async (tx) => {
      const { rows } = await tx.query(
        `insert into public.conversations (user_id, title, system_prompt, provider, model)
         values ((select auth.uid()), coalesce($1, 'New chat'), $2, $3, $4)
         returning *`,
        [input.title ?? null, input.systemPrompt ?? null, input.provider, input.model],
      );
      return conversationRowSchema.parse(rows[0]);
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    return this.asUser('Reading the conversation', async (tx) => {
      const { rows } = await tx.query(`select * from public.conversations where id = $1`, [id]);
      return rows[0] ? conversationRowSchema.parse(rows[0]) : null;
    });
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null> {
    if (!isUuid(id)) return null;
    const params: unknown[] = [id];
    // Column names come from a fixed map, never from the caller: only values are parameters.
    const assignments = Object.entries(toConversationChanges(patch)).map(([column, value]) => {
      params.push(value);
      return `${column} = $${params.length}`;
    });
    if (assignments.length === 0) return this.getConversation(id);
    return this.asUser('Updating the conversation', async (tx) => {
      const { rows } = await tx.query(
        `update public.conversations set ${assignments.join(', ')} where id = $1 returning *`,
        params,
      );
      return rows[0] ? conversationRowSchema.parse(rows[0]) : null;
    });
  }

  async deleteConversation(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.asUser('Deleting the conversation', async (tx) => {
      const { rows } = await tx.query(`delete from public.conversations where id = $1 returning id`, [id]);
      return rows.length > 0;
    });
  }

  appendMessage(input: NewMessage): Promise<MessageRecord> {
    return this.asUser('Saving the message', async (tx) => {
      const { rows } = await tx.query(
        `select * from public.ai_chat_append_message(
           p_conversation_id => $1, p_parent_id => $2, p_role => $3, p_content => $4,
           p_status => $5, p_provider => $6, p_model => $7, p_tokens => $8, p_cost => $9,
           p_tool_calls => $10, p_tool_results => $11, p_metadata => $12, p_id => $13)`,
        [
          input.conversationId,
          input.parentId,
          input.role,
          input.content,
          input.status ?? 'complete',
          input.provider ?? null,
          input.model ?? null,
          input.tokens ?? null,
          input.cost ?? null,
          toJsonb(input.toolCalls),
          toJsonb(input.toolResults),
          JSON.stringify(input.metadata ?? {}),
          input.id ?? null,
        ],
      );
      return messageRowSchema.parse(rows[0]);
    });
  }

  async listMessages(conversationId: string): Promise<MessageRecord[]> {
    if (!isUuid(conversationId)) return [];
    return this.asUser('Reading messages', async (tx) => {
      const { rows } = await tx.query(
        `select * from public.messages where conversation_id = $1 order by created_at, id`,
        [conversationId],
      );
      return rows.map((row) => messageRowSchema.parse(row));
    });
  }

  async getActiveBranch(conversationId: string, leafId?: string | null): Promise<MessageRecord[]> {
    if (!isUuid(conversationId) || (leafId != null && !isUuid(leafId))) return [];
    return this.asUser('Reading the conversation', async (tx) => {
      const { rows } = await tx.query(`select * from public.ai_chat_branch($1, $2)`, [conversationId, leafId ?? null]);
      return rows.map((row) => messageRowSchema.parse(row));
    });
  }

  async switchBranch(conversationId: string, messageId: string): Promise<string | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    return this.asUser('Switching branch', async (tx) => {
      const { rows } = await tx.query<{ leaf: string | null }>(
        `select public.ai_chat_switch_branch($1, $2) as leaf`,
        [conversationId, messageId],
      );
      return rows[0]?.leaf ?? null;
    });
  }

  getUsageSummary(): Promise<UsageSummary> {
    return this.asUser('Reading usage', async (tx) => {
      const { rows } = await tx.query(`select * from public.ai_chat_usage_summary()`);
      return usageSummaryRowSchema.parse(rows[0]);
    });
  }

  reserveUsage(request: UsageReservationRequest): Promise<UsageReservation> {
    return this.asServer('Checking usage limits', async (tx) => {
      const { rows } = await tx.query(
        `select * from public.ai_chat_reserve_usage(
           p_user_id => $1, p_provider => $2, p_model => $3, p_conversation_id => $4,
           p_estimated_tokens => $5, p_estimated_cost => $6, p_max_tokens_per_day => $7,
           p_max_cost_per_month => $8, p_max_requests_per_minute => $9)`,
        [
          this.userId,
          request.provider,
          request.model,
          request.conversationId ?? null,
          Math.max(0, Math.ceil(request.estimatedTokens)),
          request.estimatedCost,
          request.maxTokensPerDay ?? null,
          request.maxCostPerMonth == null ? null : String(request.maxCostPerMonth),
          request.maxRequestsPerMinute ?? null,
        ],
      );
      return reservationRowSchema.parse(rows[0]);
    });
  }

  async settleUsage(reservationId: string, settlement: UsageSettlement): Promise<void> {
    await this.asServer('Recording usage', (tx) =>
      tx.query(
        `select public.ai_chat_settle_usage(
           p_reservation_id => $1, p_provider => $2, p_model => $3, p_prompt_tokens => $4,
           p_completion_tokens => $5, p_cached_prompt_tokens => $6, p_cost => $7, p_message_id => $8,
           p_conversation_id => $9)`,
        [
          reservationId,
          settlement.provider,
          settlement.model,
          settlement.promptTokens,
          settlement.completionTokens,
          settlement.cachedPromptTokens ?? 0,
          settlement.cost,
          settlement.messageId ?? null,
          settlement.conversationId ?? null,
        ],
      ),
    );
  }

  getCachedReply(key: string): Promise<CachedReply | null> {
    return this.asUser('Reading the reply cache', async (tx) => {
      const { rows } = await tx.query<CachedReply>(
        `select provider, model, content from public.ai_response_cache
          where user_id = (select auth.uid()) and key = $1 and expires_at > now()`,
        [key],
      );
      return rows[0] ?? null;
    });
  }

  async putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void> {
    await this.asUser('Caching the reply', (tx) =>
      tx.query(
        `insert into public.ai_response_cache (user_id, key, provider, model, content, expires_at)
         values ((select auth.uid()), $1, $2, $3, $4, now() + make_interval(secs => $5))
         on conflict (user_id, key) do nothing`,
        [key, reply.provider, reply.model, reply.content, ttlSeconds],
      ),
    );
  }

  async recordUsage(settlement: UsageSettlement): Promise<void> {
    await this.asServer('Recording usage', (tx) =>
      tx.query(
        `select public.ai_chat_record_usage(
           p_user_id => $1, p_provider => $2, p_model => $3, p_prompt_tokens => $4,
           p_completion_tokens => $5, p_cached_prompt_tokens => $6, p_cost => $7,
           p_conversation_id => $8, p_message_id => $9)`,
        [
          this.userId,
          settlement.provider,
          settlement.model,
          settlement.promptTokens,
          settlement.completionTokens,
          settlement.cachedPromptTokens ?? 0,
          settlement.cost,
          settlement.conversationId ?? null,
          settlement.messageId ?? null,
        ],
      ),
    );
  }
}

function toJsonb(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
