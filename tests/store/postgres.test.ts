import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import { createChatStoreFromEnv } from '@/features/ai-chat/store';
import { readMigrationFiles } from '@/features/ai-chat/store/embedded/migrations';
import { LOCAL_USER } from '@/features/ai-chat/store/local-user';
import { createPostgresChatStore, type PostgresChatStore, type PostgresChatStoreOptions } from '@/features/ai-chat/store/postgres/postgres-chat-store';
import { databaseUserId, USER_ID_NAMESPACE } from '@/features/ai-chat/store/user-id';
import { eventually } from '../support/chat-harness';
import { seedBranchedConversation, walkEveryMethod } from '../support/postgrest/walk-every-method';
import { createServerDatabase, SUPABASE_DIR, type TestDatabase } from '../support/test-databases';

/**
 * The Postgres store itself (createPostgresChatStore on node-postgres) on the local PostgreSQL 15:
 * who a request is, ids from other sign-ins, a connection killed under it, migrations raced.
 * The per-method contract and the RLS suites run on its transactions too (tests/store/embedded,
 * tests/db/rls, through tests/support/test-databases).
 */
const onServer = Boolean(process.env.TEST_DATABASE_URL);
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A session cookie an app's sign-in would have verified: token → user id. */
const sessions = new Map<string, string>();
const signedIn = (token?: string) =>
  new Request('http://localhost/api/chat', { headers: token ? { cookie: `session=${token}` } : {} });

