import 'server-only';
import type { ChatEvent } from '../protocol/chat-events';
import { textOfParts, type MessagePart } from '../protocol/parts';
import type { ProviderName } from '../providers/types';
import type { ReplyFallback } from '../store/chat-store';
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
  return {
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
}

/** A reply's parts as its events describe them (the provider-private reasoning fields aside). */
export function partsOfEvents(events: readonly ChatEvent[], provider: ProviderName): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const event of events) {
    const last = parts.at(-1);
    if (event.type === 'text-delta') {
      if (last?.type === 'text') last.text += event.delta;
      else parts.push({ type: 'text', text: event.delta });
    } else if (event.type === 'reasoning-start') {
      parts.push({ type: 'reasoning', text: '', provider });
    } else if (event.type === 'reasoning-delta') {
      if (last?.type === 'reasoning') last.text += event.delta;
      else parts.push({ type: 'reasoning', text: event.delta, provider });
    } else if (event.type === 'reasoning-end') {
      if (last?.type === 'reasoning') last.durationMs = event.durationMs;
    } else if (event.type === 'refusal-delta') {
      if (last?.type === 'refusal') last.text += event.delta;
      else parts.push({ type: 'refusal', text: event.delta });
    } else if (event.type === 'tool-call') {
      parts.push({ type: 'tool-call', id: event.id, name: event.name, args: event.args });
    } else if (event.type === 'tool-result') {
      parts.push({ type: 'tool-result', id: event.id, result: event.result });
    }
  }
  return parts;
}
