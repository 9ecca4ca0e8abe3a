import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { conversationDetailSchema } from '@/features/ai-chat/protocol/rest';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import { eventually, OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readChatEvents, textOf } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * `durableReplies: false`, the one-line choice of an in-process-only deployment: replies still
 * outlive their request on this instance (attach from the start, Stop from another request), and
 * nothing of the run is written to the database.
 */

const WORDS = Array.from({ length: 40 }, (_, i) => `word${i}`);
const SLOW = { text: WORDS.join(' '), delayMs: 40, usage: { promptTokens: 20, completionTokens: 400 } };

describe.each(databaseKinds())('in-process replies on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  let handler: ChatHandler;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    openai = await startFakeOpenAI();
    handler = createChatHandler({
      store: {
        forRequest: async (request) => new PostgresUserStore(db.sql, request.headers.get('x-test-user')!),
        replies: new SqlReplyRunStore(db.sql),
        close: async () => undefined,
      },
      durableReplies: false,
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
      models: { openai: { defaultModel: 'gpt-4o' } },
    });
  });
  afterAll(async () => {
    handler?.replies.halt();
    await openai?.close();
    await db?.close();
  });

  const call = (userId: string, method: string, path: string, body?: unknown) =>
    (path === '' ? handler.chat : handler.route)(
      new Request(`http://localhost/api/chat${path}`, {
        method,
        headers: { 'x-test-user': userId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );

  it('a second client attaches from the start and gets the same reply; no run row is written', async () => {
    const user = await db.createUser();
    openai.script(SLOW);
    const response = await call(user, 'POST', '', { message: 'Take your time' });
    const posted = readChatEvents(response);
    const conversationId = await eventually(async () => {
      const rows = await db.admin(`select id from public.ai_chat_conversations where user_id = $1`, [user]);
      expect(rows).toHaveLength(1);
      return rows[0]!.id as string;
    });
    const start = await eventually(async () => {
      const runs = await handler.replies.store.generating(user, conversationId);
      expect(runs).toHaveLength(1);
      return runs[0]!;
    });
    const detail = conversationDetailSchema.parse(await (await call(user, 'GET', `/conversations/${conversationId}`)).json());
    expect(detail.generating.map((reply) => reply.id)).toEqual([start.id]);
    const attached = await call(user, 'GET', `/replies/${start.id}/stream`);
    expect(attached.status).toBe(200);
    const [whole, replay] = await Promise.all([posted, readChatEvents(attached)]);
    expect(textOf(replay)).toBe(SLOW.text);
    expect(replay).toEqual(whole);
    expect(await db.admin(`select id from public.ai_chat_reply_runs where user_id = $1`, [user])).toEqual([]);
    const saved = await db.admin(`select status, content from public.ai_chat_messages where id = $1`, [start.id]);
    expect(saved[0]).toMatchObject({ status: 'complete', content: SLOW.text });
  });

  it('Stop from another request stops the reply; another user cannot stop it', async () => {
    const user = await db.createUser();
    const mallory = await db.createUser();
    openai.script(SLOW);
    const posted = readChatEvents(await call(user, 'POST', '', { message: 'Go on' }));
    const conversationId = await eventually(async () => {
      const rows = await db.admin(`select id from public.ai_chat_conversations where user_id = $1`, [user]);
      expect(rows).toHaveLength(1);
      return rows[0]!.id as string;
    });
    const [run] = await eventually(async () => {
      const runs = await handler.replies.store.generating(user, conversationId);
      expect(runs).toHaveLength(1);
      return runs;
    });
    expect((await call(mallory, 'POST', `/replies/${run!.id}/stop`, {})).status).toBe(404);
    expect((await call(user, 'POST', `/replies/${run!.id}/stop`, {})).status).toBe(202);
    const events: ChatEvent[] = await posted;
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
    expect(textOf(events).split(' ').length).toBeLessThan(WORDS.length);
    await eventually(async () => expect(await handler.replies.store.generating(user, conversationId)).toEqual([]));
  });
});
