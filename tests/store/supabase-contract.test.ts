import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageRecordSchema, usageSummarySchema } from '@/features/ai-chat/protocol/records';
import type { ChatStore } from '@/features/ai-chat/store/chat-store';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import {
  createFakeSupabaseProject,
  type FakeSupabaseProject,
  type RecordedRequest,
} from '../support/postgrest/fake-supabase-project';
import { filterColumns, orderColumns, selectedColumns } from '../support/postgrest/postgrest-sql';
import { readSchemaCatalog, type SchemaCatalog } from '../support/postgrest/schema-catalog';
import { sessionCookieName } from '../support/postgrest/session-cookie';
import {
  seedBranchedConversation,
  walkEveryMethod,
  type SeededConversation,
  type Walk,
} from '../support/postgrest/walk-every-method';
import { openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * The Supabase adapter against the schema it will meet in production. supabase-js and
 * @supabase/ssr run for real; msw stands in for the project: Auth answers `GET /user`, and
 * PostgREST runs each request in the migrated PGlite as its JWT's role, so the rows the adapter
 * parses are real rows and RLS and the function grants decide what each credential may do.
 * Every request is recorded, then checked against the catalogs: a table, column, function or
 * argument the migration does not define fails here, not in a user's browser.
 */

const PROJECT_URL = 'https://project.supabase.test';

/** The usage and summary writes, which only the server may call. */
const USAGE_RPC = ['ai_chat_reserve_usage', 'ai_chat_hold_usage', 'ai_chat_settle_usage', 'ai_chat_record_usage', 'ai_chat_save_summary'];
/**
 * What only the server writes (usage, messages, new conversations, the reply cache), each call
 * naming the user the server verified; every other call acts as the user, with their JWT.
 */
const SERVICE_RPC = new Set([
  ...USAGE_RPC,
  'ai_chat_create_conversation',
  'ai_chat_update_conversation',
  'ai_chat_append_message',
  'ai_chat_import_conversation',
  'ai_chat_set_model_title',
  'ai_chat_continue_message',
  'ai_chat_read_cached_reply',
  'ai_chat_cache_reply',
]);

const server = setupServer();

let db: TestDatabase;
let catalog: SchemaCatalog;
let project: FakeSupabaseProject;
let chatStore: ChatStore;
let alice: string;
let aliceToken: string;
let aliceCookie: string;

let seeded: SeededConversation;
/** What the walk sent, up to where it stopped if it did stop, so the schema checks still run. */
let walkRequests: RecordedRequest[];
let walkOutcome: { walk: Walk } | { error: unknown };

/** The walk's results, or its failure with the PostgREST error behind it. */
function walked(): Walk {
  if ('walk' in walkOutcome) return walkOutcome.walk;
  const { error } = walkOutcome;
  const cause = (error as { cause?: unknown }).cause;
  throw new Error(`the walk through every method stopped: ${String(error)}${cause ? ` (${JSON.stringify(cause)})` : ''}`);
}

/** A WebSocket that must never be opened: the chat store has no use for Realtime. */
class UnusedWebSocket {
  constructor() {
    throw new Error('the chat store opened a WebSocket; it should never use Supabase Realtime');
  }
}

function request(cookie?: string): Request {
  return new Request('https://app.example.test/api/chat', { headers: cookie ? { cookie } : {} });
}

function restRequests(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((entry) => entry.path.startsWith('/rest/v1/'));
}

function rpcName(entry: RecordedRequest): string | null {
  return entry.path.startsWith('/rest/v1/rpc/') ? entry.path.slice('/rest/v1/rpc/'.length) : null;
}

/** `table.column` for every column a table request names: select, filters, order, body, columns=. */
function columnsNamed(entry: RecordedRequest): string[] {
  const table = entry.path.slice('/rest/v1/'.length);
  const body = entry.body === undefined ? [] : Array.isArray(entry.body) ? entry.body : [entry.body];
  const columns = [
    ...selectedColumns(entry.query).filter((column) => column !== '*'),
    ...filterColumns(entry.query),
    ...orderColumns(entry.query),
    ...body.flatMap((row) => Object.keys(row as object)),
    ...(entry.query.get('columns')?.split(',').map((column) => column.replaceAll('"', '')) ?? []),
  ];
  return [...new Set(columns)].map((column) => `${table}.${column}`);
}

beforeAll(async () => {
  db = await openTestDatabase('pglite');
  catalog = await readSchemaCatalog(db.admin);
  project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog });
  server.use(...project.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  // supabase-js builds a Realtime client in every createClient, and that throws where there is no
  // global WebSocket (Node 20, inside `engines`). The store never opens a channel; until it passes
  // its own transport (see the test "can be created where there is no global WebSocket"), give
  // Node 20 one that is never used, so the rest of the contract can run.
  if (typeof globalThis.WebSocket === 'undefined') vi.stubGlobal('WebSocket', UnusedWebSocket);
  chatStore = createSupabaseChatStore({
    url: PROJECT_URL,
    anonKey: project.anonKey,
    serviceRoleKey: project.serviceRoleKey,
  });

  alice = await db.createUser('alice@example.test');
  ({ accessToken: aliceToken, cookie: aliceCookie } = project.signIn(alice));
  const store = await chatStore.forRequest(request(aliceCookie));
  if (!store) throw new Error('alice was not signed in');
  seeded = await seedBranchedConversation(db, alice);
  const from = project.requests.length;
  try {
    walkOutcome = { walk: await walkEveryMethod(store, seeded) };
  } catch (error) {
    walkOutcome = { error };
  }
  walkRequests = project.requests.slice(from);
});

