import { describe, expect, it } from 'vitest';
import { StepParts } from '@/features/ai-chat/server/turn/step-parts';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';

/** The order of a reply's parts and the timing of its thinking, as the client and the saved row see them. */
function collector(provider: 'anthropic' | 'openai' = 'anthropic') {
  let now = 1_000;
  const events: ChatEvent[] = [];
  const parts = new StepParts(provider, (event) => events.push(event), () => now);
  return { parts, events, advance: (ms: number) => void (now += ms) };
}

describe('the parts of one provider call', () => {
  it('times thinking from its start to the first answer text, and keeps the block where it began', () => {
    const { parts, events, advance } = collector('openai');
    parts.reasoningStart();
    advance(2_500);
    parts.text('Answer');
    // OpenAI may send the summary only after the answer began: it still belongs before the text.
    parts.reasoningPart({ type: 'reasoning', text: 'Summary', provider: 'openai', itemId: 'rs_1', encryptedContent: 'enc' });
    parts.end();
    expect(events).toEqual([{ type: 'reasoning-start' }, { type: 'reasoning-end', durationMs: 2_500 }]);
    expect(parts.parts).toEqual([
      { type: 'reasoning', text: 'Summary', provider: 'openai', itemId: 'rs_1', encryptedContent: 'enc', durationMs: 2_500 },
      { type: 'text', text: 'Answer' },
    ]);
    expect(parts.reasoning).toHaveLength(1);
  });

  it('gives each block of interleaved thinking its own start and end, and a redacted block streamed as nothing its own too', () => {
    const { parts, events, advance } = collector();
    parts.reasoningDelta('first');
    advance(100);
    parts.reasoningPart({ type: 'reasoning', text: 'first', provider: 'anthropic', signature: 's1' });
    parts.reasoningPart({ type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'r' });
    parts.toolCall({ id: 't', name: 'add', args: {} });
    parts.end();
    expect(events.map((event) => event.type)).toEqual(['reasoning-start', 'reasoning-delta', 'reasoning-end', 'reasoning-start', 'reasoning-end']);
    expect(parts.parts.map((part) => part.type)).toEqual(['reasoning', 'reasoning', 'tool-call']);
    expect(parts.reasoning.map((part) => part.signature ?? part.redactedData)).toEqual(['s1', 'r']);
  });

  it('keeps thinking cut off before its block arrived to show, without anything a provider would trust', () => {
    const { parts, events, advance } = collector();
    parts.reasoningStart();
    parts.reasoningDelta('Halfway through');
    advance(40);
    parts.end();
    expect(events.at(-1)).toEqual({ type: 'reasoning-end', durationMs: 40 });
    expect(parts.parts).toEqual([{ type: 'reasoning', text: 'Halfway through', provider: 'anthropic', durationMs: 40 }]);
    // Never sent back: only blocks the provider closed go into the tool loop.
    expect(parts.reasoning).toEqual([]);
    expect(parts.streamedText()).toBe('Halfway through');
  });

  it('merges deltas into one text part and one refusal part, in the order they came', () => {
    const { parts, events } = collector('openai');
    parts.refusal("I can't ");
    parts.refusal('do that.');
    parts.end();
    expect(parts.parts).toEqual([{ type: 'refusal', text: "I can't do that." }]);
    expect(events).toEqual([
      { type: 'refusal-delta', delta: "I can't " },
      { type: 'refusal-delta', delta: 'do that.' },
    ]);
  });
});
