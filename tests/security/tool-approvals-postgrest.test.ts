import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 22's tool approvals as an attacker plays them in Supabase mode, straight at PostgREST with
 * their own JWT: they cannot approve a call by writing the row or calling the server's functions,
 * for themselves or anyone. The Supabase store's service client asks, answers (for the approval's
 * owner only, once), reads and closes approvals.
 */

const PROJECT_URL = 'https://tool-approvals.supabase.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe.each(databaseKinds())('tool approvals through PostgREST on %s', (kind) => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    server.use(...project.handlers);
  });
  afterAll(async () => {
    server.resetHandlers();
    await db?.close();
  });

  it('an approval is the server\'s to write: a JWT reads its own, and approves nothing by PATCH or rpc', async () => {
    const alice = await db.createUser();
    const mallory = await db.createUser();
    const [conversation] = await db.admin(`insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'c', 'openai', 'gpt-4o') returning id`, [alice]);
    const store = createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey });
    const replyId = crypto.randomUUID();
    const id = crypto.randomUUID();
    const ask = { id, userId: alice, replyId, conversationId: conversation!.id as string, toolCallId: 'call_1', toolName: 'delete_file', args: { path: 'a' }, timeoutSeconds: 60 };
    expect(await store.replies.requestApproval(ask)).toBe(true);
    // Not Mallory's conversation: no approval for her there.
    expect(await store.replies.requestApproval({ ...ask, id: crypto.randomUUID(), toolCallId: 'call_2', userId: mallory })).toBe(false);

    const rest = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${PROJECT_URL}/rest/v1/${path}`, {
        method,
        headers: { apikey: project.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=representation' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const aliceToken = project.signIn(alice).accessToken;
    const malloryToken = project.signIn(mallory).accessToken;
    expect(await (await rest('GET', 'ai_chat_tool_approvals?select=id,state', aliceToken)).json()).toEqual([{ id, state: 'pending' }]);
    expect(await (await rest('GET', 'ai_chat_tool_approvals?select=id', malloryToken)).json()).toEqual([]);
    for (const token of [aliceToken, malloryToken]) {
      expect((await rest('PATCH', `ai_chat_tool_approvals?id=eq.${id}`, token, { state: 'approved' })).status).toBe(403);
      for (const [name, args] of [
        ['ai_chat_tool_approval_answer', { p_user_id: alice, p_reply_id: replyId, p_id: id, p_approved: true }],
        ['ai_chat_tool_approval_expire', { p_id: id }],
        ['ai_chat_tool_approval_state', { p_id: id }],
      ] as const) {
        expect((await rest('POST', `rpc/${name}`, token, args)).status, name).toBe(403);
      }
    }
    expect(await store.replies.approvalState(id)).toBe('pending');

    // The server, for the user the session named: Mallory's answer finds nothing; Alice's counts once.
    expect(await store.replies.answerApproval(mallory, replyId, id, true)).toBeNull();
    expect(await store.replies.answerApproval(alice, replyId, id, false)).toBe('denied');
    expect(await store.replies.answerApproval(alice, replyId, id, true)).toBe('denied');
    expect(await store.replies.expireApproval(id)).toBe('denied');
    expect(await store.replies.approvalState(id)).toBe('denied');
  });
});