afterEach(() => {
  server.resetHandlers(...project.handlers);
});

afterAll(async () => {
  vi.unstubAllGlobals();
  server.close();
  await chatStore?.close();
  await db?.close();
});

describe('the Supabase chat store, signing in', () => {
  it('can be created where there is no global WebSocket (Node 20, inside engines)', () => {
    const present = globalThis.WebSocket;
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() =>
        createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey }),
      ).not.toThrow();
    } finally {
      vi.stubGlobal('WebSocket', present);
    }
  });

  it('reads the session from the @supabase/ssr cookie and asks Supabase Auth who it belongs to', async () => {
    expect(aliceCookie.startsWith(`${sessionCookieName(PROJECT_URL)}=base64-`)).toBe(true);
    expect(sessionCookieName(PROJECT_URL)).toBe('sb-project-auth-token');

    const from = project.requests.length;
    const store = await chatStore.forRequest(request(aliceCookie));

    expect(store?.userId).toBe(alice);
    const [getUser, ...more] = project.requests.slice(from);
    expect(more).toEqual([]);
    expect(getUser).toMatchObject({
      method: 'GET',
      path: '/auth/v1/user',
      authorization: `Bearer ${aliceToken}`,
      apikey: project.anonKey,
    });
  });

  it('treats a request without a session cookie as signed out, without calling Auth', async () => {
    const from = project.requests.length;
    expect(await chatStore.forRequest(request())).toBeNull();
    expect(await chatStore.forRequest(request('theme=dark; sb-other-auth-token=base64-e30'))).toBeNull();
    expect(project.requests.slice(from)).toEqual([]);
  });

  it('treats a session Supabase Auth rejects as signed out', async () => {
    // A token signed with another project's secret: Auth refuses it (403 bad_jwt).
    const forged = project.signIn(alice, { signingSecret: 'not-this-projects-secret-not-this-projects' });
    expect(await chatStore.forRequest(request(forged.cookie))).toBeNull();

    // A session Auth no longer knows (revoked, signed out elsewhere): 401.
    server.use(
      http.get(`${PROJECT_URL}/auth/v1/user`, () =>
        HttpResponse.json(
          { code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' },
          { status: 401, headers: { 'x-supabase-api-version': '2024-01-01' } },
        ),
      ),
    );
    expect(await chatStore.forRequest(request(aliceCookie))).toBeNull();
  });
});

