import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { OPENAI_TEST_KEY } from '../support/chat-harness';
import { openLedgerRig, type LedgerRig } from '../security/ledger-harness';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';

/**
 * Issue 23, goal 1: a follow-up's cost must not grow with the conversation. A turn sends the model
 * only the newest messages that fit its window, so it reads only those (ai_chat_branch_tail), and
 * the model gets exactly what reading the whole branch would have given it.
 */

const MESSAGES = 2_000;
/** Stored tokens of each message: 2,000 of them are 300,000 tokens, past every model's window. */
const TOKENS = 150;

async function seedChain(rig: LedgerRig, userId: string): Promise<{ conversationId: string; chain: string[] }> {
  const [{ id: conversationId }] = (await rig.db.admin(
    `insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'Long', 'openai', 'gpt-4o') returning id`,
    [userId],
  )) as [{ id: string }];
  const rows = (await rig.db.admin(
    `with chain as materialized (select i, gen_random_uuid() as id from generate_series(0, ${MESSAGES - 1}) i)
     insert into public.ai_chat_messages (id, conversation_id, parent_id, role, content, tokens, created_at)
     select c.id, $1::uuid, up.id, case when c.i % 2 = 0 then 'user' else 'assistant' end,
            'message ' || c.i || ' ' || repeat('word ', ${TOKENS - 3}), ${TOKENS}, now() - interval '1 day' + c.i * interval '1 millisecond'
       from chain c left join chain up on up.i = c.i - 1
     returning id, created_at`,
    [conversationId],
  )) as { id: string; created_at: Date }[];
  const chain = rows.sort((a, b) => +new Date(a.created_at) - +new Date(b.created_at)).map((row) => row.id);
  await rig.db.admin(`update public.ai_chat_conversations set active_leaf_id = $2 where id = $1`, [conversationId, chain.at(-1)]);
  return { conversationId, chain };
}

describe.each(databaseKinds())('a follow-up in a 2,000-message conversation on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind, { openai: { defaultReply: { text: 'Noted.', usage: { promptTokens: 10, completionTokens: 2 } } } });
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('reads only the newest messages any allowed model could fit, and sends the model what the whole branch would', async () => {
    const read: number[] = [];
    /** Records how many messages each turn's branch read returned; `whole` reads the branch whole, as before. */
    const recording = (whole: boolean) => (store: UserChatStore): UserChatStore =>
      new Proxy(store, {
        get(target, property, receiver) {
          if (property !== 'getConversationWithBranch') return Reflect.get(target, property, receiver);
          return async (id: string, leaf?: string | null, options?: { maxTokens?: number }) => {
            const loaded = await target.getConversationWithBranch(id, leaf, whole ? {} : options);
            read.push(loaded?.branch.length ?? -1);
            return loaded;
          };
        },
      });
    const userId = await rig.db.createUser();
    const { conversationId, chain } = await seedChain(rig, userId);
    const handlerFor = (wrap: (store: UserChatStore) => UserChatStore) =>
      createChatHandler({
        store: { forRequest: async () => wrap(new PostgresUserStore(rig.db.sql, userId)), replies: new SqlReplyRunStore(rig.db.sql), close: async () => {} },
        providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: rig.openai.url, maxRetries: 0 }) },
        models: { openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o', 'gpt-4o-mini'] } },
      });
    const [boundedHandler, wholeHandler] = [handlerFor(recording(false)), handlerFor(recording(true))];

    const ask = async (handler: ChatHandler) => {
      const response = await handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ conversationId, parentMessageId: chain.at(-1), message: 'And the next one?' }),
        }),
      );
      expect(response.status).toBe(200);
      expect((await readChatEvents(response)).at(-1)).toMatchObject({ type: 'finish' });
      return rig.openai.requests.at(-1)!.body.messages as { role: string; content: string }[];
    };
    const sentBounded = await ask(boundedHandler);
    const sentWhole = await ask(wholeHandler);
    for (const handler of [boundedHandler, wholeHandler]) handler.replies.halt();

    // gpt-4o's and gpt-4o-mini's windows are 128,000 tokens: 853 messages of 150 tokens stay
    // within it, the 854th passes it and is the last read; the other 1,146 are never read.
    expect(read).toEqual([Math.floor(128_000 / TOKENS) + 1, MESSAGES]);
    expect(sentBounded).toEqual(sentWhole);
    expect(sentBounded.length).toBeLessThan(MESSAGES);
    expect(sentBounded.at(-2)?.content).toContain(`message ${MESSAGES - 1} `);
  });

  it('reads the branch through the store from its leaf up until the stored counts pass the bound', async () => {
    const userId = await rig.db.createUser();
    const { conversationId, chain } = await seedChain(rig, userId);
    const store = new PostgresUserStore(rig.db.sql, userId);
    const tail = await store.getConversationWithBranch(conversationId, null, { maxTokens: 10_000 });
    // 66 messages are 9,900 tokens; the 67th passes 10,000 and is the last read.
    expect(tail?.branch.map((message) => message.id)).toEqual(chain.slice(-67));
    const fromLeaf = await store.getConversationWithBranch(conversationId, chain[99], { maxTokens: 0 });
    expect(fromLeaf?.branch.map((message) => message.id)).toEqual([chain[99]]);
    const stranger = new PostgresUserStore(rig.db.sql, await rig.db.createUser());
    expect(await stranger.getConversationWithBranch(conversationId, null, { maxTokens: 10_000 })).toBeNull();
  });
});
