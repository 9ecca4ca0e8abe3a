import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createChatHandler, defineTool, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { conversationToolsSchema } from '@/features/ai-chat/protocol/rest';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import { OPENAI_TEST_KEY } from '../../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../../support/fake-providers';
import { startTestMcpServer, type TestMcpServer } from '../../support/mcp-server';
import { readChatEvents } from '../../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../support/test-databases';

/**
 * Issue 22, "the chat's UI can list which tools a conversation may use and turn a server off for
 * it": the list through the REST routes, and a server turned off for one conversation whose tools
 * the model is then neither offered nor able to run, through the real handler, a real MCP server
 * and a real database. The setting is the server's to keep: another user's chat is 404, a bad
 * setting 400, and neither changes anything.
 */

describe.each(databaseKinds())('a conversation\'s tools on %s', (kind) => {
  let db: TestDatabase;
  let mcp: TestMcpServer;
  let openai: FakeProviderServer;
  let handler: ChatHandler;
  let alice: string;
  let mallory: string;

  const call = async (userId: string, method: string, path: string, body?: unknown) =>
    handler.route(
      new Request(`http://localhost/api/chat${path}`, {
        method,
        headers: { 'x-test-user': userId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  const ask = async (userId: string, body: unknown) =>
    readChatEvents(
      await handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-user': userId },
          body: JSON.stringify(body),
        }),
      ),
    );
  const offered = (request = 0) => ((openai.requests[request]!.body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);
  const newChat = async (userId: string) => ((await (await call(userId, 'POST', '/conversations', {})).json()) as { conversation: { id: string } }).conversation.id;
  const storedOff = async (id: string) =>
    ((await db.admin(`select disabled_mcp_servers from public.ai_chat_conversations where id = $1`, [id]))[0] as { disabled_mcp_servers: string[] })
      .disabled_mcp_servers;

  beforeAll(async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    db = await openTestDatabase(kind);
    mcp = await startTestMcpServer();
    openai = await startFakeOpenAI();
    const weather = defineTool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => ({ city, sky: 'clear' }),
    });
    handler = createChatHandler({
      store: {
        forRequest: async (request) => new PostgresUserStore(db.sql, request.headers.get('x-test-user')!),
        replies: new SqlReplyRunStore(db.sql),
        close: async () => undefined,
      },
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
      models: { openai: { defaultModel: 'gpt-4o' } },
      tools: [weather],
      mcpServers: [
        { name: 'mail', url: mcp.url, allowPrivateNetwork: true, tools: { allow: ['send_email', 'lookup'] } },
        { name: 'dict', url: mcp.url, allowPrivateNetwork: true, tools: { allow: ['lookup'] } },
        { name: 'gone', url: 'http://127.0.0.1:9/mcp', allowPrivateNetwork: true, connectTimeoutMs: 2_000 },
      ],
    });
    alice = await db.createUser();
    mallory = await db.createUser();
  });
  afterAll(async () => {
    handler?.replies.halt();
    await openai?.close();
    await mcp?.close();
    await db?.close();
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    openai.reset();
    mcp.calls.length = 0;
  });

  it('lists the app\'s tools and each MCP server\'s, with which need approval and which servers are reachable', async () => {
    const id = await newChat(alice);
    const response = await call(alice, 'GET', `/conversations/${id}/tools`);
    expect(response.status).toBe(200);
    const listed = conversationToolsSchema.parse(await response.json());
    expect(listed.tools).toEqual([{ name: 'get_weather', description: 'The weather in a city', approval: 'never' }]);
    expect(listed.servers.map((server) => [server.name, server.reachable, server.enabled])).toEqual([
      ['mail', true, true],
      ['dict', true, true],
      ['gone', false, true],
    ]);
    const mail = listed.servers[0]!;
    expect(mail.tools.map((tool) => [tool.name, tool.approval])).toEqual([
      ['mail__lookup', 'never'],
      ['mail__send_email', 'always'],
    ]);
    expect(listed.servers[2]!.tools).toEqual([]);
    // The config tells the UI there are tools to show.
    expect(((await (await call(alice, 'GET', '/config')).json()) as { tools?: boolean }).tools).toBe(true);
  });

  it('a server turned off for a conversation is not offered to the model there, cannot be run, and is offered again once back on', async () => {
    const id = await newChat(alice);
    const other = await newChat(alice);
    const off = await call(alice, 'PATCH', `/conversations/${id}`, { disabledMcpServers: ['mail'] });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { conversation: { disabledMcpServers: string[] } }).conversation.disabledMcpServers).toEqual(['mail']);
    expect(await storedOff(id)).toEqual(['mail']);
    const listed = conversationToolsSchema.parse(await (await call(alice, 'GET', `/conversations/${id}/tools`)).json());
    expect(listed.servers.map((server) => [server.name, server.enabled])).toEqual([
      ['mail', false],
      ['dict', true],
      ['gone', true],
    ]);

    // The model names a turned-off tool anyway: it is unknown to this turn, and the server never runs it.
    openai.script({ toolCalls: [{ name: 'mail__lookup', args: { word: 'quince' } }] }, { text: 'I could not.' });
    const events = await ask(alice, { conversationId: id, message: 'Look up quince' });
    expect(offered(0)).toEqual(expect.arrayContaining(['get_weather', 'dict__lookup']));
    expect(offered(0).filter((name) => name.startsWith('mail__'))).toEqual([]);
    expect(mcp.calls).toEqual([]);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { error: 'Unknown tool "mail__lookup".' } });

    // Another conversation of the same person keeps every server.
    openai.reset();
    await ask(alice, { conversationId: other, message: 'Hello' });
    expect(offered(0)).toEqual(expect.arrayContaining(['mail__lookup', 'mail__send_email', 'dict__lookup', 'get_weather']));

    openai.reset();
    const on = await call(alice, 'PATCH', `/conversations/${id}`, { disabledMcpServers: [] });
    expect(on.status).toBe(200);
    expect(await storedOff(id)).toEqual([]);
    await ask(alice, { conversationId: id, message: 'And now?' });
    expect(offered(0)).toEqual(expect.arrayContaining(['mail__lookup', 'mail__send_email', 'dict__lookup', 'get_weather']));
  });

  it('another user\'s conversation is 404 for the list and the switch, exactly as an unknown one, and stays as it was', async () => {
    const theirs = await newChat(mallory);
    await call(mallory, 'PATCH', `/conversations/${theirs}`, { disabledMcpServers: ['dict'] });
    const unknown = crypto.randomUUID();
    for (const target of [theirs, unknown, 'not-a-uuid']) {
      const list = await call(alice, 'GET', `/conversations/${target}/tools`);
      expect(list.status).toBe(404);
      expect(await list.json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found.' } });
      const patch = await call(alice, 'PATCH', `/conversations/${target}`, { disabledMcpServers: ['mail'] });
      expect(patch.status).toBe(404);
    }
    expect(await storedOff(theirs)).toEqual(['dict']);
  });

  it('refuses a bad setting with a JSON 400 naming the field, and changes nothing', async () => {
    const id = await newChat(alice);
    await call(alice, 'PATCH', `/conversations/${id}`, { disabledMcpServers: ['dict'] });
    for (const body of [
      { disabledMcpServers: ['nope'] },
      { disabledMcpServers: ['mail', 'nope'] },
      { disabledMcpServers: 'mail' },
      { disabledMcpServers: [42] },
      { disabledMcpServers: null },
      { disabledMcpServers: Array.from({ length: 100 }, (_, index) => `s${index}`) },
      '{"disabledMcpServers": [',
    ]) {
      const response = await call(alice, 'PATCH', `/conversations/${id}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; field?: string } }).error;
      expect(error.code).toBe('bad_request');
    }
    const unknown = await call(alice, 'PATCH', `/conversations/${id}`, { disabledMcpServers: ['nope'] });
    expect(await unknown.json()).toMatchObject({ error: { field: 'disabledMcpServers', message: expect.stringContaining('"nope"') } });
    expect(await storedOff(id)).toEqual(['dict']);
    expect((await call(alice, 'POST', `/conversations/${id}/tools`, {})).status).toBe(405);
  });

  it('a signed-in user cannot write the setting past the server: the column is the server\'s', async () => {
    const id = await newChat(alice);
    const refused = await db.sql
      .transaction(async (tx) => {
        await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: alice, role: 'authenticated' })]);
        await tx.query('set local role authenticated');
        await tx.query(`update public.ai_chat_conversations set disabled_mcp_servers = '{mail}' where id = $1`, [id]);
      })
      .then(
        () => null,
        (error: unknown) => String(error),
      );
    expect(refused).toMatch(/permission denied/);
    expect(await storedOff(id)).toEqual([]);
  });
});
