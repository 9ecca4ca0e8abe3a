import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatError } from '@/features/ai-chat/protocol/errors';
import { createEmbeddedChatStore, LOCAL_USER, type EmbeddedChatStore } from '@/features/ai-chat/store/embedded/embedded-chat-store';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds, openTestDatabase, SUPABASE_DIR, type TestDatabase } from '../support/test-databases';

/**
 * Every UserChatStore method, through the real SQL store: on PGlite (the embedded store) and,
 * when TEST_DATABASE_URL is set, on the local PostgreSQL server.
 */
describe.each(databaseKinds())('the SQL chat store on %s', (kind) => {
  let db: TestDatabase;
  let store: UserChatStore;
  let stranger: UserChatStore;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = new PostgresUserStore(db.sql, await db.createUser());
    stranger = new PostgresUserStore(db.sql, await db.createUser());
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates, lists newest first, reads, renames and deletes conversations', async () => {
    const first = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const second = await store.createConversation({
      title: 'Trip to Lisbon',
      systemPrompt: 'Be brief.',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
    expect(first.title).toBe('New chat');
    expect(second).toMatchObject({ title: 'Trip to Lisbon', systemPrompt: 'Be brief.', activeLeafId: null });

    const listed = await store.listConversations();
    expect(listed.map((c) => c.id).slice(0, 2)).toEqual([second.id, first.id]);
    const older = await store.listConversations({ before: second.lastMessageAt });
    expect(older.map((c) => c.id)).not.toContain(second.id);

    const renamed = await store.updateConversation(first.id, { title: 'Renamed' });
    expect(renamed?.title).toBe('Renamed');
    expect(Date.parse(renamed!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    expect(await store.getConversation(first.id)).toMatchObject({ title: 'Renamed' });

    expect(await store.deleteConversation(first.id)).toBe(true);
    expect(await store.getConversation(first.id)).toBeNull();
    expect(await store.deleteConversation(first.id)).toBe(false);
  });

  it("treats another user's conversation and a malformed id as not found", async () => {
    const mine = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    expect(await stranger.getConversation(mine.id)).toBeNull();
    expect(await stranger.updateConversation(mine.id, { title: 'x' })).toBeNull();
    expect(await stranger.deleteConversation(mine.id)).toBe(false);
    expect(await stranger.getActiveBranch(mine.id)).toEqual([]);
    expect(await store.getConversation('not-a-uuid')).toBeNull();
    await expect(
      stranger.appendMessage({ conversationId: mine.id, parentId: null, role: 'user', content: 'hi' }),
    ).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('appends messages, keeps the active leaf, and reads the active branch root first', async () => {
    const conversation = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const question = await store.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'user',
      content: 'What is 2 + 2?',
      tokens: 8,
    });
    const answer = await store.appendMessage({
      id: crypto.randomUUID(),
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: '4',
      status: 'partial',
      provider: 'openai',
      model: 'gpt-4o',
      tokens: 1,
      cost: '0.0000125',
      toolCalls: [{ id: 'call_1', name: 'calc', args: { expression: '2+2' } }],
      metadata: { finishReason: 'aborted' },
    });
    expect(answer).toMatchObject({
      parentId: question.id,
      status: 'partial',
      cost: '0.0000125',
      toolCalls: [{ id: 'call_1', name: 'calc', args: { expression: '2+2' } }],
      metadata: { finishReason: 'aborted' },
    });
    expect((await store.getConversation(conversation.id))?.activeLeafId).toBe(answer.id);
    expect((await store.getActiveBranch(conversation.id)).map((m) => m.content)).toEqual(['What is 2 + 2?', '4']);
    expect((await store.listMessages(conversation.id)).map((m) => m.id)).toEqual([question.id, answer.id]);
  });

  it('keeps two children of one parent as two branches and switches between them', async () => {
    const conversation = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const root = await store.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Name a colour' });
    const red = await store.appendMessage({ conversationId: conversation.id, parentId: root.id, role: 'assistant', content: 'Red' });
    const redFollowUp = await store.appendMessage({ conversationId: conversation.id, parentId: red.id, role: 'user', content: 'Why red?' });
    const blue = await store.appendMessage({ conversationId: conversation.id, parentId: root.id, role: 'assistant', content: 'Blue' });

    expect((await store.getActiveBranch(conversation.id)).map((m) => m.content)).toEqual(['Name a colour', 'Blue']);
    const all = await store.listMessages(conversation.id);
    expect(all.filter((m) => m.parentId === root.id).map((m) => m.content)).toEqual(['Red', 'Blue']);

    // Flipping back to the red sibling shows that branch as it was left: down to its newest leaf.
    expect(await store.switchBranch(conversation.id, red.id)).toBe(redFollowUp.id);
    expect((await store.getActiveBranch(conversation.id)).map((m) => m.content)).toEqual(['Name a colour', 'Red', 'Why red?']);
    expect(await store.switchBranch(conversation.id, blue.id)).toBe(blue.id);
    expect(await stranger.switchBranch(conversation.id, red.id)).toBeNull();
    expect((await store.getConversation(conversation.id))?.activeLeafId).toBe(blue.id);
    // Any branch can be read without switching to it: the history an edit or regenerate needs.
    expect((await store.getActiveBranch(conversation.id, redFollowUp.id)).map((m) => m.content)).toEqual([
      'Name a colour',
      'Red',
      'Why red?',
    ]);
    expect(await stranger.getActiveBranch(conversation.id, redFollowUp.id)).toEqual([]);
  });

  it('imports a whole tree in one call: fresh ids, parents by index, the chosen branch on show, in write order', async () => {
    const id = await store.importConversation({
      title: 'Imported (imported)',
      systemPrompt: null,
      summary: null,
      provider: 'openai',
      model: 'gpt-4o',
      messages: [
        { parentIndex: null, role: 'user', content: 'Q', tokens: 1 },
        { parentIndex: 0, role: 'assistant', content: 'A1', tokens: 1 },
        { parentIndex: 0, role: 'assistant', content: 'A2', tokens: 1, toolCalls: [{ id: 'c', name: 'f', args: {} }] },
      ],
      activeIndex: 1,
    });
    const branch = await store.getActiveBranch(id);
    expect(branch.map((m) => m.content)).toEqual(['Q', 'A1']);
    const all = await store.listMessages(id);
    expect(all.map((m) => m.content)).toEqual(['Q', 'A1', 'A2']);
    expect(all[2]!.toolCalls).toEqual([{ id: 'c', name: 'f', args: {} }]);
    const conversation = await store.getConversation(id);
    expect(conversation?.lastMessageAt).toBe(all[2]!.createdAt);
    // A parent must come before its child: a message cannot be its own parent, even in an import.
    await expect(
      store.importConversation({
        title: 'Bad',
        systemPrompt: null,
        summary: null,
        provider: 'openai',
        model: 'gpt-4o',
        messages: [{ parentIndex: 0, role: 'user', content: 'own parent' }],
        activeIndex: null,
      }),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('refuses a parent from another conversation', async () => {
    const a = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const b = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const inA = await store.appendMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'a' });
    const attempt = store.appendMessage({ conversationId: b.id, parentId: inA.id, role: 'user', content: 'b' });
    await expect(attempt).rejects.toBeInstanceOf(ChatError);
    await expect(attempt).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reserves, settles and records usage, and sums it exactly', async () => {
    const user = new PostgresUserStore(db.sql, await db.createUser());
    const reservation = await user.reserveUsage({
      provider: 'openai',
      model: 'gpt-4o',
      estimatedTokens: 500,
      estimatedCost: '0.005',
      maxTokensPerDay: 10_000,
    });
    expect(reservation).toMatchObject({ allowed: true, tokensToday: 0, costThisMonth: '0' });
    if (!reservation.allowed) throw new Error('unreachable');
    await user.settleUsage(reservation.reservationId, {
      provider: 'openai',
      model: 'gpt-4o',
      promptTokens: 100,
      completionTokens: 200,
      cachedPromptTokens: 50,
      cost: '0.1',
    });
    await user.recordUsage({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 20, cost: '0.2' });
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; the store keeps decimals exact.
    expect(await user.getUsageSummary()).toEqual({
      tokensToday: 330,
      costToday: '0.3',
      tokensThisMonth: 330,
      costThisMonth: '0.3',
      requestsThisMonth: 2,
      tokensInProgress: 0,
      costInProgress: '0',
    });
  });

  it('caches a reply per user until it expires, keeping the first entry under a key', async () => {
    const key = 'f'.repeat(64);
    await store.putCachedReply(key, { provider: 'openai', model: 'gpt-4o', content: 'first' }, 60);
    await store.putCachedReply(key, { provider: 'openai', model: 'gpt-4o', content: 'second' }, 60);
    expect(await store.getCachedReply(key)).toEqual({ provider: 'openai', model: 'gpt-4o', content: 'first' });
    expect(await stranger.getCachedReply(key)).toBeNull();
    await db.admin(`update public.ai_chat_response_cache set expires_at = now() - interval '1 second' where key = $1`, [key]);
    expect(await store.getCachedReply(key)).toBeNull();
  });

  it('refuses a reservation over the daily token limit and says when to retry', async () => {
    const user = new PostgresUserStore(db.sql, await db.createUser());
    await user.recordUsage({ provider: 'openai', model: 'gpt-4o', promptTokens: 900, completionTokens: 50, cost: '0.01' });
    const refused = await user.reserveUsage({
      provider: 'openai',
      model: 'gpt-4o',
      estimatedTokens: 100,
      estimatedCost: '0.001',
      maxTokensPerDay: 1000,
    });
    expect(refused).toMatchObject({ allowed: false, reason: 'tokens_per_day', tokensToday: 950 });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(86_400);
  });
});

describe('the embedded store', () => {
  let dataDir: string;
  let open: EmbeddedChatStore[] = [];

  const openStore = () => {
    const store = createEmbeddedChatStore({ dataDir, supabaseDir: SUPABASE_DIR });
    open.push(store);
    return store;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ai-chat-embedded-'));
    // The first open of an empty folder runs initdb and every migration: the store's real first
    // start (the other suites start from the global setup's snapshot). Done here, under the hook
    // timeout, so a crowded machine's slow initdb is not charged to the first test's 30 s.
    const first = createEmbeddedChatStore({ dataDir, supabaseDir: SUPABASE_DIR });
    await first.database();
    await first.close();
  });
  afterEach(async () => {
    await Promise.all(open.map((store) => store.close()));
    open = [];
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every request as the one local user', async () => {
    const user = await openStore().forRequest(new Request('http://localhost/api/chat'));
    expect(user?.userId).toBe(LOCAL_USER.id);
  });

  it('keeps conversations across a close and reopen of the data folder', async () => {
    const first = openStore();
    const user = (await first.forRequest(new Request('http://localhost/')))!;
    const conversation = await user.createConversation({ title: 'Remember me', provider: 'openai', model: 'gpt-4o' });
    await user.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'still here?' });
    await first.close();

    const reopened = (await openStore().forRequest(new Request('http://localhost/')))!;
    expect((await reopened.getConversation(conversation.id))?.title).toBe('Remember me');
    expect((await reopened.getActiveBranch(conversation.id)).map((m) => m.content)).toEqual(['still here?']);
  });

  it('runs on a PGlite it is given, migrated like its own, and leaves it open on close', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const given = await PGlite.create();
    try {
      const store = createEmbeddedChatStore({ dataDir, supabaseDir: SUPABASE_DIR, pglite: given });
      const user = (await store.forRequest(new Request('http://localhost/')))!;
      await user.createConversation({ title: 'On your database', provider: 'openai', model: 'gpt-4o' });
      await store.close();
      const { rows } = await given.query(`select title from public.ai_chat_conversations`);
      expect(rows).toEqual([{ title: 'On your database' }]);
    } finally {
      await given.close();
    }
  });

  it('applies the migrations once and refuses a migration edited after it was applied', async () => {
    const store = openStore();
    const db = await store.database();
    const applied = await db.query<{ name: string }>('select name from ai_chat_local.applied_migrations order by name');
    // Every *_ai_chat* migration, in name order, after the auth shim.
    expect(applied.rows.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        '20261207000000_ai_chat.sql',
        'local/auth.sql',
        'local/storage.sql',
      ]),
    );
    await db.query(`update ai_chat_local.applied_migrations set checksum = 'edited' where name not like 'local/%'`);
    await store.close();

    const reopened = openStore();
    await expect(reopened.forRequest(new Request('http://localhost/'))).rejects.toMatchObject({ code: 'not_configured' });
  });

  it('refuses a data folder made by migrations no longer shipped, and says to delete that folder', async () => {
    // A folder the seed's migrations made (before the squash into one baseline): its tables had no prefix.
    const oldSupabase = await mkdtemp(path.join(tmpdir(), 'ai-chat-old-supabase-'));
    const oldData = await mkdtemp(path.join(tmpdir(), 'ai-chat-old-data-'));
    try {
      await cp(path.join(SUPABASE_DIR, 'local'), path.join(oldSupabase, 'local'), { recursive: true });
      await mkdir(path.join(oldSupabase, 'migrations'));
      await writeFile(path.join(oldSupabase, 'migrations', '20261125000000_ai_chat.sql'), 'create table public.conversations (id uuid primary key);');
      const old = createEmbeddedChatStore({ dataDir: oldData, supabaseDir: oldSupabase });
      open.push(old);
      await old.forRequest(new Request('http://localhost/'));
      await old.close();

      const current = createEmbeddedChatStore({ dataDir: oldData, supabaseDir: SUPABASE_DIR });
      open.push(current);
      const refusal = await current.forRequest(new Request('http://localhost/')).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ChatError);
      expect(refusal).toMatchObject({ code: 'not_configured' });
      expect((refusal as ChatError).message).toContain('20261125000000_ai_chat.sql');
      expect((refusal as ChatError).message).toContain(`Delete the data folder ${path.resolve(oldData)}`);
      // Nothing of the new schema was written into the old folder.
      await current.close();
      const reread = createEmbeddedChatStore({ dataDir: oldData, supabaseDir: oldSupabase });
      open.push(reread);
      const db = await reread.database();
      expect((await db.query(`select to_regclass('public.ai_chat_conversations') as t`)).rows).toEqual([{ t: null }]);
    } finally {
      await Promise.all(open.map((store) => store.close()));
      open = [];
      await rm(oldSupabase, { recursive: true, force: true });
      await rm(oldData, { recursive: true, force: true });
    }
  });
});
