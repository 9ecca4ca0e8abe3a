import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseBytes } from '@/features/ai-chat/store/attachments/database-bytes';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { createPostgresChatStore, type PostgresChatStore } from '@/features/ai-chat/store/postgres/postgres-chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { pdf, png } from '../support/attachment-fixtures';
import { createServerDatabase, databaseKinds, openTestDatabase, SUPABASE_DIR, type TestDatabase } from '../support/test-databases';

/**
 * Uploaded files' bytes in the database (public.ai_chat_attachment_bytes), the Postgres store's
 * default: readable by every server on the database, out of reach of users' own SQL, and gone
 * with the file's row.
 */
const onServer = Boolean(process.env.TEST_DATABASE_URL);

async function conversationWithMessage(store: UserChatStore) {
  const conversation = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
  const message = await store.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'see attached' });
  return { conversationId: conversation.id, messageId: message.id };
}

describe.skipIf(!onServer)('file bytes across Postgres store instances', () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: PostgresChatStore[] = [];
  // Two servers: each its own store, its own pool, nothing shared but the database.
  const instance = () => {
    const store = createPostgresChatStore({ connectionString: database.url, supabaseDir: SUPABASE_DIR, onPoolError: () => undefined });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    database = await createServerDatabase({ migrated: true });
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database?.drop();
  });

  it('a file uploaded through one Postgres store instance is read by another instance on the same database', async () => {
    const first = instance();
    const second = instance();
    const userId = crypto.randomUUID();
    const bytes = pdf(2);
    const uploaded = await (await first.forUser(userId)).attachments.create({ mediaType: 'application/pdf', name: 'report.pdf', data: bytes, pages: 2 });
    await first.close(); // the uploading server is gone: nothing of the file may depend on it

    const onSecond = await second.forUser(userId);
    const target = await conversationWithMessage(onSecond);
    expect(await onSecond.attachments.attach([uploaded.id], target)).toMatchObject([{ id: uploaded.id, ...target }]);
    expect(await onSecond.attachments.read(uploaded.id)).toEqual(bytes);
    // The bytes are in the database itself, not in some folder both instances happen to share.
    const stored = await second.pool.query(`select octet_length(data) as size from public.ai_chat_attachment_bytes where attachment_id = $1`, [uploaded.id]);
    expect(stored.rows).toEqual([{ size: bytes.byteLength }]);
    // And to nobody else, on either instance.
    expect(await (await second.forUser(crypto.randomUUID())).attachments.read(uploaded.id)).toBeNull();
  });
});

