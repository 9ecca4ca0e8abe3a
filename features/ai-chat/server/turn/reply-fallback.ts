import 'server-only';
import type { ChatEvent } from '../../protocol/chat-events';
import { textOfParts } from '../../protocol/parts';
import { partsOfEvents } from '../../protocol/reduce-parts';
import type { ReplyFallback } from '../../store/chat-store';
import { continuedReply } from './continue-reply';
import type { TurnPlan } from './plan-turn';

/**
 * What a reply would leave if its instance died now: the row (partial) rebuilt from the events
 * it emitted, and the ledger's provisional settlement. Computed at checkpoint time only.
 */
export function replyFallback(plan: TurnPlan, events: readonly ChatEvent[]): ReplyFallback {
  const { target, usage, cost } = plan.ledger.provisional();
  const parts = partsOfEvents(events, target.provider);
  const content = textOfParts(parts);
  const toolCalls = parts.filter((part) => part.type === 'tool-call').map(({ id, name, args }) => ({ id, name, args }));
  const toolResults = parts.filter((part) => part.type === 'tool-result').map(({ id, result }) => ({ id, result }));
  const cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
  const fallback: ReplyFallback = {
    message: {
      content,
      parts,
      status: 'partial',
      provider: target.provider,
      model: target.model,
      // Counted when the history is next fitted (a stored null is counted then), not every second here.
      tokens: null,
      cost,
      toolCalls: toolCalls.length > 0 ? toolCalls : null,
      toolResults: toolResults.length > 0 ? toolResults : null,
      metadata: {
        finishReason: 'aborted',
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        cachedPromptTokens: usage.cachedPromptTokens,
        cacheWriteTokens,
        reasoningTokens: usage.reasoningTokens ?? 0,
      },
    },
    settlement: {
      provider: target.provider,
      model: target.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedPromptTokens: usage.cachedPromptTokens,
      cacheWriteTokens,
      cost,
    },
  };
  if (!plan.continues) return fallback;
  // A Continue's words join the reply they carry on (as saveContinuation would have joined them).
  const { id, ...carried } = continuedReply(plan.continues, { ...fallback.message, status: 'partial', conversationId: plan.conversationId, parentId: null, role: 'assistant' });
  return { message: { ...fallback.message, ...carried }, settlement: fallback.settlement, continues: id };
}
