import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import { eventually } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

/** Issue 10, findings 5, 6 and 7: what a user could get without paying for it. */
describe.each(databaseKinds())('every provider call is metered, on %s', (kind) => {
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

  it('a Claude reply cut off mid-stream bills and stores the words that streamed, not the 1 token message_start reports', async () => {
    const user = await userRig(rig, { defaultProvider: 'anthropic' });
    const words = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    rig.anthropic.script({ text: words, failAfterChunks: 40, usage: { promptTokens: 30, completionTokens: 200 } });
    const events = await readChatEvents(await user.post({ message: 'Sixty words please' }));
    expect(events.at(-1)!.type).toBe('error');
    const streamed = textOf(events);
    expect(streamed.split(' ').length).toBeGreaterThanOrEqual(35);

    const [row] = await user.usage();
    expect(row).toMatchObject({ status: 'settled', prompt_tokens: 30 });
    // 40 words of "wordN" are well over 40 tokens by any count; the old code billed 1.
    expect(row!.completion_tokens).toBeGreaterThanOrEqual(40);
    const [message] = await rig.db.admin(
      `select m.tokens from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id
        where c.user_id = $1 and m.role = 'assistant'`,
      [user.userId],
    );
    expect(Number(message!.tokens)).toBeGreaterThanOrEqual(40);
  });

  it('an OpenAI request stopped after the provider accepted it, before its first token, still bills the prompt', async () => {
    const user = await userRig(rig);
    rig.openai.script({ text: 'a slow first token', delayMs: 3_000 });
    const response = await user.post({ message: 'x '.repeat(2_000) });
    const reading = readChatEvents(response).catch(() => []);
    await eventually(async () => expect(rig.openai.requests.length).toBeGreaterThan(0));
    // The fake flushes its 200 headers at once; give the SDK a moment to see them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Since issue 12 a reply is stopped by its own request, not by the client leaving.
    const replyId = ((await rig.db.admin(`select id from public.ai_chat_reply_runs where user_id = $1`, [user.userId]))[0] as { id: string }).id;
    expect((await user.call('POST', `/replies/${replyId}/stop`, {})).status).toBe(202);
    await reading;

    const rows = await eventually(async () => {
      const found = await user.usage();
      expect(found[0]?.status).toBe('settled');
      return found;
    });
    // The prompt (2,000 repetitions) as counted: about 2,000 tokens, never nothing.
    expect(rows[0]!.prompt_tokens).toBeGreaterThan(1_500);
    expect(rows[0]!.completion_tokens).toBe(0);
  });

  it('a tool loop cannot spend past the daily limit: the step that would not fit is refused and the turn settles what it spent', async () => {
    const lookup = defineTool({ name: 'lookup', description: 'Looks a word up.', parameters: z.object({ q: z.string() }), execute: () => ({ found: true }) });
    const user = await userRig(rig, { tools: [lookup], maxToolSteps: 5, limits: { maxTokensPerDay: 3_000 } });
    const step = { toolCalls: [{ name: 'lookup', args: { q: 'again' } }], usage: { promptTokens: 100, completionTokens: 800 } };
    rig.openai.script(step, step, step, step, { text: 'Done.', usage: { promptTokens: 100, completionTokens: 800 } });

    const response = await user.post({ message: 'Look it up, many times', maxTokens: 1_000 });
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'error', code: 'usage_limit', limit: 'tokens_per_day', retryable: false, resetsAt: expect.any(String) });
    expect((last as { message: string }).message).toMatch(/today's token limit/);

    const rows = await user.usage();
    expect(totals(rows)).toMatchObject({ reserved: 0 });
    // Two steps (900 each) fit; the third would hold 1,800 + its prompt (~1,600) + 1,000 > 3,000.
    // Before the ledger all five ran against the first reservation: 4,500 settled.
    expect(rig.openai.requests).toHaveLength(2);
    expect(totals(rows).tokens).toBe(1_800);
  });
});
