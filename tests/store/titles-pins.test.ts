import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 20: a model's title never replaces a rename or an imported title; a person pins and
 * archives their own chats only; the list heads with the pinned, pages past them, and keeps the
 * archived apart. On PGlite and, with TEST_DATABASE_URL, the local PostgreSQL 15.
 */
describe.each(databaseKinds())('titles, pins and the archive on %s', (kind) => {
  let db: TestDatabase;
  let alice: UserChatStore;
  let bob: UserChatStore;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    alice = new PostgresUserStore(db.sql, await db.createUser());
    bob = new PostgresUserStore(db.sql, await db.createUser());
  });
  afterAll(async () => {
    await db?.close();
  });

  const newChat = (store: UserChatStore, title = 'What is a monad') =>
    store.createConversation({ title, provider: 'openai', model: 'gpt-4o' });

  it("writes a model's title over the first-message title, once", async () => {
    const chat = await newChat(alice);
    expect(chat.titleSource).toBe('first-message');
    expect(await alice.setModelTitle(chat.id, 'Monads explained')).toBe(true);
    expect(await alice.getConversation(chat.id)).toMatchObject({ title: 'Monads explained', titleSource: 'model' });
    // A second model title (a retried after-turn) does not replace the first.
    expect(await alice.setModelTitle(chat.id, 'Something else')).toBe(false);
  });

  it('never overwrites a title the person renamed, even a moment before the model answers', async () => {
    const chat = await newChat(alice);
    expect(await alice.updateConversation(chat.id, { title: 'My monads' })).toMatchObject({ title: 'My monads', titleSource: 'user' });
    expect(await alice.setModelTitle(chat.id, 'Monads explained')).toBe(false);
    expect((await alice.getConversation(chat.id))?.title).toBe('My monads');
  });

  it('keeps the title of an imported chat', async () => {
    const id = await alice.importConversation({
      title: 'Old chat (imported)',
      systemPrompt: null,
      summary: null,
      provider: 'openai',
      model: 'gpt-4o',
      messages: [{ parentIndex: null, role: 'user', content: 'hello' }],
      activeIndex: 0,
    });
    expect((await alice.getConversation(id))?.titleSource).toBe('import');
    expect(await alice.setModelTitle(id, 'Greeting')).toBe(false);
    expect((await alice.getConversation(id))?.title).toBe('Old chat (imported)');
  });

  it("does not let another user set a title on, pin or archive my chat", async () => {
    const chat = await newChat(alice);
    expect(await bob.setModelTitle(chat.id, 'pwned')).toBe(false);
    expect(await bob.updateConversation(chat.id, { pinned: true })).toBeNull();
    expect(await bob.updateConversation(chat.id, { archived: true })).toBeNull();
    expect(await alice.getConversation(chat.id)).toMatchObject({ title: 'What is a monad', pinnedAt: null, archivedAt: null });
  });

  it('a user cannot write title_source, pinned_at or archived_at of another through SQL either', async () => {
    const chat = await newChat(alice);
    const asBob = `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`;
    const claims = JSON.stringify({ sub: bob.userId, role: 'authenticated' });
    for (const assignment of [`pinned_at = now()`, `archived_at = now()`]) {
      const rows = await db.sql.transaction(async (tx) => {
        await tx.query(asBob, [claims]);
        return (await tx.query(`update public.ai_chat_conversations set ${assignment} where id = $1 returning id`, [chat.id])).rows;
      });
      expect(rows, assignment).toEqual([]);
    }
    // title_source is the server's: no grant, not even on one's own chat.
    const own = await newChat(bob);
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query(asBob, [claims]);
        await tx.query(`update public.ai_chat_conversations set title_source = 'model' where id = $1`, [own.id]);
      }),
    ).rejects.toThrow(/permission denied/);
  });

  it('lists the pinned first, pages past them, and keeps archived chats in their own view', async () => {
    const carol = new PostgresUserStore(db.sql, await db.createUser());
    const chats = [];
    for (let index = 0; index < 5; index += 1) chats.push(await newChat(carol, `Chat ${index}`));
    // Oldest first: chats[0] is the oldest, a second apart.
    for (const [index, chat] of chats.entries()) {
      await db.admin(`update public.ai_chat_conversations set last_message_at = now() - make_interval(secs => $2) where id = $1`, [chat.id, 10 - index]);
    }
    await carol.updateConversation(chats[0]!.id, { pinned: true });
    await carol.updateConversation(chats[2]!.id, { archived: true });

    const first = await carol.listConversations({ limit: 2 });
    expect(first.map((c) => c.title)).toEqual(['Chat 0', 'Chat 4']);
    expect(first[0]!.pinnedAt).not.toBeNull();
    const second = await carol.listConversations({ limit: 2, before: first.at(-1)!.lastMessageAt, beforeId: first.at(-1)!.id });
    expect(second.map((c) => c.title)).toEqual(['Chat 3', 'Chat 1']);
    const archived = await carol.listConversations({ archived: true });
    expect(archived.map((c) => c.title)).toEqual(['Chat 2']);

    // Restored and unpinned: back in its place by date.
    await carol.updateConversation(chats[2]!.id, { archived: false });
    await carol.updateConversation(chats[0]!.id, { pinned: false });
    expect((await carol.listConversations()).map((c) => c.title)).toEqual(['Chat 4', 'Chat 3', 'Chat 2', 'Chat 1', 'Chat 0']);
    expect(await carol.listConversations({ archived: true })).toEqual([]);
  });

  it('pages through chats with one time, or times a microsecond apart, skipping none and repeating none', async () => {
    // The cursor is the last chat shown, as the browser holds it (a Date: milliseconds). Chats
    // made within one millisecond, or at the very same time (one import), used to fall between
    // two pages: the second page asked for what was strictly older than the first's last time.
    const dave = new PostgresUserStore(db.sql, await db.createUser());
    const chats = [];
    for (let index = 0; index < 7; index += 1) chats.push(await newChat(dave, `Tied ${index}`));
    const offsets = [0, 0, 0, 0.000001, 0.000002, 0.000002, 0.5];
    for (const [index, chat] of chats.entries()) {
      await db.admin(
        `update public.ai_chat_conversations set last_message_at = timestamptz '2026-12-01 12:00:00.123Z' - make_interval(secs => $2) where id = $1`,
        [chat.id, offsets[index]],
      );
    }
    const seen: string[] = [];
    let page = await dave.listConversations({ limit: 2 });
    while (page.length > 0) {
      seen.push(...page.map((chat) => chat.title));
      const last = page.at(-1)!;
      page = await dave.listConversations({ limit: 2, before: last.lastMessageAt, beforeId: last.id });
    }
    expect([...seen].sort()).toEqual(chats.map((chat) => chat.title).sort());
    expect(seen).toHaveLength(7);
  });
});
