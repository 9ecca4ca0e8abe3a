import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';

type Start = Extract<ChatEvent, { type: 'start' }>;

/** Issue 9, server side: a failed turn stays, the provider's back-off is told, limits are told in words. */
describe('how a turn ends, as the user sees it', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    h.openai.reset();
    h.anthropic.reset();
    await h.sql('delete from public.ai_chat_usage');
  });

  it('a failed reply with no text is saved as an error row, and the next message can be sent under it', async () => {
    h.openai.script({ httpError: { status: 400, message: 'Bad things.' } });
    const failed = await readChatEvents(await h.post({ message: 'First question' }));
    const start = failed[0] as Start;
    expect(failed.at(-1)).toMatchObject({ type: 'error' });

    const detail = await (await h.call('GET', `/conversations/${start.conversationId}`)).json();
    const row = detail.messages.find((message: { id: string }) => message.id === start.assistantMessageId);
    expect(row).toMatchObject({ role: 'assistant', status: 'error', content: '' });
    expect(row.metadata.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });

    h.openai.script({ text: 'Second answer.' });
    const next = await h.post({ conversationId: start.conversationId, parentMessageId: start.assistantMessageId, message: 'Second question' });
    expect(next.status).toBe(200);
    const events = await readChatEvents(next);
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    // The empty failed row is not sent to the model: the history is the two questions.
    const sent = h.openai.requests.at(-1)!.body.messages as { role: string; content: string }[];
    expect(sent.map((message) => message.role)).toEqual(['user', 'user']);
  });

  it("announces the SDK's back-off on a 429 with a retrying event, before any text", async () => {
    h.openai.script({ httpError: { status: 429, retryAfter: '1' } }, { text: 'Made it.' });
    const events = await readChatEvents(await h.post({ message: 'Busy?' }));
    expect(events.map((event) => event.type).slice(0, 3)).toEqual(['start', 'retrying', 'text-delta']);
    expect(events[1]).toEqual({ type: 'retrying', attempt: 1, retryAfterSeconds: 1, reason: 'rate_limited' });
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
  });

  describe('near the daily token limit', () => {
    let limited: ChatHarness;
    let limitedUser: string;
    beforeAll(async () => {
      limited = await startChatHarness({ limits: { maxTokensPerDay: 10_700 } });
      limitedUser = (await limited.store.forRequest(new Request('http://localhost/')))!.userId;
    });
    afterAll(async () => {
      await limited?.close();
    });
    const useToday = async (tokens: number) => {
      await limited.sql('delete from public.ai_chat_usage');
      await limited.sql(
        `insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens, cost, status, settled_at)
         values ($1, 'openai', 'gpt-4o', $2, 0, 'settled', now())`,
        [limitedUser, tokens],
      );
    };

    it('with room for a useful reply but not a full one, the reply is capped to what is left instead of refused', async () => {
      await useToday(9_100);
      const response = await limited.post({ message: 'Hello' });
      expect(response.status).toBe(200);
      await readChatEvents(response);
      const asked = Number(limited.openai.requests.at(-1)!.body.max_completion_tokens);
      expect(asked).toBeGreaterThanOrEqual(256);
      expect(asked).toBeLessThanOrEqual(1_600);
    });

    it('with too little left, the refusal says so in words, with the limit, when it resets and that retrying will not help', async () => {
      await useToday(10_600);
      const response = await limited.post({ message: 'Hello' });
      expect(response.status).toBe(429);
      const { error } = await response.json();
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      expect(error).toMatchObject({ code: 'usage_limit', limit: 'tokens_per_day', retryable: false, resetsAt: midnight.toISOString() });
      expect(error.message).toMatch(/^This reply needs up to 4,1\d\d tokens; your daily limit is 10,700 \(10,600 used\)\. It resets at midnight UTC, in \d+ (h|min|s)\.$/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});
