import 'server-only';
import type { ConversationRecord, MessageRecord, UsageSummary } from '../../protocol/records';
import type {
  BranchSummary,
  CachedReply,
  ConversationPatch,
  ListConversationsOptions,
  NewConversation,
  NewMessage,
  UsageHold,
  UsageHoldRequest,
  UsageReservation,
  UsageReservationRequest,
  UsageSettlement,
  UserChatStore,
} from '../chat-store';
import { appendMessageArgs, holdUsageArgs, latestOnBranch, recordUsageArgs, reserveUsageArgs, saveSummaryArgs, settleUsageArgs } from '../function-args';
import { isUuid } from '../ids';
import { mapDatabaseError } from './map-database-error';
import {
  conversationRowSchema,
  holdRowSchema,
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
        `insert into public.conversations (id, user_id, title, system_prompt, provider, model)
         values (coalesce($5, gen_random_uuid()), (select auth.uid()), coalesce($1, 'New chat'), $2, $3, $4)
         returning *`,
        [input.title ?? null, input.systemPrompt ?? null, input.provider, input.model, input.id ?? null],
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

  async getConversationWithBranch(
    id: string,
    leafId?: string | null,
  ): Promise<{ conversation: ConversationRecord; branch: MessageRecord[] } | null> {
    if (!isUuid(id) || (leafId != null && !isUuid(leafId))) return null;
    return this.asUser('Reading the conversation', async (tx) => {
      const { rows } = await tx.query(`select * from public.conversations where id = $1`, [id]);
      if (!rows[0]) return null;
      const branch = await tx.query(`select * from public.ai_chat_branch($1, $2)`, [id, leafId ?? null]);
      return {
        conversation: conversationRowSchema.parse(rows[0]),
        branch: branch.rows.map((row) => messageRowSchema.parse(row)),
      };
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
      const rows = await callFunction(tx, 'ai_chat_append_message', appendMessageArgs(input));
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
      const rows = await callFunction(tx, 'ai_chat_reserve_usage', reserveUsageArgs(this.userId, request));
      return reservationRowSchema.parse(rows[0]);
    });
  }

  holdUsage(reservationId: string, request: UsageHoldRequest): Promise<UsageHold> {
    return this.asServer('Checking usage limits', async (tx) => {
      const rows = await callFunction(tx, 'ai_chat_hold_usage', holdUsageArgs(this.userId, reservationId, request));
      return holdRowSchema.parse(rows[0]);
    });
  }

  settleUsage(reservationId: string, settlement: UsageSettlement): Promise<boolean> {
    return this.asServer('Recording usage', async (tx) => {
      const { rows } = await tx.query<{ settled: boolean }>(
        `select public.ai_chat_settle_usage(${settleArgList()}) as settled`,
        Object.values(settleUsageArgs(reservationId, settlement)),
      );
      return rows[0]?.settled === true;
    });
  }

  async getBranchSummary(conversationId: string, branchMessageIds: readonly string[]): Promise<BranchSummary | null> {
    const ids = branchMessageIds.filter(isUuid);
    if (!isUuid(conversationId) || ids.length === 0) return null;
    return this.asUser('Reading the summary', async (tx) => {
      const { rows } = await tx.query<{ summary: string; through_message_id: string }>(
        `select s.summary, s.through_message_id from public.ai_chat_summaries s
          where s.conversation_id = $1 and s.through_message_id = any($2::uuid[])`,
        [conversationId, ids],
      );
      return latestOnBranch(rows, ids);
    });
  }

  async saveSummary(conversationId: string, summary: BranchSummary): Promise<void> {
    await this.asServer('Saving the summary', (tx) =>
      callFunction(tx, 'ai_chat_save_summary', saveSummaryArgs(this.userId, conversationId, summary)),
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
    await this.asServer('Recording usage', (tx) => callFunction(tx, 'ai_chat_record_usage', recordUsageArgs(this.userId, settlement)));
  }
}

/**
 * Calls a migration function with named arguments (`p_x => $1`), as PostgREST does for rpc. Names
 * come from the fixed argument builders, never from input; objects are passed as JSON text.
 */
async function callFunction(tx: SqlExecutor, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const names = Object.keys(args);
  const values = names.map((key) => toParameter(args[key]));
  const list = names.map((key, index) => `${key} => $${index + 1}`).join(', ');
  const { rows } = await tx.query(`select * from public.${name}(${list})`, values);
  return rows;
}

/** `p_x => $1, …` for the settle function's arguments, in the builder's order. */
function settleArgList(): string {
  const names = Object.keys(settleUsageArgs('', { provider: '', model: '', promptTokens: 0, completionTokens: 0, cost: null }));
  return names.map((key, index) => `${key} => $${index + 1}`).join(', ');
}

function toParameter(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}