describe('the Supabase chat store against the migrated schema', () => {
  it('round-trips every UserChatStore method through PostgREST on real rows', async () => {
    const walk = walked();
    expect(walk.listed.map((c) => c.id)).toContain(seeded.conversationId);
    expect(walk.listedBefore.map((c) => c.id)).toEqual([seeded.conversationId]);
    expect(walk.created).toMatchObject({ title: 'Contract', systemPrompt: 'Be brief.', provider: 'anthropic', activeLeafId: null });
    expect(walk.read).toEqual(walk.created);
    expect(walk.updated).toMatchObject({ id: walk.created.id, title: 'Renamed', summary: 'So far: nothing.' });
    expect(walk.updated?.titleSource).toBe('user');
    expect([walk.modelTitleOverRename, walk.modelTitle]).toEqual([false, true]);
    expect(walk.pinned).toMatchObject({ title: 'Monads explained', titleSource: 'model' });
    expect(walk.pinned?.pinnedAt).toEqual(expect.any(String));
    expect(walk.created.disabledMcpServers).toEqual([]);
    expect(walk.toolsOff).toMatchObject({ id: seeded.conversationId, disabledMcpServers: ['mail'], titleSource: 'model' });
    expect(walk.toolsOff?.pinnedAt).toEqual(expect.any(String));
    expect(walk.toolsOffRead?.disabledMcpServers).toEqual(['mail']);
    expect(walk.archived?.archivedAt).toEqual(expect.any(String));
    expect(walk.listedShown.map((c) => c.id)).toEqual([seeded.conversationId]);
    expect(walk.listedArchived.map((c) => c.id)).toEqual([walk.created.id]);
    expect(walk.continued).toMatchObject({ id: walk.appended.id, content: 'Hello! And more.', status: 'complete', cost: '0.0025' });

    expect(messageRecordSchema.parse(walk.appended)).toMatchObject({
      conversationId: walk.created.id,
      status: 'partial',
      tokens: 3,
      cost: '0.00125',
      toolCalls: [{ id: 'call_1', name: 'search', arguments: { q: 'monads' } }],
      metadata: { finishReason: 'stop' },
    });
    expect(walk.messages.map((m) => m.id)).toEqual([seeded.root, seeded.first, seeded.second]);
    for (const message of walk.messages) messageRecordSchema.parse(message);
    // The newest append is the active leaf, so the branch shown is root → second.
    expect(walk.branch.map((m) => m.id)).toEqual([seeded.root, seeded.second]);
    expect(walk.branchThroughFirst.map((m) => m.id)).toEqual([seeded.root, seeded.first]);
    // The answer's two versions, oldest first; the root has none.
    expect(walk.siblings).toEqual({ [seeded.second]: [seeded.first, seeded.second] });
    expect(walk.switchedTo).toBe(seeded.first);
    const [seededAfter] = await db.admin(`select active_leaf_id from public.ai_chat_conversations where id = $1`, [seeded.conversationId]);
    expect(seededAfter).toEqual({ active_leaf_id: seeded.first });

    expect(walk.reservation).toMatchObject({ allowed: true, tokensToday: 0, costThisMonth: '0' });
    expect(usageSummarySchema.parse(walk.summary)).toEqual({
      tokensToday: 180,
      costToday: '0.0016',
      tokensThisMonth: 180,
      costThisMonth: '0.0016',
      requestsThisMonth: 2,
      tokensInProgress: 0,
      costInProgress: '0',
    });
    expect(walk.cached).toEqual({ provider: 'openai', model: 'gpt-4o', content: 'Cached answer.' });
    expect(walk.cacheMiss).toBeNull();
    const usage = await db.admin(
      `select provider, model, prompt_tokens, completion_tokens, cached_prompt_tokens, cost::text, status, message_id
         from public.ai_chat_usage where user_id = $1 order by created_at, provider`,
      [alice],
    );
    expect(usage).toEqual([
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        prompt_tokens: 100,
        completion_tokens: 20,
        cached_prompt_tokens: 40,
        cost: '0.0015000000',
        status: 'settled',
        message_id: walk.appended.id,
      },
      {
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        prompt_tokens: 50,
        completion_tokens: 10,
        cached_prompt_tokens: 0,
        cost: '0.0001000000',
        status: 'settled',
        message_id: null,
      },
    ]);

    expect(walk.deleted).toBe(true);
    expect(walk.readAfterDelete).toBeNull();
    expect(await db.admin(`select 1 from public.ai_chat_conversations where id = $1`, [walk.created.id])).toEqual([]);
  });

  it('a sub-micro-dollar message cost comes back as a plain decimal string', async () => {
    const store = await chatStore.forRequest(request(aliceCookie));
    const conversation = await store!.createConversation({ provider: 'openai', model: 'gpt-4o-mini' });
    // One token of a $0.15-per-million model. PostgREST sends numeric as a JSON number, JSON.parse
    // makes it 1.5e-7, and String() of that is "1.5e-7": not a decimal anything downstream accepts.
    const message = await store!.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'assistant',
      content: '.',
      cost: '0.00000015',
    });
    expect(message.cost).toBe('0.00000015');
    await store!.deleteConversation(conversation.id);
  });

  it('every table the adapter names exists in the migrated schema', () => {
    const tables = restRequests(walkRequests).filter((entry) => rpcName(entry) === null);
    expect(tables.length).toBeGreaterThan(0);
    for (const entry of tables) expect(catalog.tables.has(entry.path.slice('/rest/v1/'.length)), entry.path).toBe(true);
  });

  it('every column the adapter names exists in the migrated schema', async () => {
    const named = restRequests(walkRequests)
      .filter((entry) => rpcName(entry) === null)
      .flatMap(columnsNamed);
    const rows = (await db.admin(
      `select table_name || '.' || column_name as column from information_schema.columns where table_schema = 'public'`,
    )) as { column: string }[];
    const existing = new Set(rows.map((row) => row.column));
    expect([...new Set(named)].filter((column) => !existing.has(column))).toEqual([]);

    // The walk filters, orders and writes; missing these would mean the parsing above broke.
    expect(named).toEqual(expect.arrayContaining(['ai_chat_conversations.user_id', 'ai_chat_conversations.last_message_at', 'ai_chat_messages.conversation_id']));
  });

  it('every rpc the adapter calls is a public function and every argument it passes is one of its parameters', async () => {
    const calls = restRequests(walkRequests).filter((entry) => rpcName(entry) !== null);
    for (const call of calls) {
      const name = rpcName(call)!;
      const [fn] = (await db.admin(
        `select p.proargnames, p.proargmodes::text[] as modes
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.proname = $1`,
        [name],
      )) as { proargnames: string[] | null; modes: string[] | null }[];
      expect(fn, `public.${name} exists`).toBeDefined();
      const parameters = (fn!.proargnames ?? []).filter((_, i) => !fn!.modes || ['i', 'b', 'v'].includes(fn!.modes[i] ?? ''));
      expect(call.method).toBe('POST');
      expect(Object.keys((call.body ?? {}) as object).filter((key) => !parameters.includes(key)), name).toEqual([]);
    }
    // Appending, branching, summarising and the three usage writes all go through functions.
    expect(calls.map(rpcName)).toEqual(
      expect.arrayContaining([
        ...USAGE_RPC,
        'ai_chat_create_conversation',
        'ai_chat_append_message',
        'ai_chat_read_cached_reply',
        'ai_chat_cache_reply',
        'ai_chat_usage_summary',
        'ai_chat_branch_siblings',
      ]),
    );
  });

  it("user-scoped calls carry the user's JWT and the anon key, never the service key", () => {
    const userCalls = walkRequests.filter((entry) => !SERVICE_RPC.has(rpcName(entry) ?? ''));
    for (const entry of userCalls) {
      expect({ path: entry.path, authorization: entry.authorization, apikey: entry.apikey }).toEqual({
        path: entry.path,
        authorization: `Bearer ${aliceToken}`,
        apikey: project.anonKey,
      });
    }
    expect(userCalls.length).toBeGreaterThan(10);
  });

  it("the server's writes carry the service-role key, and only they do", () => {
    const serviceCalls = walkRequests.filter((entry) => SERVICE_RPC.has(rpcName(entry) ?? ''));
    for (const entry of serviceCalls) {
      expect({ path: entry.path, authorization: entry.authorization, apikey: entry.apikey }).toEqual({
        path: entry.path,
        authorization: `Bearer ${project.serviceRoleKey}`,
        apikey: project.serviceRoleKey,
      });
    }
    const others = walkRequests.filter((entry) => !serviceCalls.includes(entry));
    for (const entry of others) {
      expect(`${entry.authorization} ${entry.apikey}`, entry.path).not.toContain(project.serviceRoleKey);
    }
    expect(serviceCalls.map(rpcName)).toEqual(expect.arrayContaining([...USAGE_RPC, 'ai_chat_append_message', 'ai_chat_cache_reply']));
    // Each names the user Auth verified (a settle names its reservation instead).
    for (const entry of serviceCalls.filter((call) => rpcName(call) !== 'ai_chat_settle_usage')) {
      expect((entry.body as { p_user_id?: unknown }).p_user_id, `${rpcName(entry)} names the verified user`).toBe(alice);
    }
  });

  it("another user's session cannot reach my conversation through the adapter", async () => {
    const bob = await db.createUser('bob@example.test');
    const bobStore = await chatStore.forRequest(request(project.signIn(bob).cookie));
    const { conversationId, root } = seeded;

    expect(await bobStore!.getConversation(conversationId)).toBeNull();
    expect(await bobStore!.listMessages(conversationId)).toEqual([]);
    expect(await bobStore!.getActiveBranch(conversationId)).toEqual([]);
    expect(await bobStore!.getBranchSiblings(conversationId)).toEqual({});
    expect(await bobStore!.updateConversation(conversationId, { title: 'Mine now' })).toBeNull();
    expect(await bobStore!.updateConversation(conversationId, { pinned: false, archived: true })).toBeNull();
    expect(await bobStore!.updateConversation(conversationId, { disabledMcpServers: ['bob'] })).toBeNull();
    expect(await bobStore!.setModelTitle(conversationId, 'Mine now')).toBe(false);
    expect(await bobStore!.switchBranch(conversationId, root)).toBeNull();
    expect(await bobStore!.deleteConversation(conversationId)).toBe(false);
    await expect(bobStore!.appendMessage({ conversationId, parentId: root, role: 'user', content: 'hi' })).rejects.toMatchObject({
      code: 'not_found',
    });
    // The walk gave it a model's title and pinned it; bob changed neither.
    expect(
      await db.admin(`select title, pinned_at is not null as pinned, archived_at, disabled_mcp_servers from public.ai_chat_conversations where id = $1`, [conversationId]),
    ).toEqual([{ title: 'Monads explained', pinned: true, archived_at: null, disabled_mcp_servers: ['mail'] }]);
  });
});
