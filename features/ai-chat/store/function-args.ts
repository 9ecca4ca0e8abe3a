import 'server-only';
import type {
  BranchSummary,
  CachedReply,
  ContinuedMessage,
  ConversationPatch,
  ImportedConversation,
  NewConversation,
  NewMessage,
  UsageHoldRequest,
  UsageReservationRequest,
  UsageSettlement,
} from './chat-store';
import { toConversationChanges } from './postgres/rows';

/**
 * The named arguments of the migration's SQL functions, built once for both adapters: the
 * embedded store calls them with `name => $n`, the Supabase store sends them as the rpc body.
 */

export function continueMessageArgs(userId: string, input: ContinuedMessage) {
  return {
    p_user_id: userId,
    p_message_id: input.id,
    p_content: input.content,
    p_parts: input.parts,
    p_status: input.status,
    p_tokens: input.tokens,
    p_cost: input.cost,
    p_metadata: input.metadata,
  };
}

/** Every message write names the acting user, from the server's verified session. */
export function appendMessageArgs(userId: string, input: NewMessage) {
  return {
    p_user_id: userId,
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
    p_parts: input.parts ?? null,
    p_expected_leaf: input.expectedLeafId ?? null,
  };
}

export function createConversationArgs(userId: string, input: NewConversation) {
  return {
    p_user_id: userId,
    p_provider: input.provider,
    p_model: input.model,
    p_title: input.title ?? null,
    p_system_prompt: input.systemPrompt ?? null,
    p_id: input.id ?? null,
  };
}

export function updateConversationArgs(userId: string, conversationId: string, patch: ConversationPatch) {
  return { p_user_id: userId, p_conversation_id: conversationId, p_changes: toConversationChanges(patch) };
}

/** The import as the single call the database makes of it: messages name parents by index. */
export function importConversationArgs(userId: string, input: ImportedConversation) {
  return {
    p_user_id: userId,
    p_conversation: {
      title: input.title,
      system_prompt: input.systemPrompt,
      summary: input.summary,
      provider: input.provider,
      model: input.model,
    },
    p_messages: input.messages.map((message) => ({
      parent: message.parentIndex,
      role: message.role,
      content: message.content,
      status: message.status ?? 'complete',
      provider: message.provider ?? null,
      model: message.model ?? null,
      tokens: message.tokens ?? null,
      cost: message.cost ?? null,
      tool_calls: message.toolCalls ?? null,
      tool_results: message.toolResults ?? null,
      metadata: message.metadata ?? {},
      parts: message.parts ?? null,
      created_at: message.createdAt ?? null,
    })),
    p_active_index: input.activeIndex,
  };
}

export function readCachedReplyArgs(userId: string, key: string) {
  return { p_user_id: userId, p_key: key };
}

export function cacheReplyArgs(userId: string, key: string, reply: CachedReply, ttlSeconds: number) {
  return {
    p_user_id: userId,
    p_key: key,
    p_provider: reply.provider,
    p_model: reply.model,
    p_content: reply.content,
    p_ttl_seconds: Math.max(1, Math.round(ttlSeconds)),
  };
}

export function reserveUsageArgs(userId: string, request: UsageReservationRequest) {
  return {
    p_user_id: userId,
    p_provider: request.provider,
    p_model: request.model,
    p_conversation_id: request.conversationId ?? null,
    p_estimated_tokens: Math.max(0, Math.ceil(request.estimatedTokens)),
    p_estimated_cost: request.estimatedCost,
    p_max_tokens_per_day: request.maxTokensPerDay ?? null,
    p_max_cost_per_month: request.maxCostPerMonth == null ? null : String(request.maxCostPerMonth),
    p_max_requests_per_minute: request.maxRequestsPerMinute ?? null,
    p_purpose: request.purpose ?? 'turn',
  };
}

export function holdUsageArgs(userId: string, reservationId: string, request: UsageHoldRequest) {
  return {
    p_user_id: userId,
    p_reservation_id: reservationId,
    p_tokens: Math.max(0, Math.ceil(request.tokens)),
    p_cost: request.cost,
    p_max_tokens_per_day: request.maxTokensPerDay ?? null,
    p_max_cost_per_month: request.maxCostPerMonth == null ? null : String(request.maxCostPerMonth),
  };
}

function usageArgs(settlement: UsageSettlement) {
  return {
    p_provider: settlement.provider,
    p_model: settlement.model,
    p_prompt_tokens: settlement.promptTokens,
    p_completion_tokens: settlement.completionTokens,
    p_cached_prompt_tokens: settlement.cachedPromptTokens ?? 0,
    p_cache_write_tokens: settlement.cacheWriteTokens ?? 0,
    p_cost: settlement.cost,
    p_message_id: settlement.messageId ?? null,
    p_conversation_id: settlement.conversationId ?? null,
  };
}

export function settleUsageArgs(reservationId: string, settlement: UsageSettlement) {
  return { p_reservation_id: reservationId, ...usageArgs(settlement) };
}

export function recordUsageArgs(userId: string, settlement: UsageSettlement) {
  return { p_user_id: userId, ...usageArgs(settlement) };
}

export function saveSummaryArgs(userId: string, conversationId: string, summary: BranchSummary) {
  return {
    p_user_id: userId,
    p_conversation_id: conversationId,
    p_through_message_id: summary.throughMessageId,
    p_summary: summary.summary,
  };
}

/** Of the summaries found for a branch, the one through its latest message. */
export function latestOnBranch(
  rows: readonly { summary: string; through_message_id: string }[],
  branchMessageIds: readonly string[],
): BranchSummary | null {
  let best: { summary: string; through_message_id: string } | null = null;
  let bestAt = -1;
  for (const row of rows) {
    const at = branchMessageIds.indexOf(row.through_message_id);
    if (at > bestAt) {
      best = row;
      bestAt = at;
    }
  }
  return best ? { summary: best.summary, throughMessageId: best.through_message_id } : null;
}
