import 'server-only';
import { sharedMemoryBytes, type AttachmentBytes } from '../attachments/attachment-bytes';
import { PostgresAttachmentStore } from '../attachments/postgres-attachment-store';
import type { ConversationRecord, MessageRecord, UsageSummary } from '../../protocol/records';
import type {
  BranchSummary,
  CachedReply,
  ConversationPatch,
  ImportedConversation,
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
import {
  appendMessageArgs,
  cacheReplyArgs,
  createConversationArgs,
  holdUsageArgs,
  importConversationArgs,
  latestOnBranch,
  readCachedReplyArgs,
  recordUsageArgs,
  reserveUsageArgs,
  saveSummaryArgs,
  settleUsageArgs,
  updateConversationArgs,
} from '../function-args';
import { isUuid } from '../ids';
import { mapDatabaseError } from './map-database-error';
import {
  cachedReplyRowSchema,
  conversationRowSchema,
  holdRowSchema,
  messageRowSchema,
  reservationRowSchema,
  splitConversationPatch,
  usageSummaryRowSchema,
} from './rows';
import type { SqlDatabase, SqlExecutor } from './sql-database';

const MAX_PAGE = 200;

/**
 * A UserChatStore on any Postgres: every user operation runs as role `authenticated` with the
 * user's JWT claims set, exactly as PostgREST runs it on Supabase, so RLS is the gatekeeper.
 * What only the server writes (messages, server-owned conversation columns, imports, the reply
 * cache, usage) runs as `service_role` through the migration's functions, which take this
 * store's user id and check ownership themselves, as the Supabase adapter's service client does.
 */
export class PostgresUserStore implements UserChatStore {
  readonly attachments: PostgresAttachmentStore;
  constructor(
    private readonly db: SqlDatabase,
    readonly userId: string,
    /** Where file bytes live (the embedded store's folder); default: in this process's memory. */
    attachmentBytes: AttachmentBytes = sharedMemoryBytes(),
  ) {
    this.attachments = new PostgresAttachmentStore(db, userId, attachmentBytes);
  }

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
            and ($1::timestamptz is null or last_message_at < $1::timestamptz)
          order by last_message_at desc, id desc
          limit $2`,
        [options.before ?? null, limit],
      );
      return rows.map((row) => conversationRowSchema.parse(row));
    });
  }

  createConversation(input: NewConversation): Promise<ConversationRecord> {
    return this.asServer('Creating the conversation', async (tx) => {
      const rows = await callFunction(tx, 'ai_chat_create_conversation', createConversationArgs(this.userId, input));
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
    const { user, server } = splitConversationPatch(patch);
    if (Object.keys(server).length > 0) {
      const updated = await this.asServer('Updating the conversation', (tx) =>
        callFunction(tx, 'ai_chat_update_conversation', updateConversationArgs(this.userId, id, server)),
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
    return this.asUser('Updating the conversation', async (tx) => {
      const { rows } = await tx.query(
        `update public.conversations set ${assignments.join(', ')} where id = $1 returning *`,
        params,
      );
      return rows[0] ? conversationRowSchema.parse(rows[0]) : null;
    });
  }

  importConversation(input: ImportedConversation): Promise<string> {
    return this.asServer('Importing the conversation', async (tx) => {
      const rows = await callFunction(tx, 'ai_chat_import_conversation', importConversationArgs(this.userId, input));
      return String(rows[0]!.ai_chat_import_conversation);
    });
  }

  async deleteConversation(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.attachments.deletingConversation(id, () =>
      this.asUser('Deleting the conversation', async (tx) => {
        const { rows } = await tx.query(`delete from public.conversations where id = $1 returning id`, [id]);
        return rows.length > 0;
      }),
    );
  }

  appendMessage(input: NewMessage): Promise<MessageRecord> {
    return this.asServer('Saving the message', async (tx) => {
      const rows = await callFunction(tx, 'ai_chat_append_message', appendMessageArgs(this.userId, input));
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
    return this.asServer('Reading the reply cache', async (tx) => {
      const rows = await callFunction(tx, 'ai_chat_read_cached_reply', readCachedReplyArgs(this.userId, key));
      return rows.length > 0 ? cachedReplyRowSchema.parse(rows[0]) : null;
    });
  }

  async putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void> {
    await this.asServer('Caching the reply', (tx) =>
      callFunction(tx, 'ai_chat_cache_reply', cacheReplyArgs(this.userId, key, reply, ttlSeconds)),
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
