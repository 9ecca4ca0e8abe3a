import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChatHandler, defineTool, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import type { SqlDatabase } from '@/features/ai-chat/store/postgres/sql-database';
import { createTestClock, type TestClock } from '../support/approval-clock';
import { eventually, OPENAI_TEST_KEY } from '../support/chat-harness';
import { readEvents } from '../support/event-reader';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { textOf } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 22, a person's approval before a tool acts, through the real handler on a real database:
 * the call pauses the reply with a durable approval, any tab or instance answers it, a denial or a
 * timeout tells the model, and an answer cannot be forged (another user's: 404) or replayed (409).
 */

type Start = Extract<ChatEvent, { type: 'start' }>;
type Request = Extract<ChatEvent, { type: 'tool-approval-request' }>;

const TIMEOUT_SECONDS = 60;
const POLL_MS = 500;

interface Instance {
  handler: ChatHandler;
  post(userId: string, body: unknown): Promise<Response>;
  call(userId: string, method: string, path: string, body?: string): Promise<Response>;
}

function openInstance(sql: SqlDatabase, openai: FakeProviderServer, overrides: Partial<ChatHandlerOptions>): Instance {
  const handler = createChatHandler({
    store: {
      forRequest: async (request) => new PostgresUserStore(sql, request.headers.get('x-test-user')!),
      replies: new SqlReplyRunStore(sql),
      close: async () => undefined,
    },
    providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
    models: { openai: { defaultModel: 'gpt-4o' } },
    checkpointIntervalMs: 100,
    ...overrides,
  });
  return {
    handler,
    post: (userId, body) =>
      handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-user': userId },
          body: JSON.stringify(body),
        }),
      ),
    call: (userId, method, path, body) =>
      handler.route(
        new Request(`http://localhost/api/chat${path}`, {
          method,
          headers: { 'x-test-user': userId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body,
        }),
      ),
  };
}