describe.each(databaseKinds())('file bytes in the database on %s', (kind) => {
  let db: TestDatabase;
  let alice: string;
  let bob: string;
  let aliceStore: UserChatStore;
  let bobStore: UserChatStore;

  const bytesRows = async () =>
    (await db.admin(`select attachment_id::text as id from public.ai_chat_attachment_bytes order by 1`)).map((row) => row.id);

  /** One statement as `role` with `userId`'s claims, rolled back: the outcome's rows or SQLSTATE. */
  async function as(userId: string | null, role: 'anon' | 'authenticated' | 'service_role', text: string, params: unknown[] = []) {
    const rollback = new Error('rollback');
    let outcome: { rows: Record<string, unknown>[]; errorCode?: string } = { rows: [] };
    await db.sql
      .transaction(async (tx) => {
        await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
          role,
          JSON.stringify(userId ? { sub: userId, role } : { role }),
        ]);
        try {
          outcome = { rows: (await tx.query<Record<string, unknown>>(text, params)).rows };
        } catch (error) {
          outcome = { rows: [], errorCode: (error as { code?: string }).code ?? 'unknown' };
        }
        throw rollback;
      })
      .catch((error) => {
        if (error !== rollback) throw error;
      });
    return outcome;
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.admin('truncate public.ai_chat_attachments, public.ai_chat_messages, public.ai_chat_conversations cascade');
    await db.admin('delete from storage.objects');
    alice = await db.createUser('alice@example.test');
    bob = await db.createUser('bob@example.test');
    aliceStore = new PostgresUserStore(db.sql, alice, databaseBytes(db.sql));
    bobStore = new PostgresUserStore(db.sql, bob, databaseBytes(db.sql));
  });

  it('the bytes cannot be read or written through the authenticated or anon role directly', async () => {
    const file = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'p.png', data: png(2, 2), width: 2, height: 2 });
    const statements: Array<[string, unknown[]]> = [
      [`select data from public.ai_chat_attachment_bytes`, []],
      [`select data from public.ai_chat_attachment_bytes where attachment_id = $1`, [file.id]],
      [`update public.ai_chat_attachment_bytes set data = '\\x00'::bytea where attachment_id = $1`, [file.id]],
      [`delete from public.ai_chat_attachment_bytes where attachment_id = $1`, [file.id]],
      [`insert into public.ai_chat_attachment_bytes (attachment_id, data) values ($1, '\\x00'::bytea)`, [crypto.randomUUID()]],
      [`truncate public.ai_chat_attachment_bytes`, []],
    ];
    // The owner herself, another user and anon: permission denied (no grant at all), for each.
    for (const [userId, role] of [[alice, 'authenticated'], [bob, 'authenticated'], [null, 'anon']] as const) {
      for (const [text, params] of statements) {
        expect({ role, userId, text, ...(await as(userId, role, text, params)) }).toMatchObject({ rows: [], errorCode: '42501' });
      }
    }
    // Not refused for want of a row: the server's role sees it, and the file reads whole.
    expect((await as(null, 'service_role', `select octet_length(data) as size from public.ai_chat_attachment_bytes`)).rows).toEqual([
      { size: png(2, 2).byteLength },
    ]);
    expect(await aliceStore.attachments.read(file.id)).toEqual(png(2, 2));
    expect(await bobStore.attachments.read(file.id)).toBeNull();
  });

  it("deleting the conversation deletes its files' bytes", async () => {
    const sent = await aliceStore.attachments.create({ mediaType: 'image/png', name: 's.png', data: png(3, 3), width: 3, height: 3 });
    const draft = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'd.png', data: png(3, 3), width: 3, height: 3 });
    const bobs = await bobStore.attachments.create({ mediaType: 'application/pdf', name: 'b.pdf', data: pdf(1), pages: 1 });
    const target = await conversationWithMessage(aliceStore);
    await aliceStore.attachments.attach([sent.id], target);
    expect(await bytesRows()).toEqual([sent.id, draft.id, bobs.id].sort());

    expect(await aliceStore.deleteConversation(target.conversationId)).toBe(true);
    // The sent file's bytes went with its row; the unsent draft and Bob's file stay, whole.
    expect(await bytesRows()).toEqual([draft.id, bobs.id].sort());
    expect(await aliceStore.attachments.read(draft.id)).toEqual(png(3, 3));
    expect(await bobStore.attachments.read(bobs.id)).toEqual(pdf(1));
  });

  it('removing a file before sending it deletes its bytes', async () => {
    const draft = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'd.png', data: png(2, 2), width: 2, height: 2 });
    expect(await aliceStore.attachments.remove(draft.id)).toBe(true);
    expect(await bytesRows()).toEqual([]);
    expect(await aliceStore.attachments.read(draft.id)).toBeNull();
  });

  it('an upload whose row is refused leaves no bytes behind', async () => {
    // The row's check refuses the type (the route never lets one through): row and bytes roll back together.
    const refused = aliceStore.attachments.create({ mediaType: 'text/html' as 'image/png', name: 'x.html', data: png(2, 2) });
    await expect(refused).rejects.toMatchObject({ code: 'bad_request' });
    expect(await bytesRows()).toEqual([]);
    expect(await db.admin(`select count(*)::int as n from public.ai_chat_attachments`)).toEqual([{ n: 0 }]);
  });
});
