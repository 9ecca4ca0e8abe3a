import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageResponseSchema } from '@/features/ai-chat/protocol/rest';
import { eventually } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, userRig, type LedgerRig } from './ledger-harness';

/**
 * Issue 19, finding 7: during a reply, GET /usage counted its hold as spent ("4.5K tokens today"
 * falling to 451 after Stop). Spent and in progress come apart; the limits still count the hold.
 */
describe.each(databaseKinds())('GET /usage tells spent from in progress, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('a reply in progress shows as "up to N in progress", not as spent, and is still held against the limit', async () => {
    const user = await userRig(rig, { limits: { maxTokensPerDay: 10_000, maxCostPerMonth: 5 } });
    rig.openai.script({ text: 'Spent.', usage: { promptTokens: 300, completionTokens: 151 } });
    await readChatEvents(await user.post({ message: 'First' }));
    const usageNow = async () => usageResponseSchema.parse(await (await user.call('GET', '/usage')).json());
    const before = await usageNow();
    expect(before.usage).toMatchObject({ tokensToday: 451, tokensInProgress: 0, costInProgress: expect.stringMatching(/^0(\.0+)?$/) });

    // A slow reply: its first frame waits, so it is in progress while we look.
    rig.openai.script({ text: 'slow reply', delayMs: 60_000 });
    const reading = readChatEvents(await user.post({ message: 'Second' })).catch(() => []);
    const [reserved] = await eventually(async () => {
      const rows = (await user.usage()).filter((row) => row.status === 'reserved');
      expect(rows).toHaveLength(1);
      return rows;
    });

    const during = await usageNow();
    // Spent stays what was spent; the hold shows apart, in full.
    expect(during.usage.tokensToday).toBe(451);
    expect(during.usage.costToday).toBe(before.usage.costToday);
    expect(during.usage.costThisMonth).toBe(before.usage.costThisMonth);
    expect(during.usage.tokensInProgress).toBe(reserved!.total_tokens);
    expect(during.usage.tokensInProgress).toBeGreaterThan(4_000);
    expect(Number(during.usage.costInProgress)).toBeGreaterThan(0);
    // What is left still counts the hold: that is what a second turn could get now.
    expect(during.remaining.tokensToday).toBe(10_000 - 451 - reserved!.total_tokens);

    // The second turn's run: the first one's row is kept beside it (its state is written at a
    // later checkpoint tick), and a heap scan returns the two in no set order.
    // Its row is written with the question, beside the provider call: wait until it is there.
    const replyId = await eventually(async () => {
      const runs = (await rig.db.admin(`select id from public.ai_chat_reply_runs where user_id = $1 order by started_at desc`, [user.userId])) as { id: string }[];
      expect(runs).toHaveLength(2);
      return runs[0]!.id;
    });
    expect((await user.call('POST', `/replies/${replyId}/stop`, {})).status).toBe(202);
    await reading;
    const after = await eventually(async () => {
      const found = await usageNow();
      expect(found.usage.tokensInProgress).toBe(0);
      return found;
    });
    expect(after.usage.tokensToday).toBeGreaterThanOrEqual(451);
    expect(after.usage.tokensToday).toBeLessThan(1_000);
  });
});
