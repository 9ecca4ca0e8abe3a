import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { ChatError } from '@/features/ai-chat/protocol/errors';
import { attachmentBytesFor, type AttachmentBytes } from '@/features/ai-chat/store/attachments/attachment-bytes';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { fileForm, pdf, png } from '../support/attachment-fixtures';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { supabaseTestNetwork } from '../support/postgrest/supabase-network';

/**
 * Private files, as an attacker tries them: another user's file must not be listed, read (row,
 * storage object or bytes), deleted or attached to the attacker's message, and no row or storage
 * object may be planted, whether through the stores, straight in SQL as PostgREST runs it, or
 * straight at PostgREST and Storage with the anon key and the attacker's own JWT.
 */

const PROJECT_URL = 'https://files.supabase.test';
const BUCKET = 'ai-chat-attachments';
const server = supabaseTestNetwork();

type Role = 'anon' | 'authenticated' | 'service_role';

async function expectRefusal(promise: Promise<unknown>, code: ChatError['code'], mention?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChatError);
  expect((error as ChatError).code).toBe(code);
  if (mention) expect((error as ChatError).message).toContain(mention);
}

describe.each(databaseKinds())('private files on %s', (kind) => {
  let db: TestDatabase;
  let alice: string;
  let bob: string;
  let aliceStore: UserChatStore;
  let bytes: AttachmentBytes;
  let bobStore: UserChatStore;

  /** One statement as `userId` in `role`, rolled back: the outcome's rows or SQLSTATE. */
  async function as(userId: string | null, role: Role, text: string, params: unknown[] = []) {
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
  const asBob = (text: string, params?: unknown[]) => as(bob, 'authenticated', text, params);
  const asAlice = (text: string, params?: unknown[]) => as(alice, 'authenticated', text, params);

  async function conversationWithMessage(store: UserChatStore) {
    const conversation = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const message = await store.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'see attached' });
    return { conversationId: conversation.id, messageId: message.id };
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
    bytes = attachmentBytesFor('memory://');
    aliceStore = new PostgresUserStore(db.sql, alice, bytes);
    bobStore = new PostgresUserStore(db.sql, bob, bytes);
  });

  describe('through the store', () => {
    it("another user's file is not found, not readable, not removable and not attachable to my message", async () => {
      const file = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'secret.png', data: png(4, 4), width: 4, height: 4 });
      expect(await bobStore.attachments.get(file.id)).toBeNull();
      expect(await bobStore.attachments.read(file.id)).toBeNull();
      expect(await bobStore.attachments.remove(file.id)).toBe(false);
      const mine = await conversationWithMessage(bobStore);
      await expectRefusal(bobStore.attachments.attach([file.id], mine), 'bad_request', file.id);

      // Nothing of Alice's changed: still hers, unsent, bytes intact.
      expect(await aliceStore.attachments.get(file.id)).toMatchObject({ conversationId: null, messageId: null });
      expect(await aliceStore.attachments.read(file.id)).toEqual(png(4, 4));
    });

    it('one foreign file among mine binds none of them', async () => {
      const theirs = await aliceStore.attachments.create({ mediaType: 'application/pdf', name: 'a.pdf', data: pdf(1), pages: 1 });
      const ours = await bobStore.attachments.create({ mediaType: 'application/pdf', name: 'b.pdf', data: pdf(1), pages: 1 });
      const target = await conversationWithMessage(bobStore);
      await expectRefusal(bobStore.attachments.attach([ours.id, theirs.id], target), 'bad_request', theirs.id);
      expect(await bobStore.attachments.get(ours.id)).toMatchObject({ messageId: null });
    });

    it("my file cannot be attached to another user's message, nor moved from one of my conversations to another", async () => {
      const file = await bobStore.attachments.create({ mediaType: 'image/png', name: 'b.png', data: png(2, 2), width: 2, height: 2 });
      const aliceTarget = await conversationWithMessage(aliceStore);
      await expectRefusal(bobStore.attachments.attach([file.id], aliceTarget), 'not_found');

      const first = await conversationWithMessage(bobStore);
      expect(await bobStore.attachments.attach([file.id], first)).toMatchObject([{ id: file.id, ...first }]);
      // Sent again in the same conversation (an edit): fine, still bound to the first message.
      const again = await bobStore.appendMessage({ conversationId: first.conversationId, parentId: null, role: 'user', content: 'edited' });
      expect(await bobStore.attachments.attach([file.id], { conversationId: first.conversationId, messageId: again.id })).toMatchObject([
        { id: file.id, messageId: first.messageId },
      ]);
      const second = await conversationWithMessage(bobStore);
      await expectRefusal(bobStore.attachments.attach([file.id], second), 'bad_request', file.id);
    });

    it('deleting a conversation deletes its files, rows and storage objects and bytes, and nobody else\'s', async () => {
      const sent = await bobStore.attachments.create({ mediaType: 'image/png', name: 's.png', data: png(3, 3), width: 3, height: 3 });
      const draft = await bobStore.attachments.create({ mediaType: 'image/png', name: 'd.png', data: png(3, 3), width: 3, height: 3 });
      const alices = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'a.png', data: png(3, 3), width: 3, height: 3 });
      const target = await conversationWithMessage(bobStore);
      await bobStore.attachments.attach([sent.id], target);

      expect(await bobStore.deleteConversation(target.conversationId)).toBe(true);
      expect(await bobStore.attachments.get(sent.id)).toBeNull();
      expect(await db.admin(`select name from storage.objects order by name`)).toEqual(
        [`${bob}/${draft.id}`, `${alice}/${alices.id}`].sort().map((name) => ({ name })),
      );
      // The bytes are gone even for a reader that skips the row checks.
      expect(await bytes.get(`${bob}/${sent.id}`)).toBeNull();
      expect(await bytes.get(`${bob}/${draft.id}`)).not.toBeNull();
      expect(await bobStore.attachments.read(draft.id)).not.toBeNull();
      expect(await aliceStore.attachments.read(alices.id)).not.toBeNull();
    });
  });

  describe('straight in SQL, as PostgREST and Storage run a request', () => {
    let file: { id: string; path: string };

    beforeEach(async () => {
      const created = await aliceStore.attachments.create({ mediaType: 'image/png', name: 'p.png', data: png(2, 2), width: 2, height: 2 });
      file = { id: created.id, path: `${alice}/${created.id}` };
    });

    it("another user's rows and storage objects are not listed, not deletable, not movable", async () => {
      expect((await asBob(`select id from public.ai_chat_attachments`)).rows).toEqual([]);
      expect((await asBob(`select name from storage.objects`)).rows).toEqual([]);
      expect((await asBob(`delete from public.ai_chat_attachments where id = $1 returning id`, [file.id])).rows).toEqual([]);
      expect((await asBob(`delete from storage.objects where name = $1 returning name`, [file.path])).rows).toEqual([]);
      expect((await asBob(`update storage.objects set name = $1 where name = $2 returning name`, [`${bob}/x`, file.path])).rows).toEqual([]);
      // The owner sees both.
      expect((await asAlice(`select id from public.ai_chat_attachments`)).rows).toEqual([{ id: file.id }]);
      expect((await asAlice(`select name from storage.objects`)).rows).toEqual([{ name: file.path }]);
    });

    it("nobody plants an object in another user's folder, nor outside the bucket", async () => {
      const planted = await asBob(`insert into storage.objects (bucket_id, name) values ($1, $2)`, [BUCKET, `${alice}/planted`]);
      expect(planted.errorCode).toBe('42501');
      expect((await asBob(`insert into storage.objects (bucket_id, name) values ($1, $2)`, [BUCKET, 'planted'])).errorCode).toBe('42501');
      expect((await asBob(`insert into storage.buckets (id, name, public) values ('mine', 'mine', true)`)).errorCode).toBe('42501');
      expect((await as(null, 'anon', `insert into storage.objects (bucket_id, name) values ($1, $2)`, [BUCKET, `${alice}/x`])).errorCode).toBe('42501');
      expect((await as(null, 'anon', `select name from storage.objects`)).rows).toEqual([]);
    });

    it('a user writes no attachment row, not even their own, and calls neither server function', async () => {
      const insert = await asAlice(
        `insert into public.ai_chat_attachments (user_id, media_type, name, size_bytes, storage_path) values ($1, 'image/png', 'x', 1, $2)`,
        [alice, `${alice}/x`],
      );
      expect(insert.errorCode).toBe('42501');
      expect((await asAlice(`update public.ai_chat_attachments set media_type = 'application/pdf' where id = $1`, [file.id])).errorCode).toBe('42501');
      const create = await asAlice(
        `select * from public.ai_chat_create_attachment($1, gen_random_uuid(), 'image/png', 'x', 1)`,
        [alice],
      );
      expect(create.errorCode).toBe('42501');
      const target = await conversationWithMessage(aliceStore);
      const attach = await asAlice(`select * from public.ai_chat_attach_files($1, array[$2::uuid], $3, $4)`, [
        alice,
        file.id,
        target.conversationId,
        target.messageId,
      ]);
      expect(attach.errorCode).toBe('42501');
      expect((await as(null, 'anon', `select id from public.ai_chat_attachments`)).errorCode).toBe('42501');
    });

    it('a file sent with a message is not deletable row by row, even by its owner', async () => {
      const target = await conversationWithMessage(aliceStore);
      await aliceStore.attachments.attach([file.id], target);
      expect((await asAlice(`delete from public.ai_chat_attachments where id = $1 returning id`, [file.id])).rows).toEqual([]);
      expect(await aliceStore.attachments.remove(file.id)).toBe(false);
    });
  });

  describe('in Supabase mode, straight at PostgREST and Storage', () => {
    let project: FakeSupabaseProject;
    let malloryToken: string;

    beforeAll(async () => {
      project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
      server.use(...project.handlers);
    });
    afterAll(() => {
      server.resetHandlers();
    });
    beforeEach(() => {
      malloryToken = project.signIn(bob).accessToken;
      project.storage.files.clear();
    });

    const headers = (token: string | null) => ({
      apikey: project.anonKey,
      authorization: `Bearer ${token ?? project.anonKey}`,
    });
    const rest = (method: string, path: string, body: unknown, token: string | null) =>
      fetch(`${PROJECT_URL}/rest/v1/${path}`, {
        method,
        headers: { ...headers(token), 'content-type': 'application/json', prefer: 'return=representation' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const storage = (method: string, path: string, body: BodyInit | undefined, token: string | null, contentType = 'image/png') =>
      fetch(`${PROJECT_URL}/storage/v1/object/${path}`, { method, headers: { ...headers(token), 'content-type': contentType }, body });

    async function supabaseStoreFor(userId: string) {
      const chatStore = createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey });
      const user = await chatStore.forRequest(new Request('http://localhost/', { headers: { cookie: project.signIn(userId).cookie } }));
      return user!;
    }

    it('through the handler: an upload is stored in my folder, read back by a 302 to a 60 s signed URL; to anyone else, 404', async () => {
      const handler = createChatHandler({
        store: createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey }),
        providers: {},
      });
      const as = (userId: string, path: string, init: RequestInit = {}) =>
        handler.route(new Request(`http://localhost/api/chat/attachments${path}`, { ...init, headers: { cookie: project.signIn(userId).cookie } }));

      const uploaded = await as(alice, '', { method: 'POST', body: fileForm(png(9, 7), 'board.png') });
      expect(uploaded.status).toBe(201);
      const { attachment } = (await uploaded.json()) as { attachment: { id: string } };
      expect(project.storage.files.get(`${BUCKET}/${alice}/${attachment.id}`)?.contentType).toBe('image/png');

      const read = await as(alice, `/${attachment.id}`);
      expect(read.status).toBe(302);
      const location = read.headers.get('location')!;
      const token = new URL(location).searchParams.get('token')!;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
      expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(60);
      expect(new Uint8Array(await (await fetch(location)).arrayBuffer())).toEqual(png(9, 7));

      expect((await as(bob, `/${attachment.id}`)).status).toBe(404);
      expect((await as(bob, `/${attachment.id}`, { method: 'DELETE' })).status).toBe(404);
      expect((await as(alice, `/${attachment.id}`, { method: 'DELETE' })).status).toBe(204);
      expect(project.storage.files.size).toBe(0);
    });

    it('the anon key alone writes no row and uploads no object', async () => {
      const row = await rest('POST', 'ai_chat_attachments', { user_id: alice, media_type: 'image/png', name: 'x', size_bytes: 1, storage_path: `${alice}/x` }, null);
      expect(row.status).toBe(401);
      const object = await storage('POST', `${BUCKET}/${alice}/planted`, png(2, 2) as Uint8Array<ArrayBuffer>, null);
      expect(object.ok).toBe(false);
      expect((await object.json()).statusCode).toBe('403');
      expect(await db.admin('select count(*)::int as n from storage.objects')).toEqual([{ n: 0 }]);
    });

    it("a user's own JWT plants no row, calls no server function, and reaches no other user's object", async () => {
      const aliceFiles = await supabaseStoreFor(alice);
      const file = await aliceFiles.attachments.create({ mediaType: 'image/png', name: 'hers.png', data: png(6, 6), width: 6, height: 6 });
      const path = `${alice}/${file.id}`;

      const row = await rest('POST', 'ai_chat_attachments', { user_id: bob, media_type: 'image/png', name: 'x', size_bytes: 1, storage_path: `${bob}/x` }, malloryToken);
      expect(row.status).toBe(403);
      const created = await rest('POST', 'rpc/ai_chat_create_attachment', { p_user_id: bob, p_id: crypto.randomUUID(), p_media_type: 'image/png', p_name: 'x', p_size_bytes: 1 }, malloryToken);
      expect(created.status).toBe(403);
      const listed = await rest('GET', 'ai_chat_attachments?select=id', undefined, malloryToken);
      expect(await listed.json()).toEqual([]);
      const deleted = await rest('DELETE', `ai_chat_attachments?id=eq.${file.id}`, undefined, malloryToken);
      expect(await deleted.json()).toEqual([]);

      expect((await storage('GET', `${BUCKET}/${path}`, undefined, malloryToken)).ok).toBe(false);
      expect((await storage('POST', `sign/${BUCKET}/${path}`, JSON.stringify({ expiresIn: 60 }), malloryToken, 'application/json')).ok).toBe(false);
      const removed = await storage('DELETE', BUCKET, JSON.stringify({ prefixes: [path] }), malloryToken, 'application/json');
      expect(await removed.json()).toEqual([]);
      const overwrite = await storage('POST', `${BUCKET}/${alice}/${crypto.randomUUID()}`, png(1, 1) as Uint8Array<ArrayBuffer>, malloryToken);
      expect((await overwrite.json()).statusCode).toBe('403');

      expect(await aliceFiles.attachments.read(file.id)).toEqual(png(6, 6));
    });

    it('the Supabase store keeps files private end to end: signed URLs for the owner only, deleted with their conversation', async () => {
      const aliceFiles = await supabaseStoreFor(alice);
      const bobFiles = await supabaseStoreFor(bob);
      const file = await aliceFiles.attachments.create({ mediaType: 'image/png', name: 'hers.png', data: png(6, 6), width: 6, height: 6 });
      expect(await aliceFiles.attachments.get(file.id)).toMatchObject({ name: 'hers.png', mediaType: 'image/png', width: 6 });

      const signed = await aliceFiles.attachments.signedUrl(file.id, 60);
      expect(signed).toMatch(new RegExp(`^${PROJECT_URL}/storage/v1/object/sign/${BUCKET}/${alice}/${file.id}\\?token=`));
      expect(new Uint8Array(await (await fetch(signed!)).arrayBuffer())).toEqual(png(6, 6));

      expect(await bobFiles.attachments.get(file.id)).toBeNull();
      expect(await bobFiles.attachments.read(file.id)).toBeNull();
      expect(await bobFiles.attachments.signedUrl(file.id, 60)).toBeNull();
      expect(await bobFiles.attachments.remove(file.id)).toBe(false);
      const bobTarget = await conversationWithMessage(bobFiles);
      await expectRefusal(bobFiles.attachments.attach([file.id], bobTarget), 'bad_request', file.id);

      const target = await conversationWithMessage(aliceFiles);
      expect(await aliceFiles.attachments.attach([file.id], target)).toMatchObject([{ id: file.id, ...target }]);
      expect(await aliceFiles.attachments.remove(file.id)).toBe(false);
      const draft = await aliceFiles.attachments.create({ mediaType: 'application/pdf', name: 'd.pdf', data: pdf(2), pages: 2 });
      expect(await aliceFiles.attachments.remove(draft.id)).toBe(true);
      expect(project.storage.files.has(`${BUCKET}/${alice}/${draft.id}`)).toBe(false);

      expect(await aliceFiles.deleteConversation(target.conversationId)).toBe(true);
      expect(project.storage.files.size).toBe(0);
      expect(await db.admin('select count(*)::int as n from storage.objects')).toEqual([{ n: 0 }]);
      expect(await db.admin('select count(*)::int as n from public.ai_chat_attachments')).toEqual([{ n: 0 }]);
    });
  });
});
