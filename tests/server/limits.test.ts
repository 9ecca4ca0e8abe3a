import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import type { UsageAlert } from '@/features/ai-chat/server/http/handler-options';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { checkUsageLimit } from '@/features/ai-chat/server/ledger/check-usage-limit';
import { OPENAI_TEST_KEY, startChatHarness, type ChatHarness } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readChatEvents } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';

/**
 * The limit is enforced by an atomic reservation in the database: checked and held under a
 * per-user lock before the provider call, settled to the real figures after. Each request may
 * reserve its prompt plus `maxTokens` of reply, so 20 requests at once cannot overshoot.
 */
describe.each(databaseKinds())('usage limits under concurrency on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  beforeAll(async () => {
    [db, openai] = await Promise.all([openTestDatabase(kind), startFakeOpenAI()]);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), openai?.close()]);
  });

  it('20 parallel requests at the edge of the daily token limit never overshoot it', async () => {
    const userId = await db.createUser();
    const handler = createChatHandler({
      store: { forRequest: async () => new PostgresUserStore(db.sql, userId), replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url }) },
      models: { openai: { defaultModel: 'gpt-4o' } },
      limits: { maxTokensPerDay: 1_000 },
    });
    // Every reply really uses its whole budget: the worst case for a limit.
    openai.script(...Array.from({ length: 20 }, () => ({ text: 'word '.repeat(20), usage: { promptTokens: 15, completionTokens: 100 } })));

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Hi there', maxTokens: 100 }) })),
      ),
    );
    const allowed = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 429);
    expect(allowed.length + refused.length).toBe(20);
    expect(allowed.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    await Promise.all(allowed.map((response) => readChatEvents(response)));

    const [{ tokens }] = (await db.admin(`select coalesce(sum(total_tokens), 0)::int as tokens from public.ai_chat_usage where user_id = $1`, [userId])) as [
      { tokens: number },
    ];
    // Reservations are exact for the reply (maxTokens) and an estimate for the prompt, so the
    // bound is the limit plus at most one reply's worth, whatever the interleaving.
    const oneReply = 15 + 100;
    expect(tokens).toBeLessThanOrEqual(1_000 + oneReply);
    expect(allowed.length).toBeLessThanOrEqual(Math.floor((1_000 + oneReply) / oneReply));
    // Refused requests wrote no message: two per allowed turn, none else.
    const [{ messages }] = (await db.admin(
      `select count(*)::int as messages from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id where c.user_id = $1`,
      [userId],
    )) as [{ messages: number }];
    expect(messages).toBe(allowed.length * 2);
    const body = await refused[0]!.json();
    expect(body.error.code).toBe('usage_limit');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('holds the requests-per-minute limit, with a retry-after under a minute', async () => {
    const userId = await db.createUser();
    const handler = createChatHandler({
      store: { forRequest: async () => new PostgresUserStore(db.sql, userId), replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url }) },
      models: { openai: { defaultModel: 'gpt-4o' } },
      limits: { maxRequestsPerMinute: 3 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `n${i}` }) }));
      statuses.push(response.status);
      if (response.status === 200) await readChatEvents(response);
      else {
        const retryAfter = Number(response.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('usage limits, alerts and checks', () => {
  let h: ChatHarness;
  const alerts: UsageAlert[] = [];
  beforeAll(async () => {
    h = await startChatHarness({
      limits: async () => ({ maxTokensPerDay: 1_000, maxCostPerMonth: '0.01' }),
      onUsageAlert: (alert) => {
        alerts.push(alert);
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fires a usage alert once when a turn crosses 80% of a limit', async () => {
    h.openai.script({ text: 'small', usage: { promptTokens: 100, completionTokens: 100 } }, { text: 'big', usage: { promptTokens: 300, completionTokens: 350 } });
    await readChatEvents(await h.post({ message: 'one', maxTokens: 100 }));
    expect(alerts).toEqual([]);
    await readChatEvents(await h.post({ message: 'two', maxTokens: 100 }));
    expect(alerts).toEqual([expect.objectContaining({ limit: 'tokens_per_day', threshold: 0.8, used: 850, max: 1_000 })]);
  });

  it('refuses a turn over the limit with 429 usage_limit and writes no message', async () => {
    const before = await h.counts();
    const response = await h.post({ message: 'three', maxTokens: 500 });
    expect(response.status).toBe(429);
    expect((await response.json()).error).toMatchObject({ code: 'usage_limit' });
    expect((await h.counts()).messages).toBe(before.messages);
  });

  it('checkUsageLimit answers from the session, whatever userId it is given', async () => {
    const request = new Request('http://localhost/');
    expect(await checkUsageLimit({ request, store: h.store, userId: crypto.randomUUID(), maxTokensPerDay: 100_000 })).toBe(true);
    expect(await checkUsageLimit({ request, store: h.store, maxTokensPerDay: 800 })).toBe(false);
    await expect(checkUsageLimit({ userId: 'someone', maxTokensPerDay: 1 })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
