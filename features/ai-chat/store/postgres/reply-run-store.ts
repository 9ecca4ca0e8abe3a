import 'server-only';
import { z } from 'zod';
import type {
  GeneratingReply,
  NewReplyRun,
  ReplyCheckpoint,
  ReplyRunSnapshot,
  ReplyRunStore,
  ReplyRunState,
  NewToolApproval,
  ToolApprovalState,
} from '../chat-store';
import { isUuid } from '../ids';
import { mapDatabaseError } from './map-database-error';
import { runStatements, type SqlDatabase } from './sql-database';

/**
 * The named arguments of the reply-run functions (migration 20261207000000_ai_chat.sql), built once for the
 * SQL store (`name => $n`) and the Supabase store (the rpc body).
 */
export const replyRunArgs = {
  start: (run: NewReplyRun) => ({
    p_user_id: run.userId,
    p_id: run.id,
    p_conversation_id: run.conversationId,
    p_parent_id: run.parentId,
    p_provider: run.provider,
    p_model: run.model,
    p_reservation_id: run.reservationId,
    p_expected_leaf: run.expectedLeafId,
    p_fallback: run.fallback,
  }),
  tick: (checkpoints: readonly ReplyCheckpoint[], live: readonly string[]) => ({
    p_checkpoints: checkpoints.map((c) => ({ id: c.id, seq: c.seq, events: c.events, fallback: c.fallback, ended: c.ended })),
    p_live: live,
  }),
  requestStop: (userId: string, id: string) => ({ p_user_id: userId, p_id: id }),
  read: (userId: string, id: string, afterSeq: number) => ({ p_user_id: userId, p_id: id, p_after_seq: afterSeq }),
  generating: (userId: string, conversationId: string) => ({ p_user_id: userId, p_conversation_id: conversationId }),
  sweep: (staleSeconds: number, id?: string) => ({ p_stale_seconds: Math.max(0, Math.round(staleSeconds)), p_id: id ?? null }),
  requestApproval: (approval: NewToolApproval) => ({
    p_user_id: approval.userId,
    p_id: approval.id,
    p_reply_id: approval.replyId,
    p_conversation_id: approval.conversationId,
    p_tool_call_id: approval.toolCallId,
    p_tool_name: approval.toolName,
    p_args: approval.args ?? {},
    p_timeout_seconds: Math.max(1, Math.ceil(approval.timeoutSeconds)),
  }),
  answerApproval: (userId: string, replyId: string, id: string, approved: boolean) => ({
    p_user_id: userId,
    p_reply_id: replyId,
    p_id: id,
    p_approved: approved,
  }),
  approvalState: (id: string) => ({ p_id: id }),
};

const approvalStateSchema = z.enum(['pending', 'approved', 'denied', 'expired']);

export function parseApprovalState(value: unknown): ToolApprovalState | null {
  return value === null || value === undefined ? null : approvalStateSchema.parse(value);
}

const stateSchema = z.enum(['generating', 'finished', 'interrupted']);

const snapshotSchema = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    parent_id: z.string().nullable(),
    provider: z.string(),
    model: z.string(),
    state: stateSchema,
    started_at: z.string(),
    stale_seconds: z.coerce.number(),
    settlement: z
      .object({
        provider: z.string(),
        model: z.string(),
        promptTokens: z.number(),
        completionTokens: z.number(),
        cachedPromptTokens: z.number().optional(),
        cacheWriteTokens: z.number().optional(),
        cost: z.string().nullable(),
      })
      .nullable()
      .optional(),
    chunks: z.array(z.object({ seq: z.number().int(), events: z.array(z.unknown()) })),
  })
  .transform(
    (row): ReplyRunSnapshot => ({
      id: row.id,
      conversationId: row.conversation_id,
      parentId: row.parent_id,
      provider: row.provider,
      model: row.model,
      state: row.state,
      startedAt: new Date(row.started_at).toISOString(),
      staleSeconds: row.stale_seconds,
      settlement: row.settlement ?? null,
      chunks: row.chunks,
    }),
  );

const generatingSchema = z
  .object({ id: z.string(), parent_id: z.string().nullable(), provider: z.string(), model: z.string(), started_at: z.union([z.string(), z.date()]) })
  .transform(
    (row): GeneratingReply => ({
      id: row.id,
      parentId: row.parent_id,
      provider: row.provider,
      model: row.model,
      startedAt: new Date(row.started_at).toISOString(),
    }),
  );

/** Parses the read function's JSON (text from PostgREST or a driver, or already parsed). */
export function parseReplySnapshot(value: unknown): ReplyRunSnapshot | null {
  if (value === null || value === undefined) return null;
  return snapshotSchema.parse(typeof value === 'string' ? JSON.parse(value) : value);
}

