import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import type { ProviderName } from '@/features/ai-chat/providers/types';
import { countTokens } from '@/features/ai-chat/providers/tokens';
import { eventually } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

/**
 * Issue 19, finding 8: an OpenAI-compatible server (or anything else) that ignores `max_tokens`
 * must not spend past the hold. The fakes stream whatever they are scripted to, whatever the
 * request's cap says: exactly such a server.
 */
const LIMIT = 600;
const USED_BEFORE = 205;
// 5,000 one-token words, one per delta.
const FLOOD = 'tok '.repeat(5_000);

describe.each(databaseKinds())('a provider that ignores max_tokens is stopped at the hold, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => {
    rig.openai.reset();
    rig.anthropic.reset();
  });

  const cases: { provider: ProviderName; model: string }[] = [
    { provider: 'openai', model: 'gpt-4o' },
    { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  ];
  it.each(cases)('$provider: 5,000 tokens against a 600/day limit with 205 used stop near the hold, bill what streamed and never pass the limit', async ({ provider, model }) => {
    const fake = provider === 'openai' ? rig.openai : rig.anthropic;
    const user = await userRig(rig, { defaultProvider: provider, limits: { maxTokensPerDay: LIMIT } });
    // 205 tokens spent earlier today, by a turn that ran to its end.
    fake.script({ text: 'Hello.', usage: { promptTokens: 100, completionTokens: 105 } });
    await readChatEvents(await user.post({ message: 'Hi' }));
    expect(totals(await user.usage()).tokens).toBe(USED_BEFORE);

    // Paced a millisecond a frame, so the stream is still going when it is stopped.
    fake.script({ text: FLOOD, usage: { promptTokens: 10, completionTokens: 5_000 }, delayMs: 1 });
    const response = await user.post({ message: 'Write at length' });
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const streamed = textOf(events);

    // The request asked for what was left, was ignored, and was cut off by us.
    const body = fake.requests[1]!.body;
    const asked = Number(body.max_tokens ?? body.max_completion_tokens);
    expect(asked).toBeLessThan(LIMIT - USED_BEFORE);
    await eventually(async () => expect(fake.requests[1]!.aborted).toBe(true));
    const streamedTokens = countTokens(streamed, { provider, model });
    // Near the hold: not stopped early, and at most one delta past it.
    expect(streamedTokens).toBeGreaterThan(asked * 0.9);
    expect(streamedTokens).toBeLessThanOrEqual(asked + 2);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });

    const rows = await eventually(async () => {
      const found = await user.usage();
      expect(totals(found).reserved).toBe(0);
      return found;
    });
    // Billed exactly what streamed, once.
    expect(rows).toHaveLength(2);
    expect(rows[1]!.completion_tokens).toBe(streamedTokens);
    console.info(`${kind} ${provider}: asked ${asked}, streamed ${streamedTokens} tokens, billed ${rows[1]!.total_tokens}, day ${totals(rows).tokens} / ${LIMIT}`);
    expect(totals(rows).tokens).toBeLessThanOrEqual(LIMIT + 2);

    // The reply is saved as cut, with its reason.
    const [message] = await rig.db.admin(
      `select m.content, m.status, m.metadata from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id
        where c.user_id = $1 and m.role = 'assistant' order by m.created_at desc limit 1`,
      [user.userId],
    );
    expect(message!.content).toBe(streamed);
    expect(message!.status).toBe('complete');
    expect((message!.metadata as { finishReason: string }).finishReason).toBe('length');
  });

  it('Claude reporting a larger prompt than we counted (message_start) leaves that much less room for output: the day still ends at its limit', async () => {
    const user = await userRig(rig, { defaultProvider: 'anthropic', limits: { maxTokensPerDay: LIMIT } });
    rig.anthropic.script({ text: 'Hello.', usage: { promptTokens: 100, completionTokens: 105 } });
    await readChatEvents(await user.post({ message: 'Hi' }));
    // Our count of the question is about 10 tokens; Claude says 150 before its first word.
    rig.anthropic.script({ text: FLOOD, usage: { promptTokens: 150, completionTokens: 5_000 }, delayMs: 1 });
    const events = await readChatEvents(await user.post({ message: 'Write at length' }));
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
    const rows = await eventually(async () => {
      const found = await user.usage();
      expect(totals(found).reserved).toBe(0);
      return found;
    });
    expect(rows[1]!.prompt_tokens).toBe(150);
    expect(totals(rows).tokens).toBeGreaterThan(LIMIT - 10);
    expect(totals(rows).tokens).toBeLessThanOrEqual(LIMIT + 2);
  });

  it("a tool loop's later call that ignores max_tokens is stopped at that call's hold, and the turn ends there", async () => {
    const lookup = defineTool({ name: 'lookup', description: 'Looks a word up.', parameters: z.object({ q: z.string() }), execute: () => ({ found: true }) });
    const user = await userRig(rig, { tools: [lookup], maxToolSteps: 3 });
    rig.openai.script(
      { toolCalls: [{ name: 'lookup', args: { q: 'tok' } }], usage: { promptTokens: 50, completionTokens: 20 } },
      { text: FLOOD, usage: { promptTokens: 80, completionTokens: 5_000 }, delayMs: 1 },
    );
    const events = await readChatEvents(await user.post({ message: 'Look it up, then write', maxTokens: 700 }));
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
    await eventually(async () => expect(rig.openai.requests[1]!.aborted).toBe(true));
    expect(rig.openai.requests).toHaveLength(2);
    const streamed = countTokens(textOf(events), { provider: 'openai', model: 'gpt-4o' });
    // The second call's hold is its own 700 output tokens; no third call was made.
    expect(streamed).toBeGreaterThan(600);
    expect(streamed).toBeLessThanOrEqual(701);
    const rows = await eventually(async () => {
      const found = await user.usage();
      expect(totals(found).reserved).toBe(0);
      return found;
    });
    expect(rows).toHaveLength(1);
    // Both calls, once: the first as reported, the second what streamed.
    expect(rows[0]!.completion_tokens).toBe(20 + streamed);
  });
});
