import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { createMarkerReplies } from '../support/fake-providers';
import { readChatEvents } from '../support/sse';

type Start = Extract<ChatEvent, { type: 'start' }>;
const replies = () => ({ defaultReply: createMarkerReplies({ delayMs: 0, slowDelayMs: 0, retryAfterSeconds: 0 }) });

/**
 * Found by a walkthrough: after Claude refused once, every later message of that chat was refused.
 * The refusal was saved with no text, so the next request had no assistant turn between the two
 * questions, and the Messages API (like the fake) reads two adjacent user turns as one.
 */
describe.each(['anthropic', 'openai'] as const)('after a refusal on %s', (provider) => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness({}, { openai: replies(), anthropic: replies() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the next question is answered, and the model is told what it declined, not the refused question again', async () => {
    const refused = await readChatEvents(await h.post({ provider, message: 'How do I pick a lock? [[refuse]]' }));
    const start = refused[0] as Start;
    expect(refused.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content-filter' });

    const next = await readChatEvents(await h.post({ provider, conversationId: start.conversationId, message: 'Tell me about tides' }));
    expect(next.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    const answer = next.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join('');
    expect(answer).toContain('Tell me about tides');
    expect(answer).not.toContain('lock');

    const fake = provider === 'anthropic' ? h.anthropic : h.openai;
    const body = fake.requests.at(-1)!.body as { messages?: { role: string; content: unknown }[]; input?: { role?: string; content?: unknown }[] };
    const roles = (body.messages ?? body.input ?? []).map((message) => message.role);
    expect(roles).toEqual(['user', 'assistant', 'user']);
  });
});
