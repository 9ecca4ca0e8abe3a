import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { applyChatEvent, partsOfEvents } from '@/features/ai-chat/protocol/reduce-parts';

const thinkingThenAnswer: ChatEvent[] = [
  { type: 'reasoning-start' },
  { type: 'reasoning-delta', delta: 'Let me ' },
  { type: 'reasoning-delta', delta: 'think.' },
  { type: 'reasoning-end', durationMs: 1200 },
  { type: 'text-delta', delta: 'It is ' },
  { type: 'tool-call', id: 'c1', name: 'get_weather', args: { city: 'Oslo' } },
  { type: 'tool-result', id: 'c1', result: { celsius: 4 } },
  { type: 'text-delta', delta: '4 °C.' },
];

describe('the one reducer from chat events to parts', () => {
  it('builds reasoning, text and tool parts in the order the model wrote them', () => {
    expect(partsOfEvents(thinkingThenAnswer, 'anthropic')).toEqual([
      { type: 'reasoning', text: 'Let me think.', provider: 'anthropic', durationMs: 1200 },
      { type: 'text', text: 'It is ' },
      { type: 'tool-call', id: 'c1', name: 'get_weather', args: { city: 'Oslo' } },
      { type: 'tool-result', id: 'c1', result: { celsius: 4 } },
      { type: 'text', text: '4 °C.' },
    ]);
  });

  it('turns the streamed text into the refusal only when the server says so', () => {
    const text: ChatEvent[] = [
      { type: 'text-delta', delta: 'I will not ' },
      { type: 'text-delta', delta: 'write that.' },
    ];
    expect(partsOfEvents(text, 'anthropic')).toEqual([{ type: 'text', text: 'I will not write that.' }]);
    expect(partsOfEvents([...text, { type: 'text-is-refusal' }], 'anthropic')).toEqual([{ type: 'refusal', text: 'I will not write that.' }]);
  });

  it('never changes the parts it is given, and leaves them alone for events without content', () => {
    const before = partsOfEvents(thinkingThenAnswer.slice(0, 5), 'openai');
    const frozen = JSON.stringify(before);
    const after = applyChatEvent(before, { type: 'text-delta', delta: ' more' }, 'openai');
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after.at(-1)).toEqual({ type: 'text', text: 'It is  more' });
    expect(applyChatEvent(before, { type: 'retrying', attempt: 1, retryAfterSeconds: 1, reason: 'overloaded' }, 'openai')).toBe(before);
  });

  it('keeps a tool call\'s approval on its call: asked, then answered (a reply cut while waiting keeps it asked)', () => {
    const approvalId = '3b0f8a4e-6d7c-4e8a-9a51-0c6f1f7a2b10';
    const asked: ChatEvent[] = [
      { type: 'tool-call', id: 'c1', name: 'delete_file', args: { path: 'a.txt' } },
      { type: 'tool-approval-request', approvalId, toolCallId: 'c1', name: 'delete_file', args: { path: 'a.txt' }, expiresAt: '2026-12-07T12:05:00.000Z' },
    ];
    expect(partsOfEvents(asked, 'openai')).toEqual([
      { type: 'tool-call', id: 'c1', name: 'delete_file', args: { path: 'a.txt' }, approval: { id: approvalId, state: 'requested', expiresAt: '2026-12-07T12:05:00.000Z' } },
    ]);
    const denied = partsOfEvents([...asked, { type: 'tool-approval-response', approvalId, toolCallId: 'c1', approved: false, reason: 'timeout' }], 'openai');
    expect(denied[0]).toMatchObject({ approval: { id: approvalId, state: 'denied', reason: 'timeout' } });
    // An answer for a call the reply does not have changes nothing.
    expect(applyChatEvent(denied, { type: 'tool-approval-response', approvalId, toolCallId: 'nope', approved: true }, 'openai')).toEqual(denied);
  });
});
