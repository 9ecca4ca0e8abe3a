import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { postgrestCall } from '../support/postgrest/postgrest-call';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 12's reply runs as an attacker plays them in Supabase mode: straight at PostgREST with the
 * anon key and their own JWT. Runs, their events and stop requests are the server's to write
 * (service_role functions taking the user id); a user may only read their own.
 */

const PROJECT_URL = 'https://reply-runs.supabase.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe.each(databaseKinds())('reply runs through PostgREST on %s', (kind) => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let alice: string;
  let mallory: string;
  let malloryToken: string;
  let aliceToken: string;
  let aliceConversation: string;
  let malloryConversation: string;
  let aliceRun: string;
  let malloryRun: string;

  /** A PostgREST call with the anon key and, unless `token` is null, a user's JWT. */
  const rest = (method: string, path: string, body?: unknown, token: string | null = malloryToken) => postgrestCall(project, method, path, body, token);

  const conversationOf = async (userId: string) =>
    ((await db.admin(`insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'c', 'openai', 'gpt-4o') returning id`, [userId]))[0] as { id: string }).id;
  const startRun = async (userId: string, conversationId: string) => {
    const id = crypto.randomUUID();
    await db.admin(`select public.ai_chat_reply_start($1, $2, $3, null, 'openai', 'gpt-4o', null)`, [userId, id, conversationId]);
    await db.admin(`insert into public.ai_chat_reply_events (run_id, seq, events) values ($1, 0, '[{"type":"text-delta","delta":"secret"}]')`, [id]);
    return id;
  };
  const runs = async () =>
    (await db.admin(`select id, state, stop_requested_at, fallback from public.ai_chat_reply_runs order by id`)) as {
      id: string;
      state: string;
      stop_requested_at: unknown;
      fallback: unknown;
    }[];
  const eventCount = async () => ((await db.admin('select count(*)::int as n from public.ai_chat_reply_events'))[0] as { n: number }).n;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    server.use(...project.handlers);
  });
  afterAll(async () => {
    server.resetHandlers();
    await db?.close();
  });

  beforeEach(async () => {
    await db.admin('truncate public.ai_chat_reply_events, public.ai_chat_reply_runs, public.ai_chat_usage, public.ai_chat_messages, public.ai_chat_conversations cascade');
    alice = await db.createUser();
    mallory = await db.createUser();
    aliceToken = project.signIn(alice).accessToken;
    malloryToken = project.signIn(mallory).accessToken;
    aliceConversation = await conversationOf(alice);
    malloryConversation = await conversationOf(mallory);
    aliceRun = await startRun(alice, aliceConversation);
    malloryRun = await startRun(mallory, malloryConversation);
  });

  it("a user reads their own run and its events, never another user's", async () => {
    expect((await (await rest('GET', 'ai_chat_reply_runs?select=id')).json()).map((row: { id: string }) => row.id)).toEqual([malloryRun]);
    expect((await (await rest('GET', `ai_chat_reply_runs?id=eq.${aliceRun}`)).json())).toEqual([]);
    expect((await (await rest('GET', `ai_chat_reply_events?run_id=eq.${aliceRun}`)).json())).toEqual([]);
    expect((await (await rest('GET', `ai_chat_reply_events?run_id=eq.${aliceRun}`, undefined, aliceToken)).json())).toHaveLength(1);
  });

  it('a user cannot insert a run, nor events into their own run or anyone else\'s', async () => {
    const before = await runs();
    const inserted = await rest('POST', 'ai_chat_reply_runs', {
      id: crypto.randomUUID(),
      user_id: mallory,
      conversation_id: malloryConversation,
      provider: 'openai',
      model: 'gpt-4o',
    });
    expect(inserted.status).toBe(403);
    for (const runId of [malloryRun, aliceRun]) {
      const events = await rest('POST', 'ai_chat_reply_events', { run_id: runId, seq: 1, events: [{ type: 'text-delta', delta: 'forged' }] });
      expect(events.status).toBe(403);
    }
    expect(await runs()).toEqual(before);
    expect(await eventCount()).toBe(2);
  });

  it("a user cannot update or delete a run (state, fallback, stop request), their own or another's", async () => {
    const before = await runs();
    for (const runId of [malloryRun, aliceRun]) {
      for (const change of [{ state: 'finished' }, { stop_requested_at: new Date().toISOString() }, { fallback: { settlement: { promptTokens: 0 } } }, { heartbeat_at: '2000-01-01T00:00:00Z' }]) {
        const response = await rest('PATCH', `ai_chat_reply_runs?id=eq.${runId}`, change);
        expect(response.status, JSON.stringify(change)).toBe(403);
      }
      expect((await rest('DELETE', `ai_chat_reply_runs?id=eq.${runId}`)).status).toBe(403);
      expect((await rest('DELETE', `ai_chat_reply_events?run_id=eq.${runId}`)).status).toBe(403);
    }
    expect(await runs()).toEqual(before);
    expect(await eventCount()).toBe(2);
  });

  it("a user cannot call the server's reply functions: no stop, read, checkpoint, start or sweep for anyone", async () => {
    const before = await runs();
    const calls: [string, Record<string, unknown>][] = [
      ['ai_chat_reply_request_stop', { p_user_id: alice, p_id: aliceRun }],
      ['ai_chat_reply_request_stop', { p_user_id: mallory, p_id: malloryRun }],
      ['ai_chat_reply_read', { p_user_id: alice, p_id: aliceRun, p_after_seq: -1 }],
      ['ai_chat_reply_generating', { p_user_id: alice, p_conversation_id: aliceConversation }],
      ['ai_chat_reply_tick', { p_checkpoints: [{ id: aliceRun, seq: 1, events: [{ type: 'text-delta', delta: 'x' }], fallback: null, ended: true }], p_live: [aliceRun] }],
      ['ai_chat_reply_start', { p_user_id: mallory, p_id: crypto.randomUUID(), p_conversation_id: malloryConversation, p_parent_id: null, p_provider: 'openai', p_model: 'gpt-4o', p_reservation_id: null }],
      ['ai_chat_reply_sweep', { p_stale_seconds: 0, p_id: null }],
    ];
    for (const [name, args] of calls) {
      const response = await rest('POST', `rpc/${name}`, args);
      expect(response.status, name).toBe(403);
      const anon = await rest('POST', `rpc/${name}`, args, null);
      expect(anon.ok, `${name} as anon`).toBe(false);
    }
    expect(await runs()).toEqual(before);
    expect(await eventCount()).toBe(2);
  });

  it('the anon key alone reads and writes nothing of the reply tables', async () => {
    for (const table of ['ai_chat_reply_runs', 'ai_chat_reply_events']) {
      const read = await rest('GET', table, undefined, null);
      expect(read.status, table).toBe(401);
    }
    const insert = await rest('POST', 'ai_chat_reply_runs', { id: crypto.randomUUID(), user_id: alice, conversation_id: aliceConversation, provider: 'openai', model: 'gpt-4o' }, null);
    expect(insert.status).toBe(401);
    expect(await runs()).toHaveLength(2);
  });

  it("the Supabase store's service client runs the reply functions for the user it names, and only theirs", async () => {
    const store = createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey });
    const replies = store.replies;
    const id = crypto.randomUUID();
    expect(await replies.start({ id, userId: alice, conversationId: aliceConversation, parentId: null, provider: 'openai', model: 'gpt-4o', reservationId: null, expectedLeafId: null, fallback: null })).toBe(true);
    // Not Mallory's conversation: no run for her there.
    expect(await replies.start({ id: crypto.randomUUID(), userId: mallory, conversationId: aliceConversation, parentId: null, provider: 'openai', model: 'gpt-4o', reservationId: null, expectedLeafId: null, fallback: null })).toBe(false);
    expect(await replies.tick([{ id, seq: 0, events: [{ type: 'text-delta', delta: 'Hello' }], fallback: null, ended: false }], [id])).toEqual([]);
    expect(await replies.requestStop(mallory, id)).toBeNull();
    expect(await replies.requestStop(alice, id)).toBe('generating');
    expect(await replies.tick([], [id, malloryRun])).toEqual([id]);
    expect(await replies.read(mallory, id, -1)).toBeNull();
    const snapshot = await replies.read(alice, id, -1);
    expect(snapshot).toMatchObject({ id, state: 'generating', chunks: [{ seq: 0, events: [{ type: 'text-delta', delta: 'Hello' }] }] });
    expect((await replies.generating(alice, aliceConversation)).map((run) => run.id).sort()).toEqual([aliceRun, id].sort());
    expect(await replies.generating(mallory, aliceConversation)).toEqual([]);
    expect(await replies.tick([{ id, seq: 1, events: [{ type: 'finish', messageId: id, finishReason: 'stop' }], fallback: null, ended: true }], [])).toEqual([]);
    expect((await replies.read(alice, id, 0))).toMatchObject({ state: 'finished', chunks: [{ seq: 1 }] });
    expect(await replies.requestStop(alice, id)).toBe('finished');
    expect(await replies.sweep(3600)).toEqual([]);
  });
});
