import 'server-only';
import { z } from 'zod';
import { messagePartsSchema } from '../../protocol/parts';
import { titleSourceSchema, type ConversationRecord, type MessageRecord, type UsageSummary } from '../../protocol/records';
import type { ConversationPatch, UsageHold, UsageReservation } from '../chat-store';

// Drivers disagree on types at the edges: timestamps come as Date or string, bigint as string or
// number, numeric as string. These schemas are the one place that settles it.
const timestamp = z.union([z.date(), z.string()]).transform((value) => new Date(value).toISOString());
// PostgREST sends numeric as a JSON number, which String() may print in exponent form (1.5e-7);
// the columns have scale 10, so print numbers with exactly that many places.
const decimal = z
  .union([z.string(), z.number()])
  .transform((value) => normaliseDecimal(typeof value === 'number' ? value.toFixed(10) : value));
const count = z.union([z.string(), z.number(), z.bigint()]).transform((value) => Number(value));

function normaliseDecimal(value: string): string {
  // Postgres prints numeric(20,10) with trailing zeros; keep the string exact but readable.
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') || '0' : value;
}

export const messageRowSchema = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    parent_id: z.string().nullable(),
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.string(),
    status: z.enum(['complete', 'partial', 'error']),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    tokens: z.number().nullable(),
    cost: decimal.nullable(),
    tool_calls: z.unknown().nullable(),
    tool_results: z.unknown().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    // Absent from a database that has not run the parts migration yet.
    parts: messagePartsSchema.nullable().optional(),
    created_at: timestamp,
  })
  .transform(
    (row): MessageRecord => ({
      id: row.id,
      conversationId: row.conversation_id,
      parentId: row.parent_id,
      role: row.role,
      content: row.content,
      status: row.status,
      provider: row.provider,
      model: row.model,
      tokens: row.tokens,
      cost: row.cost,
      toolCalls: row.tool_calls ?? null,
      toolResults: row.tool_results ?? null,
      metadata: row.metadata ?? {},
      parts: row.parts ?? null,
      createdAt: row.created_at,
    }),
  );

/** A row of ai_chat_branch_siblings: a message of the branch and its versions, oldest first. */
const branchSiblingsRowSchema = z.object({ message_id: z.string(), sibling_ids: z.array(z.string()) });

/** The rows of ai_chat_branch_siblings as message id → its versions. */
export function siblingsFromRows(rows: readonly unknown[]): Record<string, string[]> {
  const siblings: Record<string, string[]> = {};
  for (const row of rows) {
    const { message_id, sibling_ids } = branchSiblingsRowSchema.parse(row);
    siblings[message_id] = sibling_ids;
  }
  return siblings;
}

export const conversationRowSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    system_prompt: z.string().nullable(),
    provider: z.string(),
    model: z.string(),
    summary: z.string().nullable(),
    summary_through_message_id: z.string().nullable(),
    active_leaf_id: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    last_message_at: timestamp,
    title_source: titleSourceSchema,
    pinned_at: timestamp.nullable(),
    archived_at: timestamp.nullable(),
    // Absent from a database without the conversation-tools migration: nothing turned off.
    disabled_mcp_servers: z.array(z.string()).nullable().optional(),
  })
  .transform(
    (row): ConversationRecord => ({
      id: row.id,
      title: row.title,
      systemPrompt: row.system_prompt,
      provider: row.provider,
      model: row.model,
      summary: row.summary,
      summaryThroughMessageId: row.summary_through_message_id,
      activeLeafId: row.active_leaf_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastMessageAt: row.last_message_at,
      titleSource: row.title_source,
      pinnedAt: row.pinned_at,
      archivedAt: row.archived_at,
      disabledMcpServers: row.disabled_mcp_servers ?? [],
    }),
  );

export const usageSummaryRowSchema = z
  .object({
    tokens_today: count,
    cost_today: decimal,
    tokens_this_month: count,
    cost_this_month: decimal,
    requests_this_month: count,
    held_tokens_today: count,
    held_cost_this_month: decimal,
  })
  .transform(
    (row): UsageSummary => ({
      tokensToday: row.tokens_today,
      costToday: row.cost_today,
      tokensThisMonth: row.tokens_this_month,
      costThisMonth: row.cost_this_month,
      requestsThisMonth: row.requests_this_month,
      tokensInProgress: row.held_tokens_today,
      costInProgress: row.held_cost_this_month,
    }),
  );

export const reservationRowSchema = z
  .object({
    reservation_id: z.string().nullable(),
    allowed: z.boolean(),
    reason: z.enum(['tokens_per_day', 'cost_per_month', 'requests_per_minute']).nullable(),
    retry_after_seconds: z.number().nullable(),
    tokens_today: count,
    cost_this_month: decimal,
  })
  .transform((row): UsageReservation => {
    const totals = { tokensToday: row.tokens_today, costThisMonth: row.cost_this_month };
    if (row.allowed && row.reservation_id) return { allowed: true, reservationId: row.reservation_id, ...totals };
    return {
      allowed: false,
      reason: row.reason ?? 'tokens_per_day',
      retryAfterSeconds: row.retry_after_seconds ?? 60,
      ...totals,
    };
  });

export const holdRowSchema = z
  .object({
    allowed: z.boolean(),
    reason: z.enum(['tokens_per_day', 'cost_per_month']).nullable(),
    retry_after_seconds: z.number().nullable(),
    tokens_today: count,
    cost_this_month: decimal,
  })
  .transform((row): UsageHold => {
    const totals = { tokensToday: row.tokens_today, costThisMonth: row.cost_this_month };
    if (row.allowed) return { allowed: true, ...totals };
    return { allowed: false, reason: row.reason ?? 'tokens_per_day', retryAfterSeconds: row.retry_after_seconds ?? 60, ...totals };
  });

/** The conversation fields a patch may change, and their columns. */
/** A live entry of the reply cache, as `ai_chat_read_cached_reply` answers it. */
export const cachedReplyRowSchema = z.object({ provider: z.string(), model: z.string(), content: z.string() });

export const CONVERSATION_PATCH_COLUMNS = {
  title: 'title',
  systemPrompt: 'system_prompt',
  provider: 'provider',
  model: 'model',
  summary: 'summary',
  summaryThroughMessageId: 'summary_through_message_id',
  disabledMcpServers: 'disabled_mcp_servers',
} as const satisfies Record<Exclude<keyof ConversationPatch, 'pinned' | 'archived'>, string>;

/** The patch as column → value, leaving out what it does not set. */
export function toConversationChanges(patch: ConversationPatch): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(CONVERSATION_PATCH_COLUMNS)) {
    const value = patch[key as keyof ConversationPatch];
    if (value !== undefined) changes[column] = value;
  }
  return changes;
}

/**
 * A patch split by who writes it: the title, the pin and the archive with the user's own grant
 * (what the UI changes), the rest (system prompt, summary, provider, model, the MCP servers turned
 * off) by the server's function. Either may be empty.
 */
export function splitConversationPatch(
  patch: ConversationPatch,
  now: string = new Date().toISOString(),
): { user: Record<string, unknown>; server: ConversationPatch } {
  const { title, pinned, archived, ...server } = patch;
  const serverChanges = Object.fromEntries(Object.entries(server).filter(([, value]) => value !== undefined));
  const user: Record<string, unknown> = {};
  if (title !== undefined) user.title = title;
  if (pinned !== undefined) user.pinned_at = pinned ? now : null;
  if (archived !== undefined) user.archived_at = archived ? now : null;
  return { user, server: serverChanges };
}