export function parseGeneratingReplies(rows: readonly unknown[]): GeneratingReply[] {
  return rows.map((row) => generatingSchema.parse(row));
}

export function parseRunState(value: unknown): ReplyRunState | null {
  return value === null || value === undefined ? null : stateSchema.parse(value);
}

/**
 * ReplyRunStore on any Postgres through `SqlDatabase` (PGlite, node-postgres): each call is one
 * transaction as `service_role`, calling the migration's function, as the Supabase store does.
 */
export class SqlReplyRunStore implements ReplyRunStore {
  constructor(private readonly db: SqlDatabase) {}

  private async call(context: string, name: string, args: Record<string, unknown>, shape: 'rows' | 'scalar' = 'rows'): Promise<unknown[]> {
    const names = Object.keys(args);
    const values = names.map((key) => toParameter(key, args[key]));
    const list = names.map((key, index) => `${key} => $${index + 1}`).join(', ');
    const text = shape === 'scalar' ? `select public.${name}(${list}) as value` : `select * from public.${name}(${list}) as value`;
    try {
      // One round trip where the driver can: the tick's row locks are held only while it runs.
      const [, { rows }] = (await runStatements(this.db, [
        { text: `select set_config('role', 'service_role', true)` },
        { text, params: values },
      ])) as [unknown, { rows: Record<string, unknown>[] }];
      return shape === 'scalar' ? rows.map((row) => row.value) : rows;
    } catch (error) {
      throw mapDatabaseError(error, context);
    }
  }

  async start(run: NewReplyRun): Promise<boolean> {
    const [value] = await this.call('Starting the reply', 'ai_chat_reply_start', replyRunArgs.start(run), 'scalar');
    return value === true;
  }

  async tick(checkpoints: readonly ReplyCheckpoint[], live: readonly string[]): Promise<string[]> {
    const rows = await this.call('Checkpointing replies', 'ai_chat_reply_tick', replyRunArgs.tick(checkpoints, live), 'scalar');
    return rows.map(String);
  }

  async requestStop(userId: string, id: string): Promise<ReplyRunState | null> {
    if (!isUuid(id)) return null;
    const [value] = await this.call('Stopping the reply', 'ai_chat_reply_request_stop', replyRunArgs.requestStop(userId, id), 'scalar');
    return parseRunState(value);
  }

  async read(userId: string, id: string, afterSeq: number): Promise<ReplyRunSnapshot | null> {
    if (!isUuid(id)) return null;
    const [value] = await this.call('Reading the reply', 'ai_chat_reply_read', replyRunArgs.read(userId, id, afterSeq), 'scalar');
    return parseReplySnapshot(value);
  }

  async generating(userId: string, conversationId: string): Promise<GeneratingReply[]> {
    if (!isUuid(conversationId)) return [];
    return parseGeneratingReplies(await this.call('Reading replies', 'ai_chat_reply_generating', replyRunArgs.generating(userId, conversationId)));
  }

  async sweep(staleSeconds: number, id?: string): Promise<string[]> {
    if (id !== undefined && !isUuid(id)) return [];
    const rows = await this.call('Marking interrupted replies', 'ai_chat_reply_sweep', replyRunArgs.sweep(staleSeconds, id), 'scalar');
    return rows.map(String);
  }

  async requestApproval(approval: NewToolApproval): Promise<boolean> {
    const [value] = await this.call('Asking for approval', 'ai_chat_tool_approval_request', replyRunArgs.requestApproval(approval), 'scalar');
    return value === true;
  }

  async answerApproval(userId: string, replyId: string, id: string, approved: boolean): Promise<ToolApprovalState | null> {
    if (!isUuid(replyId) || !isUuid(id)) return null;
    const args = replyRunArgs.answerApproval(userId, replyId, id, approved);
    const [value] = await this.call('Answering the approval', 'ai_chat_tool_approval_answer', args, 'scalar');
    return parseApprovalState(value);
  }

  async approvalState(id: string): Promise<ToolApprovalState | null> {
    const [value] = await this.call('Reading the approval', 'ai_chat_tool_approval_state', replyRunArgs.approvalState(id), 'scalar');
    return parseApprovalState(value);
  }

  async expireApproval(id: string): Promise<ToolApprovalState | null> {
    const [value] = await this.call('Closing the approval', 'ai_chat_tool_approval_expire', replyRunArgs.approvalState(id), 'scalar');
    return parseApprovalState(value);
  }
}

/** `p_live` is a uuid[] (the driver sends a Postgres array); `p_args` and every other object is jsonb, sent as JSON text. */
function toParameter(key: string, value: unknown): unknown {
  if (key === 'p_live') return value;
  if (key === 'p_args') return JSON.stringify(value ?? {});
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}
