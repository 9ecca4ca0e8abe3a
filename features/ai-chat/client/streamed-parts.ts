import type { MessagePart, ReasoningPart } from '../protocol/parts';

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
 * The reply's text as its refusal: Claude streams a refusal as ordinary text and says so only in
 * its last event (`content-filter`), and the server saves it so; the client shows it the same way.
 */
export function textBecomesRefusal(parts: readonly MessagePart[]): MessagePart[] {
  const text = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  return [...parts.filter((part) => part.type !== 'text'), { type: 'refusal', text }];
}
