import 'server-only';
import type { ChatError } from '../../protocol/errors';
import { textOfParts } from '../../protocol/parts';
import type { MessageStatus } from '../../protocol/records';
import type { NewMessage } from '../../store/chat-store';
import { tokensOf } from '../ledger/accounting';
import type { TurnPlan } from './plan-turn';
import type { TurnResult } from './step-turn';

/**
 * The reply as a row: its parts in order, and `content` the text of its text parts. `tokens` is
 * the answer's own size (what it takes in a later prompt), not what was billed: reasoning and
 * tool-step tokens are billed but never sent again.
 */
export function assistantRow(plan: TurnPlan, result: TurnResult, cost: string | null): NewMessage {
  const status: MessageStatus = result.error ? (result.error.code === 'aborted' ? 'partial' : 'error') : 'complete';
  const content = textOfParts(result.parts);
  return {
    id: plan.assistantMessageId,
    conversationId: plan.conversationId,
    parentId: plan.assistantParentId,
    expectedLeafId: plan.existing?.activeLeafId ?? null,
    role: 'assistant',
    content,
    parts: result.parts,
    status,
    provider: result.target.provider,
    model: result.target.model,
    tokens: tokensOf(content, result.target.provider, result.target.model),
    cost,
    toolCalls: result.toolCalls.length > 0 ? result.toolCalls : null,
    toolResults: result.toolResults.length > 0 ? result.toolResults : null,
    metadata: {
      finishReason: result.finishReason,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      cachedPromptTokens: result.usage.cachedPromptTokens,
      cacheWriteTokens: cacheWrites(result),
      reasoningTokens: result.usage.reasoningTokens ?? 0,
      ...(result.cached ? { cached: true } : {}),
      // `reason` tells a reply cut by its time limit from one a person stopped (both 'aborted').
      ...(result.error
        ? { error: { code: result.error.code, message: result.error.message, ...stopReason(result.error) } }
        : {}),
    },
  };
}

export function stopReason(error: ChatError): { reason?: 'time_limit' } {
  return error.details?.reason === 'time_limit' ? { reason: 'time_limit' } : {};
}

/** Prompt tokens written to the cache, for 5 minutes and for an hour together. */
export function cacheWrites(result: TurnResult): number {
  return (result.usage.cacheWriteTokens ?? 0) + (result.usage.cacheWrite1hTokens ?? 0);
}
