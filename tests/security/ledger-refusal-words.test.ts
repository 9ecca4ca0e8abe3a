import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

/**
 * Issue 19, finding 6 (c): a refusal before a turn says what the turn needed against the limit and
 * what was used, never "only 0 tokens are left" to someone who has used none.
 */
describe.each(databaseKinds())('a refused turn says what it needed against the limit, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("a new user's question too long for the daily limit: what the reply needs, the limit, 0 used, when it resets", async () => {
    const user = await userRig(rig, { limits: { maxTokensPerDay: 1_000 } });
    const response = await user.post({ message: 'word '.repeat(1_500) });
    expect(response.status).toBe(429);
    const { error } = (await response.json()) as { error: { message: string; limit: string } };
    expect(error.limit).toBe('tokens_per_day');
    expect(error.message).not.toMatch(/\b0 tokens\b|left today/);
    const match = /^This reply needs up to ([\d,]+) tokens; your daily limit is 1,000 \(0 used\)\. It resets at midnight UTC, in \d+ (h|min|s)\.$/.exec(error.message);
    expect(match, error.message).not.toBeNull();
    // The question itself (about 1,500 tokens) and the reply's most (4,096).
    expect(Number(match![1]!.replaceAll(',', ''))).toBeGreaterThan(1_500 + 4_096);
    expect(totals(await user.usage()).tokens).toBe(0);
  });

  it('a user part-way through the day: the same words, with what they used', async () => {
    const user = await userRig(rig, { limits: { maxTokensPerDay: 5_000 } });
    rig.openai.script({ text: 'Hello.', usage: { promptTokens: 2_000, completionTokens: 2_900 } });
    await (await user.post({ message: 'Hi' })).text();
    const response = await user.post({ message: 'Hi again' });
    expect(response.status).toBe(429);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(/^This reply needs up to [\d,]+ tokens; your daily limit is 5,000 \(4,900 used\)\. It resets at midnight UTC/);
  });

  it("a new user's question too costly for the monthly limit: what it could cost, the limit, $0 used", async () => {
    const user = await userRig(rig, { limits: { maxCostPerMonth: 0.001 } });
    const response = await user.post({ message: 'word '.repeat(1_500) });
    expect(response.status).toBe(429);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(/^This reply could cost up to \$[\d.]+; your monthly limit is \$0\.0010 \(\$0\.00 used\)\. It resets on \d+ \w+ at 00:00 UTC/);
  });
});
