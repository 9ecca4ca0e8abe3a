import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeAttachments } from '@/features/ai-chat/server/files/attachment-routes';
import { errorResponse } from '@/features/ai-chat/server/http/http';
import { createChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { resolveHandlerOptions, type ChatHandlerOptions } from '@/features/ai-chat/server/http/handler-options';
import { attachmentBytesFor, type AttachmentBytes } from '@/features/ai-chat/store/attachments/attachment-bytes';
import type { ChatStore, UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { fileForm, png } from '../support/attachment-fixtures';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { supabaseTestNetwork } from '../support/postgrest/supabase-network';

/**
 * Issue 19, finding 2, as an attacker tries it: one user filled the database with 60 × 5 MB in
 * 18 s. Uploads now fit a per-user storage quota decided by the database under the user's lock
 * (twenty sent at once cannot pass it together), count against requests per minute as chat turns
 * do, and a file never sent expires, on PGlite, PostgreSQL and through Supabase's PostgREST.
 */

const PROJECT_URL = 'https://uploads.supabase.test';
const BUCKET = 'ai-chat-attachments';
const server = supabaseTestNetwork();

const FILE = png(64, 64);
const SIZE = FILE.byteLength;

/** The upload as a browser sends it: the form's bytes, with their content type. */
async function uploadRequest(base = 'http://localhost/api/chat/attachments', headers: Record<string, string> = {}): Promise<Request> {
  const encoded = new Response(fileForm(FILE, 'shot.png'));
  const body = new Uint8Array(await encoded.arrayBuffer());
  return new Request(base, { method: 'POST', body, headers: { 'content-type': encoded.headers.get('content-type')!, ...headers } });
}

interface Answer {
  status: number;
  error?: { code: string; message: string; limit?: string; max?: number; used?: number };
}

async function answer(response: Response): Promise<Answer> {
  const body = (await response.json()) as { error?: Answer['error'] };
  return { status: response.status, error: body.error };
}

describe.each(databaseKinds())('upload limits on %s', (kind) => {
  let db: TestDatabase;
  let alice: string;
  let bytes: AttachmentBytes;
  let me: UserChatStore;

  const upload = async (options: Partial<ChatHandlerOptions>) =>
    answer(
      await routeAttachments(await uploadRequest(), me, resolveHandlerOptions({ store: {} as ChatStore, providers: {}, ...options }), []).catch((error: unknown) =>
        errorResponse(error),
      ),
    );
  const stored = async () =>
    (await db.admin(`select count(*)::int as files, coalesce(sum(size_bytes), 0)::int as bytes from public.ai_chat_attachments where user_id = $1`, [alice]))[0] as {
      files: number;
      bytes: number;
    };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.admin('truncate public.ai_chat_attachments, public.ai_chat_messages, public.ai_chat_conversations, public.ai_chat_usage cascade');
    await db.admin('delete from storage.objects');
    alice = await db.createUser();
    bytes = attachmentBytesFor('memory://');
    me = new PostgresUserStore(db.sql, alice, bytes);
  });

  it('twenty uploads at once against a five-file quota: exactly the quota is stored, the other fifteen are 413 naming it', async () => {
    const quota = 5 * SIZE;
    const answers = await Promise.all(Array.from({ length: 20 }, () => upload({ attachments: { maxStorageBytesPerUser: quota } })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(15);
    for (const refusal of refused) {
      expect(refusal.status).toBe(413);
      expect(refusal.error).toMatchObject({ code: 'payload_too_large', limit: 'maxStorageBytes', max: quota, used: quota });
      expect(refusal.error!.message).toMatch(/storage quota/);
    }
    expect(await stored()).toEqual({ files: 5, bytes: quota });
    const objects = await db.admin(`select count(*)::int as n from storage.objects where (storage.foldername(name))[1] = $1`, [alice]);
    expect(objects[0]!.n).toBe(5);
  });

  it('uploads count against requests per minute, removed ones too, and a chat turn after them is refused by the same limit', async () => {
    const limits = { maxRequestsPerMinute: 3 };
    expect((await upload({ limits })).status).toBe(201);
    expect((await upload({ limits })).status).toBe(201);
    // Uploaded and removed at once: still a request of this minute.
    expect((await upload({ limits })).status).toBe(201);
    const [last] = (await db.admin(`select id from public.ai_chat_attachments order by created_at desc limit 1`)) as { id: string }[];
    expect(await me.attachments.remove(last!.id)).toBe(true);
    const fourth = await upload({ limits });
    expect(fourth.status).toBe(429);
    expect(fourth.error).toMatchObject({ code: 'usage_limit', limit: 'requests_per_minute', retryable: true });
    expect(await stored()).toMatchObject({ files: 2 });

    const turn = await me.reserveUsage({ provider: 'openai', model: 'gpt-4o', estimatedTokens: 10, estimatedCost: '0', maxRequestsPerMinute: 3 });
    expect(turn).toMatchObject({ allowed: false, reason: 'requests_per_minute' });
  });

  it('an unsent file past its age is gone after the next upload, bytes and all, and frees its quota; a sent one stays', async () => {
    const options = { attachments: { maxStorageBytesPerUser: 2 * SIZE, unsentFileMaxAgeSeconds: 3600 } };
    expect((await upload(options)).status).toBe(201);
    expect((await upload(options)).status).toBe(201);
    const [draft, sent] = (await db.admin(`select id, storage_path from public.ai_chat_attachments order by created_at, id`)) as { id: string; storage_path: string }[];
    const conversation = await me.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const message = await me.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'see attached' });
    await me.attachments.attach([sent!.id], { conversationId: conversation.id, messageId: message.id });
    expect((await upload(options)).status).toBe(413);

    // Backdated past the age instead of waiting: both are two hours old.
    await db.admin(`update public.ai_chat_attachments set created_at = now() - interval '2 hours'`);
    expect((await upload(options)).status).toBe(201);
    const left = (await db.admin(`select id from public.ai_chat_attachments where user_id = $1`, [alice])).map((row) => row.id);
    expect(left).toContain(sent!.id);
    expect(left).not.toContain(draft!.id);
    expect(left).toHaveLength(2);
    expect(await db.admin(`select 1 from storage.objects where name = $1`, [draft!.storage_path])).toHaveLength(0);
    expect(await bytes.get(draft!.storage_path)).toBeNull();
    expect(await bytes.get(sent!.storage_path)).not.toBeNull();
  });

  describe('through Supabase (PostgREST and Storage)', () => {
    let project: FakeSupabaseProject;

    beforeAll(async () => {
      project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
      server.use(...project.handlers);
    });
    afterAll(() => {
      server.resetHandlers();
    });
    beforeEach(() => {
      project.storage.files.clear();
    });

    const handlerWith = (options: Partial<ChatHandlerOptions>) =>
      createChatHandler({
        store: createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey }),
        providers: {},
        ...options,
      });
    const supabaseUpload = async (handler: ReturnType<typeof handlerWith>) =>
      answer(await handler.route(await uploadRequest(undefined, { cookie: project.signIn(alice).cookie })));

    it('parallel uploads stop at the quota with a 413, and no object is left behind for a refused one', async () => {
      const handler = handlerWith({ attachments: { maxStorageBytesPerUser: 3 * SIZE } });
      const answers = await Promise.all(Array.from({ length: 8 }, () => supabaseUpload(handler)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 413 && a.error?.limit === 'maxStorageBytes')).toHaveLength(5);
      expect(await stored()).toEqual({ files: 3, bytes: 3 * SIZE });
      expect(project.storage.files.size).toBe(3);
    });

    it('uploads count against requests per minute; an unsent file past its age is swept with its object', async () => {
      const limited = handlerWith({ limits: { maxRequestsPerMinute: 2 } });
      expect((await supabaseUpload(limited)).status).toBe(201);
      expect((await supabaseUpload(limited)).status).toBe(201);
      expect(await supabaseUpload(limited)).toMatchObject({ status: 429, error: { code: 'usage_limit', limit: 'requests_per_minute' } });

      await db.admin(`update public.ai_chat_attachments set created_at = now() - interval '25 hours'`);
      const [old] = (await db.admin(`select storage_path from public.ai_chat_attachments limit 1`)) as { storage_path: string }[];
      expect(project.storage.files.has(`${BUCKET}/${old!.storage_path}`)).toBe(true);
      expect((await supabaseUpload(handlerWith({}))).status).toBe(201);
      expect(await stored()).toMatchObject({ files: 1 });
      expect(project.storage.files.has(`${BUCKET}/${old!.storage_path}`)).toBe(false);
      expect(project.storage.files.size).toBe(1);
    });
  });
});
