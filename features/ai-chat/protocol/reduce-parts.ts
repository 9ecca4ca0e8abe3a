import type { ChatEvent } from './chat-events';
import type { MessagePart, ReasoningPart, ToolApproval, ToolCallPart } from './parts';

// The one reducer from chat events to a reply's parts: the server rebuilds a cut-off reply with it
// (checkpoints, fallbacks), and the client applies the same steps as a reply streams. Immutable:
// each step returns a new array, copying a handful of parts and one string.

/** The parts whose text streams in deltas. */
export type StreamedKind = 'text' | 'reasoning' | 'refusal';

function reasoningProvider(provider: string | null): ReasoningPart['provider'] {
  return provider === 'openai' ? 'openai' : 'anthropic';
}

/**
 * The parts with `text` added: to the last part when it is of the same kind (a delta continues
 * it), else as a new part. Copies the array (a handful of parts) and one string, once per frame.
 */
export function appendToParts(parts: readonly MessagePart[], kind: StreamedKind, text: string, provider: string | null): MessagePart[] {
  const last = parts[parts.length - 1];
  if (last && last.type === kind && (last.type === 'text' || last.type === 'reasoning' || last.type === 'refusal')) {
    return [...parts.slice(0, -1), { ...last, text: last.text + text }];
  }
  if (kind === 'reasoning') return [...parts, { type: 'reasoning', text, provider: reasoningProvider(provider) }];
  return [...parts, { type: kind, text }];
}

/** A new, empty reasoning block: the model began to think. */
export function startReasoning(parts: readonly MessagePart[], provider: string | null): MessagePart[] {
  return [...parts, { type: 'reasoning', text: '', provider: reasoningProvider(provider) }];
}

/** The last reasoning block marked as lasting `durationMs`. */
export function endReasoning(parts: readonly MessagePart[], durationMs: number): MessagePart[] {
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const part = parts[i]!;
    if (part.type !== 'reasoning') continue;
    if (part.durationMs !== undefined) break;
    const next = [...parts];
    next[i] = { ...part, durationMs };
    return next;
  }
  return [...parts];
}

/**
 * The reply's text as its refusal. The server decides when (a provider that streams its refusal
 * as ordinary text says so only at its end) and says so with a `text-is-refusal` event.
 */
export function textBecomesRefusal(parts: readonly MessagePart[]): MessagePart[] {
  const text = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  return [...parts.filter((part) => part.type !== 'text'), { type: 'refusal', text }];
}

/** The tool call `toolCallId` with its approval as it now stands (unchanged when no such call). */
export function withApproval(parts: readonly MessagePart[], toolCallId: string, approval: ToolApproval): MessagePart[] {
  const index = parts.findLastIndex((part) => part.type === 'tool-call' && part.id === toolCallId);
  if (index < 0) return [...parts];
  const next = [...parts];
  next[index] = { ...(parts[index] as ToolCallPart), approval };
  return next;
}

/** The parts after one event; events that carry no content leave them as they are. */
export function applyChatEvent(parts: readonly MessagePart[], event: ChatEvent, provider: string | null): readonly MessagePart[] {
  switch (event.type) {
    case 'text-delta':
      return appendToParts(parts, 'text', event.delta, provider);
    case 'reasoning-start':
      return startReasoning(parts, provider);
    case 'reasoning-delta':
      return appendToParts(parts, 'reasoning', event.delta, provider);
    case 'reasoning-end':
      return endReasoning(parts, event.durationMs);
    case 'refusal-delta':
      return appendToParts(parts, 'refusal', event.delta, provider);
    case 'text-is-refusal':
      return textBecomesRefusal(parts);
    case 'tool-call':
      return [...parts, { type: 'tool-call', id: event.id, name: event.name, args: event.args }];
    case 'tool-result':
      return [...parts, { type: 'tool-result', id: event.id, result: event.result }];
    case 'tool-approval-request':
      return withApproval(parts, event.toolCallId, { id: event.approvalId, state: 'requested', expiresAt: event.expiresAt });
    case 'tool-approval-response':
      return withApproval(parts, event.toolCallId, {
        id: event.approvalId,
        state: event.approved ? 'approved' : 'denied',
        ...(event.reason ? { reason: event.reason } : {}),
      });
    default:
      return parts;
  }
}

/** A reply's parts as its events describe them (the provider-private reasoning fields aside). */
export function partsOfEvents(events: readonly ChatEvent[], provider: string | null): MessagePart[] {
  let parts: readonly MessagePart[] = [];
  for (const event of events) parts = applyChatEvent(parts, event, provider);
  return [...parts];
}
