import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import { summarizeWithUsage } from '@/features/ai-chat/server/turn/summarize';
import { ANTHROPIC_TEST_KEY, eventually } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

const DAILY_TOKENS = 8_000;

/**
 * A thinking Claude model may write up to max_tokens, thinking included, and is billed for all of
 * it. The attacker's move: a user near their daily limit asks for the most thinking there is, and
 * the model (here the fake) spends every token the call allows.
 */
describe.each(databaseKinds())('thinking cannot spend past what the turn reserved, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind, {
      anthropic: {
        // A model that thinks to the very end of max_tokens, slowly enough to read the hold mid-call.
        defaultReply: (body) => ({ text: 'Thought long and hard.', delayMs: 50, usage: { promptTokens: 10, completionTokens: Number(body.max_tokens) } }),
      },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => rig.anthropic.reset());

  it.each([
    ['adaptive', 'claude-sonnet-5-5'],
    ['budget', 'claude-sonnet-4-5'],
  ])('a model with %s thinking (%s) at high effort gets a max_tokens the ledger holds, and the day never passes its limit', async (_mode, model) => {
    const user = await userRig(rig, { defaultProvider: 'anthropic', models: { anthropic: { defaultModel: model } }, limits: { maxTokensPerDay: DAILY_TOKENS } });
    const response = await user.post({ message: 'Think as hard as you can.', reasoningEffort: 'high' });
    expect(response.status).toBe(200);
    const reading = readChatEvents(response);

    const request = await eventually(async () => {
      expect(rig.anthropic.requests).toHaveLength(1);
      return rig.anthropic.requests[0]!;
    });
    const [hold] = await user.usage();
    await reading;

    expect(request.body.thinking).toBeDefined();
    expect(hold).toMatchObject({ status: 'reserved' });
    // The hold is the prompt plus the call's whole output ceiling: thinking cannot write past it.
    expect(Number(request.body.max_tokens)).toBeLessThanOrEqual(hold!.total_tokens);
    const rows = await user.usage();
    expect(rows).toMatchObject([{ status: 'settled', completion_tokens: Number(request.body.max_tokens) }]);
    expect(totals(rows).tokens).toBeLessThanOrEqual(DAILY_TOKENS);
  });

  it('with room for the whole answer and its thinking, a turn asks for both and the hold covers both', async () => {
    const user = await userRig(rig, { defaultProvider: 'anthropic', models: { anthropic: { defaultModel: 'claude-sonnet-5-5' } }, limits: { maxTokensPerDay: 1_000_000 } });
    const response = await user.post({ message: 'Think a little.', reasoningEffort: 'low', maxTokens: 1_000 });
    const reading = readChatEvents(response);
    const request = await eventually(async () => {
      expect(rig.anthropic.requests).toHaveLength(1);
      return rig.anthropic.requests[0]!;
    });
    const [hold] = await user.usage();
    await reading;

    // 1,000 for the answer and 2,048 of thinking room at low effort, all of it reserved.
    expect(request.body).toMatchObject({ max_tokens: 3_048, thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
    expect(hold!.total_tokens).toBeGreaterThan(3_048);
  });

  it('the rolling summary, reserved for its words alone, asks a thinking model not to think', async () => {
    const provider = createAnthropicProvider({ apiKeys: [ANTHROPIC_TEST_KEY], baseURL: rig.anthropic.url, maxRetries: 0 });
    await summarizeWithUsage([{ role: 'user', content: 'Long ago, we spoke.' }], { provider, model: 'claude-haiku-5-5', maxTokens: 400 });

    expect(rig.anthropic.requests[0]!.body).toMatchObject({ max_tokens: 400, thinking: { type: 'disabled' } });
  });
});
