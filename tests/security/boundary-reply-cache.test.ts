import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 10, finding 11: the reply cache never refilled an expired key (`on conflict do nothing`)
 * and never deleted an expired row, so one stale answer stuck for good and the table only grew.
 */
describe.each(databaseKinds())('the reply cache on %s', (kind) => {
  let db: TestDatabase;
  let store: UserChatStore;
  let userId: string;
  const reply = (content: string) => ({ provider: 'openai', model: 'gpt-4o', content });
  const expire = (key: string) => db.admin(`update public.ai_chat_response_cache set expires_at = now() - interval '1 second' where key = $1`, [key]);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    userId = await db.createUser();
    store = new PostgresUserStore(db.sql, userId);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('an expired key is refilled with the new reply', async () => {
    const key = '1'.repeat(64);
    await store.putCachedReply(key, reply('Old answer'), 60);
    await expire(key);
    await store.putCachedReply(key, reply('New answer'), 60);
    expect(await store.getCachedReply(key)).toEqual(reply('New answer'));
  });

  it('a live key keeps its reply: two turns with the same request cache the same answer', async () => {
    const key = '2'.repeat(64);
    await store.putCachedReply(key, reply('First'), 60);
    await store.putCachedReply(key, reply('Second'), 60);
    expect(await store.getCachedReply(key)).toEqual(reply('First'));
  });

  it('reading an expired key deletes it', async () => {
    const key = '3'.repeat(64);
    await store.putCachedReply(key, reply('Stale'), 60);
    await expire(key);
    expect(await store.getCachedReply(key)).toBeNull();
    expect(await db.admin('select count(*)::int as n from public.ai_chat_response_cache where key = $1', [key])).toEqual([{ n: 0 }]);
  });

  it("each write sweeps up to 100 expired rows, anyone's, oldest first", async () => {
    const other = await db.createUser();
    await db.admin(
      `insert into public.ai_chat_response_cache (user_id, key, provider, model, content, expires_at)
       select $1, lpad(to_hex(n), 64, 'f'), 'openai', 'gpt-4o', 'expired', now() - make_interval(secs => n)
         from generate_series(1, 150) n`,
      [other],
    );
    const expired = async () =>
      ((await db.admin('select count(*)::int as n from public.ai_chat_response_cache where expires_at <= now()')) as [{ n: number }])[0].n;
    const start = await expired();
    expect(start).toBeGreaterThanOrEqual(150);
    await store.putCachedReply('4'.repeat(64), reply('Fresh'), 60);
    expect(await expired()).toBe(start - 100);
    await store.putCachedReply('5'.repeat(64), reply('Fresh'), 60);
    expect(await expired()).toBe(Math.max(0, start - 200));
    expect(await store.getCachedReply('4'.repeat(64))).toEqual(reply('Fresh'));
  });
});