describe.each(databaseKinds())('tool approvals on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  let clock: TestClock;
  let a: Instance;
  let b: Instance;
  let alice: string;
  let mallory: string;
  const deleted: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    openai = await startFakeOpenAI();
    clock = createTestClock();
    const deleteFile = defineTool({
      name: 'delete_file',
      description: 'Deletes a file',
      parameters: z.object({ path: z.string() }),
      approval: 'always',
      execute: ({ path }) => {
        deleted.push(path);
        return { deleted: path };
      },
    });
    const readFile = defineTool({
      name: 'read_file',
      description: 'Reads a file',
      parameters: z.object({ path: z.string() }),
      // Only what is outside the home folder needs a yes.
      approval: ({ path }) => !path.startsWith('~/'),
      execute: ({ path }) => ({ text: `contents of ${path}` }),
    });
    const options = { tools: [deleteFile, readFile], toolApprovals: { timeoutSeconds: TIMEOUT_SECONDS, pollMs: POLL_MS, clock } };
    a = openInstance(db.sql, openai, options);
    b = openInstance(db.sql, openai, options);
    alice = await db.createUser();
    mallory = await db.createUser();
  });
  afterAll(async () => {
    a?.handler.replies.halt();
    b?.handler.replies.halt();
    await openai?.close();
    await db?.close();
  });
  beforeEach(() => {
    openai.reset();
    deleted.length = 0;
  });

  const approvalRow = async (id: string) =>
    (await db.admin(`select state, user_id, tool_name, args from public.ai_chat_tool_approvals where id = $1`, [id]))[0] as
      | { state: string; user_id: string; tool_name: string; args: unknown }
      | undefined;
  const answer = (instance: Instance, userId: string, replyId: string, approvalId: string, approved: unknown) =>
    instance.call(userId, 'POST', `/replies/${replyId}/approvals/${approvalId}`, JSON.stringify({ approved }));
  const askToDelete = async (path: string) => {
    openai.script({ toolCalls: [{ name: 'delete_file', args: { path } }] }, { text: 'All done.' });
    const reply = readEvents(await a.post(alice, { message: `Delete ${path}` }));
    const start = await reply.waitFor('start');
    const request = await reply.waitFor('tool-approval-request');
    return { reply, start: start as Start, request: request as Request };
  };
  const toolMessageSent = () => {
    const messages = openai.requests[1]!.body.messages as { role: string; content: string }[];
    return messages.find((message) => message.role === 'tool')!.content;
  };

  it('pauses the call until the person approves it; then the tool runs and the model reads its result', async () => {
    const { reply, start, request } = await askToDelete('notes.txt');
    expect(request).toMatchObject({ name: 'delete_file', args: { path: 'notes.txt' }, toolCallId: expect.any(String) });
    expect(new Date(request.expiresAt).getTime()).toBe(clock.now() + TIMEOUT_SECONDS * 1000);
    expect(await approvalRow(request.approvalId)).toMatchObject({ state: 'pending', user_id: alice, tool_name: 'delete_file', args: { path: 'notes.txt' } });
    expect(deleted).toEqual([]);
    expect(openai.requests).toHaveLength(1);
    // While it waits the turn holds its own reservation and nothing more.
    const holds = await db.admin(`select prompt_tokens from public.ai_chat_usage where user_id = $1 and status = 'reserved'`, [alice]);
    expect(holds).toHaveLength(1);
    // A few polls of the row later, still just that.
    for (let poll = 0; poll < 3; poll += 1) {
      await clock.sleeping();
      clock.advance(POLL_MS);
    }
    await clock.sleeping();
    expect(await db.admin(`select prompt_tokens from public.ai_chat_usage where user_id = $1 and status = 'reserved'`, [alice])).toEqual(holds);

    const answered = await answer(a, alice, start.assistantMessageId, request.approvalId, true);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ id: request.approvalId, state: 'approved' });
    const events = await reply.done;
    expect(deleted).toEqual(['notes.txt']);
    expect(events.find((event) => event.type === 'tool-approval-response')).toMatchObject({ approvalId: request.approvalId, approved: true });
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { deleted: 'notes.txt' } });
    expect(toolMessageSent()).toContain('"deleted":"notes.txt"');
    expect(textOf(events)).toBe('All done.');
    const [saved] = await db.admin(`select parts from public.ai_chat_messages where id = $1`, [start.assistantMessageId]);
    const call = (saved!.parts as { type: string; approval?: unknown }[]).find((part) => part.type === 'tool-call');
    expect(call?.approval).toEqual({ id: request.approvalId, state: 'approved' });
  });

  it('denied: the tool does not run, the model is told the person declined, and it carries on', async () => {
    const { reply, start, request } = await askToDelete('thesis.tex');
    expect((await answer(a, alice, start.assistantMessageId, request.approvalId, false)).status).toBe(200);
    const events = await reply.done;
    expect(deleted).toEqual([]);
    expect(events.find((event) => event.type === 'tool-approval-response')).toMatchObject({ approved: false, reason: 'declined' });
    expect(toolMessageSent()).toMatch(/person declined to run delete_file/);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect((await approvalRow(request.approvalId))?.state).toBe('denied');
  });

  it('unanswered, the call is denied when its time runs out (a moved clock, no waiting) and the model is told', async () => {
    const { reply, start, request } = await askToDelete('old.log');
    await clock.sleeping();
    clock.advance(TIMEOUT_SECONDS * 1000);
    const events = await reply.done;
    expect(deleted).toEqual([]);
    expect(events.find((event) => event.type === 'tool-approval-response')).toMatchObject({ approved: false, reason: 'timeout' });
    expect(toolMessageSent()).toMatch(/Nobody approved delete_file in time/);
    expect((await approvalRow(request.approvalId))?.state).toBe('expired');
    // Too late now.
    expect((await answer(a, alice, start.assistantMessageId, request.approvalId, true)).status).toBe(409);
    expect(deleted).toEqual([]);
  });

  it('approved from a second tab on another instance after a reload: it sees the pending call, answers, and the reply goes on', async () => {
    const { reply, start, request } = await askToDelete('draft.md');
    // The first tab reloads: it stops reading. The reply waits on.
    await reply.leave();
    // The second tab attaches on the other instance and sees the pending call from the checkpoints.
    const followed = readEvents(await b.call(alice, 'GET', `/replies/${start.assistantMessageId}/stream`));
    const seen = await followed.waitFor('tool-approval-request');
    expect(seen).toEqual(request);
    const answered = await answer(b, alice, start.assistantMessageId, seen.approvalId, true);
    expect(answered.status).toBe(200);
    // The generating instance reads the answer at its next poll of the row.
    await clock.sleeping();
    clock.advance(POLL_MS);
    const events = await followed.done;
    expect(deleted).toEqual(['draft.md']);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { deleted: 'draft.md' } });
    expect(textOf(events)).toBe('All done.');
  });

  it('an approval rule of the arguments: a call inside the home folder runs at once, one outside asks', async () => {
    openai.script({ toolCalls: [{ name: 'read_file', args: { path: '~/todo.txt' } }] }, { text: 'Read it.' });
    const events = await readEvents(await a.post(alice, { message: 'Read my todo' })).done;
    expect(events.some((event) => event.type === 'tool-approval-request')).toBe(false);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { text: 'contents of ~/todo.txt' } });

    openai.script({ toolCalls: [{ name: 'read_file', args: { path: '/etc/passwd' } }] }, { text: 'No.' });
    const reply = readEvents(await a.post(alice, { message: 'Read the passwords' }));
    const start = (await reply.waitFor('start')) as Start;
    const request = await reply.waitFor('tool-approval-request');
    expect((await answer(a, alice, start.assistantMessageId, request.approvalId, false)).status).toBe(200);
    await reply.done;
  });

  it('cannot be forged or replayed: another user\'s approval is 404, a second answer 409, a bad body 400', async () => {
    const { reply, start, request } = await askToDelete('secret.key');
    const replyId = start.assistantMessageId;
    // Mallory knows both ids (say, from a shared screen): to her they do not exist.
    expect((await answer(a, mallory, replyId, request.approvalId, true)).status).toBe(404);
    expect((await answer(b, mallory, replyId, request.approvalId, true)).status).toBe(404);
    // An approval id under another reply of Alice's, and made-up ids.
    expect((await answer(a, alice, crypto.randomUUID(), request.approvalId, true)).status).toBe(404);
    expect((await answer(a, alice, replyId, crypto.randomUUID(), true)).status).toBe(404);
    expect((await answer(a, alice, replyId, 'not-a-uuid', true)).status).toBe(404);
    expect((await answer(a, alice, replyId, request.approvalId, 'yes')).status).toBe(400);
    expect((await a.call(alice, 'GET', `/replies/${replyId}/approvals/${request.approvalId}`)).status).toBe(405);
    expect((await approvalRow(request.approvalId))?.state).toBe('pending');

    expect((await answer(a, alice, replyId, request.approvalId, false)).status).toBe(200);
    const second = await answer(b, alice, replyId, request.approvalId, true);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'conflict' } });
    await reply.done;
    expect(deleted).toEqual([]);
    expect((await approvalRow(request.approvalId))?.state).toBe('denied');
  });

  it('a stop while waiting ends the wait: the call does not run and the approval is closed', async () => {
    const { reply, start, request } = await askToDelete('everything');
    expect((await a.call(alice, 'POST', `/replies/${start.assistantMessageId}/stop`, '{}')).status).toBe(202);
    const events = await reply.done;
    expect(events.find((event) => event.type === 'tool-approval-response')).toMatchObject({ approved: false, reason: 'stopped' });
    expect(deleted).toEqual([]);
    await eventually(async () => expect((await approvalRow(request.approvalId))?.state).toBe('expired'));
  });
});
