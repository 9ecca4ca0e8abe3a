import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import type { SqlDatabase, SqlStatement } from '@/features/ai-chat/store/postgres/sql-database';
import { eventually } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

/**
 * Issue 10, finding 1 and the ledger's promise: a turn settles exactly once whatever happens,
 * and until it does its reservation counts at its estimate, never as nothing.
 */
describe.each(databaseKinds())('a turn always settles, on %s', (kind) => {
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

  it('deleting the conversation while its first reply streams stops it and still settles what it cost', async () => {
    const user = await userRig(rig);
    rig.openai.script({ text: 'one two three four five six seven eight nine ten', delayMs: 80, usage: { promptTokens: 21, completionTokens: 10 } });
    const response = await user.post({ message: 'Tell me ten words' });
    expect(response.status).toBe(200);
    const reading = readChatEvents(response);
    // The conversation exists and the provider is answering: delete it, as another tab would.
    const conversationId = await eventually(async () => {
      const [row] = await rig.db.admin('select id from public.ai_chat_conversations where user_id = $1', [user.userId]);
      expect(row).toBeDefined();
      expect(rig.openai.requests.length).toBeGreaterThan(0);
      return row!.id as string;
    });
    expect((await user.call('DELETE', `/conversations/${conversationId}`)).status).toBeLessThan(300);
    const events = await reading;

    expect(['finish', 'error']).toContain(events.at(-1)!.type);
    const rows = await user.usage();
    expect(rows).toHaveLength(1);
    // Deleting stops the reply (nobody can see it any more): billed its prompt and what streamed.
    // (The provider's own count comes with its last chunk; cut before it, ours is billed.)
    expect(rows[0]).toMatchObject({ status: 'settled', conversation_id: null });
    expect(rows[0]!.prompt_tokens).toBeGreaterThan(0);
    expect(rows[0]!.completion_tokens).toBeLessThanOrEqual(10);
    expect(rows[0]!.cost).not.toBeNull();
  });

  it('a settle the database refuses at first is retried until it lands', async () => {
    let failures = 0;
    const user = await userRig(rig, {}, (store) => withFlakySettle(store, () => ++failures <= 2));
    rig.openai.script({ text: 'Fine.', usage: { promptTokens: 9, completionTokens: 2 } });
    const events = await readChatEvents(await user.post({ message: 'Hi' }));
    expect(events.at(-1)!.type).toBe('finish');
    await eventually(async () => {
      const rows = await user.usage();
      expect(rows).toMatchObject([{ status: 'settled', prompt_tokens: 9, completion_tokens: 2 }]);
    });
    expect(failures).toBeGreaterThanOrEqual(3);
  });

  it("a new chat is three transactions: the reservation; the conversation, question and run row; the answer and its settlement", async () => {
    const transactions: string[][] = [];
    const user = await userRig(rig, {}, (store) => new PostgresUserStore(recordingTransactions(rig.db.sql, transactions), store.userId));
    rig.openai.script({ text: 'Fine, thanks.', usage: { promptTokens: 9, completionTokens: 3 } });
    const events = await readChatEvents(await user.post({ message: 'How are you?' }));
    expect(events.at(-1)!.type).toBe('finish');

    // The functions each of the turn's transactions called, in order.
    const called = transactions.map((texts) => texts.flatMap((text) => [...text.matchAll(/public\.(ai_chat_\w+)\(/g)].map((match) => match[1])));
    expect(called).toEqual([
      ['ai_chat_reserve_usage'],
      ['ai_chat_create_conversation', 'ai_chat_append_message', 'ai_chat_reply_start'],
      ['ai_chat_append_message', 'ai_chat_settle_usage'],
    ]);
    const rows = await user.usage();
    const [answer] = await rig.db.admin(`select id from public.ai_chat_messages where role = 'assistant' and conversation_id = $1`, [rows[0]!.conversation_id]);
    expect(rows).toMatchObject([{ status: 'settled', prompt_tokens: 9, completion_tokens: 3, message_id: answer!.id }]);
  });

  it('a reservation never settled keeps counting at its estimate after 15 minutes, in /usage and in the limit alike', async () => {
    const user = await userRig(rig, { limits: { maxTokensPerDay: 1_000 } });
    // A server died mid-turn 20 minutes ago (still today, UTC), holding 900 tokens.
    await rig.db.admin(
      `insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens, cost, status, created_at)
       values ($1, 'openai', 'gpt-4o', 900, 0.01, 'reserved', greatest(now() - interval '20 minutes', date_trunc('day', now(), 'UTC')))`,
      [user.userId],
    );
    const usage = await (await user.call('GET', '/usage')).json();
    // Held, not spent (issue 19, finding 7): shown apart, and still off what is left.
    expect(usage.usage).toMatchObject({ tokensToday: 0, tokensInProgress: 900 });
    expect(usage.remaining.tokensToday).toBe(100);

    const refused = await user.post({ message: 'Write me an essay', maxTokens: 500 });
    expect(refused.status).toBe(429);
    const body = await refused.json();
    expect(body.error).toMatchObject({ code: 'usage_limit', limit: 'tokens_per_day', retryable: false });
    expect(totals(await user.usage()).tokens).toBe(900);
  });
});

/** The database, noting each transaction's statement texts in order. */
function recordingTransactions(sql: SqlDatabase, log: string[][]): SqlDatabase {
  return {
    transaction: (work) => {
      const texts: string[] = [];
      log.push(texts);
      return sql.transaction((tx) => work({ query: (text, params) => (texts.push(text), tx.query(text, params)) }));
    },
    ...(sql.statements
      ? {
          statements: (list: readonly SqlStatement[]) => {
            log.push(list.map((statement) => statement.text));
            return sql.statements!(list);
          },
        }
      : {}),
    close: () => sql.close(),
  };
}

/** The store with its settle failing (a lost connection, say) while `failNow()` says so; the answer-and-settle write too. */
function withFlakySettle(store: UserChatStore, failNow: () => boolean): UserChatStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendMessageAndSettle' && target.appendMessageAndSettle) {
        return async (...args: Parameters<NonNullable<UserChatStore['appendMessageAndSettle']>>) => {
          if (failNow()) throw new Error('connection terminated unexpectedly');
          return target.appendMessageAndSettle!(...args);
        };
      }
      if (property === 'settleUsage') {
        return async (...args: Parameters<UserChatStore['settleUsage']>) => {
          if (failNow()) throw new Error('connection terminated unexpectedly');
          return target.settleUsage(...args);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