describe.skipIf(!onServer)('the Postgres chat store on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let store: PostgresChatStore;
  let admin: pg.Client;
  const poolErrors: Error[] = [];
  const opened: PostgresChatStore[] = [];
  const drops: Array<() => Promise<void>> = [];

  const openStore = (options: PostgresChatStoreOptions) => {
    const created = createPostgresChatStore({ supabaseDir: SUPABASE_DIR, onPoolError: () => undefined, ...options });
    opened.push(created);
    return created;
  };

  beforeAll(async () => {
    database = await createServerDatabase({ migrated: true });
    store = openStore({
      connectionString: database.url,
      onPoolError: (error) => poolErrors.push(error),
      async authenticate(request) {
        const token = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
        const id = token ? sessions.get(token) : undefined;
        return id ? { id, email: `${id}@example.test` } : null;
      },
    });
    await store.ready();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await Promise.all(opened.map((each) => each.close()));
    await database?.drop();
    for (const drop of drops) await drop();
  });

  it('walks every UserChatStore method as the user, under RLS', async () => {
    const alice = await store.forUser(crypto.randomUUID(), { email: 'alice@example.test' });
    const testDb = { admin: async (text: string, params?: unknown[]) => (await admin.query(text, params)).rows } as TestDatabase;
    const seeded = await seedBranchedConversation(testDb, alice.userId);
    const walk = await walkEveryMethod(alice, seeded);

    expect(walk.listed.map((c) => c.id)).toContain(seeded.conversationId);
    expect(walk.read).toMatchObject({ title: 'Contract', systemPrompt: 'Be brief.' });
    expect(walk.updated).toMatchObject({ title: 'Renamed', summary: 'So far: nothing.', titleSource: 'user' });
    expect([walk.modelTitleOverRename, walk.modelTitle]).toEqual([false, true]);
    expect(walk.toolsOffRead?.disabledMcpServers).toEqual(['mail']);
    expect(walk.listedArchived.map((c) => c.id)).toEqual([walk.created.id]);
    expect(walk.continued).toMatchObject({ id: walk.appended.id, content: 'Hello! And more.', status: 'complete' });
    expect(walk.appended).toMatchObject({ content: 'Hello!', status: 'partial', cost: '0.00125' });
    expect(walk.branch.map((m) => m.id)).toEqual([seeded.root, seeded.second]);
    expect(walk.branchThroughFirst.map((m) => m.id)).toEqual([seeded.root, seeded.first]);
    expect(walk.siblings).toEqual({ [seeded.second]: [seeded.first, seeded.second] });
    expect(walk.switchedTo).toBe(seeded.first);
    expect(walk.cached).toEqual({ provider: 'openai', model: 'gpt-4o', content: 'Cached answer.' });
    expect(walk.cacheMiss).toBeNull();
    expect(walk.summary.tokensToday).toBe(180);
    expect(walk.deleted).toBe(true);
    expect(walk.readAfterDelete).toBeNull();

    const stranger = await store.forUser(crypto.randomUUID());
    expect(await stranger.getConversation(seeded.conversationId)).toBeNull();
    expect(await stranger.listMessages(seeded.conversationId)).toEqual([]);
  });

  it("opens the user of a verified session, and nobody for a request without one", async () => {
    const id = crypto.randomUUID();
    sessions.set('tok-alice', id);
    expect((await store.forRequest(signedIn('tok-alice')))?.userId).toBe(id);
    expect(await store.forRequest(signedIn())).toBeNull();
    expect(await store.forRequest(signedIn('tok-forged'))).toBeNull();
    // On plain PostgreSQL the shim's auth.users gets the row Supabase Auth would have had.
    expect((await admin.query('select email from auth.users where id = $1', [id])).rows).toEqual([{ email: `${id}@example.test` }]);
  });

  it('without authenticate or the local user, refuses with not_configured saying to pass authenticate', async () => {
    const bare = openStore({ connectionString: database.url });
    const refusal = bare.forRequest(signedIn('tok-alice'));
    await expect(refusal).rejects.toMatchObject({ code: 'not_configured', status: 503 });
    await expect(refusal).rejects.toThrow(/authenticate/);
    await expect(refusal).rejects.toThrow(/AI_CHAT_AUTH=local-user/);
  });

  it('with localUser, serves every request as the one local user', async () => {
    const local = openStore({ connectionString: database.url, localUser: true });
    expect((await local.forRequest(signedIn()))?.userId).toBe(LOCAL_USER.id);
  });

  it('is what DATABASE_URL picks: one local user with AI_CHAT_AUTH=local-user, else it asks for authenticate', async () => {
    const local = createChatStoreFromEnv(parseChatEnv({ DATABASE_URL: database.url, AI_CHAT_AUTH: 'local-user', AI_CHAT_DATA_DIR: 'memory://' }));
    const anonymous = createChatStoreFromEnv(parseChatEnv({ DATABASE_URL: database.url }));
    opened.push(local as PostgresChatStore, anonymous as PostgresChatStore);
    expect((await local.forRequest(signedIn()))?.userId).toBe(LOCAL_USER.id);
    await expect(anonymous.forRequest(signedIn())).rejects.toMatchObject({ code: 'not_configured', message: expect.stringContaining('authenticate') });
  });

  it('maps a Clerk-style id to one stable UUID v5, and two ids never share rows', async () => {
    const clerk = 'user_2pQd8kK3mZ0vXbN1aLwE7rTgYh';
    const other = 'user_2pQd8kK3mZ0vXbN1aLwE7rTgYi';
    const first = await store.forUser(clerk, { email: 'clerk@example.test' });
    const again = await store.forUser(clerk);
    const second = await store.forUser(other);

    expect(first.userId).toMatch(UUID_V5);
    expect(first.userId).toBe(databaseUserId(clerk));
    expect(again.userId).toBe(first.userId);
    expect(second.userId).not.toBe(first.userId);
    // The documented mapping: RFC 9562 v5 in the module's namespace, so an app can compute it too.
    expect(USER_ID_NAMESPACE).toBe('5d1a2f0e-7c3b-5e4a-9b61-2f8d4c0a7e93');
    expect(databaseUserId('user_2abc')).toBe(databaseUserId('user_2abc'));
    const uuid = crypto.randomUUID();
    expect(databaseUserId(uuid.toUpperCase())).toBe(uuid);

    const mine = await first.createConversation({ title: 'Clerk user', provider: 'openai', model: 'gpt-4o' });
    expect((await again.listConversations()).map((c) => c.id)).toContain(mine.id);
    expect(await second.getConversation(mine.id)).toBeNull();
    expect((await second.listConversations()).map((c) => c.id)).not.toContain(mine.id);
  });

  it('survives a killed connection: no crash, and the next request works', async () => {
    const user = await store.forUser(crypto.randomUUID());
    // Fill the pool with a few connections, then kill every one of them (a restart, a pooler
    // recycling its servers), idle in the pool.
    await Promise.all([user.listConversations(), user.getUsageSummary(), user.listConversations()]);
    const killed = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity, pg_terminate_backend(pid)
        where datname = current_database() and application_name = 'ai-chat' and pid <> pg_backend_pid()`,
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    const killedPids = killed.rows.map((row) => row.pid);

    // At once, before the pool may have heard: a dead connection handed out is retried on a new one.
    const conversation = await user.createConversation({ provider: 'openai', model: 'gpt-4o' });
    expect((await user.listConversations()).map((c) => c.id)).toContain(conversation.id);
    // And once the server has closed every killed backend (whether the pool heard of one as an idle
    // error or handed it out and retried, which depends on timing), the next request works too.
    await eventually(async () => {
      const alive = await admin.query('select 1 from pg_stat_activity where pid = any($1)', [killedPids]);
      expect(alive.rowCount).toBe(0);
    });
    expect(await user.getConversation(conversation.id)).toMatchObject({ id: conversation.id });
    // Only the dropped connections are reported: the server's goodbye, or the write that found the socket closed.
    expect(poolErrors.every((error) => /terminat|EPIPE/i.test(error.message))).toBe(true);
  });

  it('applies its migrations once, whether twice in a row or by two stores starting together', async () => {
    const empty = await createServerDatabase({ migrated: false });
    drops.push(empty.drop);
    const a = openStore({ connectionString: empty.url, migrate: true });
    const b = openStore({ connectionString: empty.url, migrate: true });
    const [first, second] = await Promise.all([a.ready(), b.ready()]);

    const files = (await readMigrationFiles(SUPABASE_DIR)).map((file) => file.name);
    // One of them did it all under the lock; the other found it done. Never half each, never twice.
    expect([first.applied, second.applied].sort((x, y) => y.length - x.length)).toEqual([files, []]);
    expect(first.supabase).toBe(false);
    expect(files).toContain('local/auth.sql');

    const third = openStore({ connectionString: empty.url, migrate: true });
    expect((await third.ready()).applied).toEqual([]);
    const user = await third.forUser('auth0|65f1c2d3e4');
    expect(await user.createConversation({ provider: 'openai', model: 'gpt-4o' })).toMatchObject({ title: 'New chat' });
  });

  it('refuses a database without its tables, saying how to migrate', async () => {
    const empty = await createServerDatabase({ migrated: false });
    drops.push(empty.drop);
    const unmigrated = openStore({ connectionString: empty.url });
    const refusal = unmigrated.forUser(crypto.randomUUID());
    await expect(refusal).rejects.toMatchObject({ code: 'not_configured' });
    await expect(refusal).rejects.toThrow(/AI_CHAT_DATABASE_MIGRATE=1.*supabase db push|supabase db push.*AI_CHAT_DATABASE_MIGRATE=1/);
  });

  it("on a Supabase project's database, never writes auth.users (Supabase Auth owns it)", async () => {
    const onSupabase = openStore({ connectionString: database.url, supabase: true });
    const id = crypto.randomUUID();
    await onSupabase.forUser(id, { email: 'someone@example.test' });
    expect((await admin.query('select 1 from auth.users where id = $1', [id])).rows).toEqual([]);
  });
});
