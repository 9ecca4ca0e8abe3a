import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createChatHandler, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { conversationDetailSchema } from '@/features/ai-chat/protocol/rest';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import type { SqlDatabase } from '@/features/ai-chat/store/postgres/sql-database';
import { eventually, OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readEvents } from '../support/event-reader';
import { readChatEvents, textOf } from '../support/sse';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../support/test-databases';

/**
 * Issue 12, durable replies, through the real handler on a real database: a reply outlives the
 * request that started it, Stop is a request of its own, any client attaches from the start, and
 * two handlers over one database (two "instances", each with its own store) follow and stop each
 * other's replies through the checkpoints, and mark interrupted the replies of one that died.
 */

const WORDS = Array.from({ length: 60 }, (_, i) => `word${i}`);
const LONG_TEXT = WORDS.join(' ');
/** 60 words at 40 ms: a reply of about 2.4 s. */
const SLOW = { text: LONG_TEXT, delayMs: 40, usage: { promptTokens: 20, completionTokens: 600 } };

type Start = Extract<ChatEvent, { type: 'start' }>;

/** A reply read as it comes: `midReply` once three deltas arrived (under way), `events` at its end. */
function midReplyOf(response: Response): { midReply: Promise<unknown>; events: Promise<ChatEvent[]> } {
  const reader = readEvents(response);
  const deltas = () => reader.events.filter((event) => event.type === 'text-delta').length;
  return { midReply: reader.waitFor('text-delta', () => deltas() >= 3), events: reader.done };
}

interface Instance {
  handler: ChatHandler;
  post(userId: string, body: unknown, signal?: AbortSignal): Promise<Response>;
  call(userId: string, method: string, path: string, body?: string): Promise<Response>;
  /** The instance "dies": its database calls fail from now on and its timer stops. */
  kill(): void;
}

function openInstance(sql: SqlDatabase, openai: FakeProviderServer, overrides: Partial<ChatHandlerOptions> = {}): Instance {
  let dead = false;
  const db: SqlDatabase = {
    transaction: (work) => (dead ? Promise.reject(new Error('this instance died')) : sql.transaction(work)),
    close: async () => undefined,
  };
  const handler = createChatHandler({
    store: {
      forRequest: async (request) => new PostgresUserStore(db, request.headers.get('x-test-user')!),
      replies: new SqlReplyRunStore(db),
      close: async () => undefined,
    },
    providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
    models: { openai: { defaultModel: 'gpt-4o' } },
    ...overrides,
  });
  return {
    handler,
    post: (userId, body, signal) =>
      handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-user': userId },
          body: JSON.stringify(body),
          signal,
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
    kill() {
      dead = true;
      handler.replies.halt();
    },
  };
}

/** Reads SSE events until `until` says stop (then cancels: the client leaves), or the end. */
async function readUntil(response: Response, until: (events: ChatEvent[]) => boolean): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as ChatEvent);
    }
    if (until(events)) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return events;
}

const deltas = (events: readonly ChatEvent[]) => events.filter((event) => event.type === 'text-delta').length;

/**
 * The durable-reply suite on one kind of database. Each kind is a file of its own
 * (durable-replies.test.ts, durable-replies-postgres.test.ts): the suite waits on paced replies
 * for about 35 s a kind, and two files run on two workers side by side.
 */
export function describeDurableReplies(kind: DatabaseKind): void {
  describe(`durable replies on ${kind}`, () => {
    let db: TestDatabase;
    let openai: FakeProviderServer;
    let a: Instance;
    let b: Instance;
    let alice: string;
    let mallory: string;

    beforeAll(async () => {
      db = await openTestDatabase(kind);
      openai = await startFakeOpenAI();
      // A sweeper here calls a reply dead after 1 s without a heartbeat, so checkpoints (each one a
      // heartbeat) come every 250 ms: at the default 1 s a busy machine's late tick let a live
      // reply be swept as interrupted two words before its end.
      a = openInstance(db.sql, openai, { staleReplySeconds: 1, checkpointIntervalMs: 250 });
      b = openInstance(db.sql, openai, { staleReplySeconds: 1, checkpointIntervalMs: 250 });
      alice = await db.createUser();
      mallory = await db.createUser();
    });
    afterAll(async () => {
      a?.kill();
      b?.kill();
      await openai?.close();
      await db?.close();
    });
    beforeEach(() => openai.reset());

    const assistantRow = async (id: string) =>
      (await db.admin(`select content, status, metadata from public.ai_chat_messages where id = $1`, [id]))[0] as
        | { content: string; status: string; metadata: Record<string, unknown> }
        | undefined;
    const usageRows = async (userId: string) =>
      (await db.admin(`select status, prompt_tokens, completion_tokens, message_id from public.ai_chat_usage where user_id = $1 order by created_at`, [userId])) as {
        status: string;
        prompt_tokens: number;
        completion_tokens: number;
        message_id: string | null;
      }[];
    const runState = async (id: string) => ((await db.admin(`select state from public.ai_chat_reply_runs where id = $1`, [id]))[0] as { state: string } | undefined)?.state;

    it('the client aborting the POST mid-reply does not stop the reply: it is saved whole and billed once', async () => {
      const user = await db.createUser();
      openai.script(SLOW);
      const client = new AbortController();
      const response = await a.post(user, { message: 'Take your time' }, client.signal);
      const seen = await readUntil(response, (events) => deltas(events) >= 3);
      client.abort();
      const start = seen[0] as Start;

      const saved = await eventually(async () => {
        const row = await assistantRow(start.assistantMessageId);
        expect(row?.status).toBe('complete');
        return row!;
      }, 10_000);
      expect(saved.content).toBe(LONG_TEXT);
      expect(openai.aborts).toBe(0);
      const usage = await eventually(async () => {
        const rows = await usageRows(user);
        expect(rows.map((row) => row.status)).toEqual(['settled']);
        return rows;
      });
      expect(usage[0]).toMatchObject({ completion_tokens: 600, message_id: start.assistantMessageId });
      await eventually(async () => expect(await runState(start.assistantMessageId)).toBe('finished'));
    });

    it('attaching mid-reply replays from the start and ends whole: the same events as the POST got', async () => {
      openai.script(SLOW);
      const response = await a.post(alice, { message: 'Tell me' });
      let attached: Promise<ChatEvent[]> | undefined;
      const posted = readChatEventsWhile(response, (events) => {
        if (!attached && deltas(events) >= 5) {
          const start = events[0] as Start;
          attached = a.call(alice, 'GET', `/replies/${start.assistantMessageId}/stream`).then((r) => {
            expect(r.status).toBe(200);
            expect(r.headers.get('content-type')).toContain('text/event-stream');
            return readChatEvents(r);
          });
        }
      });
      const [whole, replay] = await Promise.all([posted, posted.then(() => attached!)]);
      expect(replay).toEqual(whole);
      expect(textOf(replay)).toBe(LONG_TEXT);
      expect(replay.at(-1)).toMatchObject({ type: 'finish' });
    });

    it('Stop is honoured within a second and aborts the provider call: 202 stopping, then 200 finished, and the bill stops', async () => {
      const user = await db.createUser();
      openai.script(SLOW);
      const response = await a.post(user, { message: 'Go on' });
      const { midReply, events: reading } = midReplyOf(response);
      await midReply;
      const id = (await eventually(async () => {
        const rows = await db.admin(`select id from public.ai_chat_reply_runs where user_id = $1`, [user]);
        expect(rows).toHaveLength(1);
        return rows[0]!.id;
      })) as string;

      const asked = Date.now();
      const stop = await a.call(user, 'POST', `/replies/${id}/stop`, '{}');
      expect(stop.status).toBe(202);
      expect(await stop.json()).toEqual({ id, state: 'stopping' });
      const events = await reading;
      const stoppedIn = Date.now() - asked;
      expect(stoppedIn).toBeLessThan(1_000);
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
      expect(events.at(-2)).toMatchObject({ type: 'usage' });
      await openai.waitForAborts(1, 2_000);

      // No body at all (a JSON content type, as a cross-site form cannot send): the same answer.
      const again = await a.call(user, 'POST', `/replies/${id}/stop`, '');
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ id, state: 'finished' });
      const row = await eventually(async () => {
        const found = await assistantRow(id);
        expect(found).toBeDefined();
        return found!;
      });
      expect(row.status).toBe('partial');
      expect(LONG_TEXT.startsWith(row.content)).toBe(true);
      const [usage] = await eventually(async () => {
        const rows = await usageRows(user);
        expect(rows[0]?.status).toBe('settled');
        return rows;
      });
      // The full reply would bill 600; the stopped one bills what streamed.
      expect(usage!.completion_tokens).toBeGreaterThan(0);
      expect(usage!.completion_tokens).toBeLessThan(100);
      console.info(`durable-replies (${kind}): Stop honoured in ${stoppedIn} ms on the same instance`);
    });

    it("another user's stop and attach answer 404, exactly as an unknown reply, and change nothing", async () => {
      openai.script(SLOW);
      const response = await a.post(alice, { message: 'Mine' });
      const reading = readChatEvents(response);
      const id = (await eventually(async () => {
        const rows = await db.admin(`select id from public.ai_chat_reply_runs where user_id = $1 and state = 'generating'`, [alice]);
        expect(rows).toHaveLength(1);
        return rows[0]!.id;
      })) as string;
      for (const instance of [a, b]) {
        const stop = await instance.call(mallory, 'POST', `/replies/${id}/stop`, '{}');
        expect(stop.status).toBe(404);
        expect(await stop.json()).toMatchObject({ error: { code: 'not_found' } });
        const attach = await instance.call(mallory, 'GET', `/replies/${id}/stream`);
        expect(attach.status).toBe(404);
        const unknown = await instance.call(mallory, 'GET', `/replies/${crypto.randomUUID()}/stream`);
        expect(await unknown.json()).toEqual(await (await instance.call(mallory, 'GET', `/replies/${id}/stream`)).json());
      }
      expect(await db.admin(`select stop_requested_at from public.ai_chat_reply_runs where id = $1`, [id])).toEqual([{ stop_requested_at: null }]);
      const events = await reading;
      expect(textOf(events)).toBe(LONG_TEXT);
      expect(events.at(-1)).toMatchObject({ type: 'finish' });
    });

    it('another instance follows a reply from its checkpoints, from the start to the end, with the same text', async () => {
      openai.script(SLOW);
      const response = await a.post(alice, { message: 'Follow me' });
      let followed: Promise<ChatEvent[]> | undefined;
      const posted = readChatEventsWhile(response, (events) => {
        if (!followed && deltas(events) >= 20) {
          const start = events[0] as Start;
          followed = eventually(async () => {
            const r = await b.call(alice, 'GET', `/replies/${start.assistantMessageId}/stream`);
            expect(r.status).toBe(200);
            return r;
          }).then(readChatEvents);
        }
      });
      const whole = await posted;
      const other = await followed!;
      expect(other[0]).toEqual(whole[0]);
      expect(textOf(other)).toBe(textOf(whole));
      expect(other.at(-1)).toEqual(whole.at(-1));
      expect(other.at(-2)).toEqual(whole.at(-2)); // the usage
      // Coalesced in checkpoints: far fewer events than tokens.
      expect(deltas(other)).toBeLessThan(deltas(whole) / 4);
    });

    it('a Stop sent to another instance is honoured within a second, and the provider call aborted', async () => {
      const user = await db.createUser();
      openai.script(SLOW);
      const { midReply, events: reading } = midReplyOf(await a.post(user, { message: 'Stop me from elsewhere' }));
      const id = (await eventually(async () => {
        const rows = await db.admin(`select id from public.ai_chat_reply_runs where user_id = $1`, [user]);
        expect(rows).toHaveLength(1);
        return rows[0]!.id;
      })) as string;
      await midReply;
      const asked = Date.now();
      const stop = await b.call(user, 'POST', `/replies/${id}/stop`, '{}');
      expect(stop.status).toBe(202);
      const events = await reading;
      const stoppedIn = Date.now() - asked;
      expect(stoppedIn).toBeLessThan(1_000);
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
      await openai.waitForAborts(1, 2_000);
      const [usage] = await eventually(async () => {
        const rows = await usageRows(user);
        expect(rows[0]?.status).toBe('settled');
        return rows;
      });
      expect(usage!.completion_tokens).toBeLessThan(100);
      console.info(`durable-replies (${kind}): Stop from the other instance honoured in ${stoppedIn} ms`);
    });

    it('a reply whose instance died is marked interrupted by the other: partial text kept, usage settled once from the checkpoint', async () => {
      const user = await db.createUser();
      const doomed = openInstance(db.sql, openai, { staleReplySeconds: 1 });
      openai.script({ ...SLOW, delayMs: 60 });
      const response = await doomed.post(user, { message: 'Die midway' });
      const seen = readChatEvents(response).catch(() => []);
      const id = (await eventually(async () => {
        const rows = await db.admin(`select e.run_id from public.ai_chat_reply_events e join public.ai_chat_reply_runs r on r.id = e.run_id where r.user_id = $1`, [user]);
        expect(rows.length).toBeGreaterThanOrEqual(1);
        return rows[0]!.run_id;
      })) as string;
      doomed.kill();

      // The follower on the living instance sees the checkpoints stop, claims the run, and ends.
      const followed = await readChatEvents(await b.call(user, 'GET', `/replies/${id}/stream`));
      expect(followed[0]).toMatchObject({ type: 'start', assistantMessageId: id });
      expect(followed.at(-1)).toMatchObject({ type: 'error', code: 'interrupted' });
      const usageEvent = followed.at(-2) as Extract<ChatEvent, { type: 'usage' }>;
      expect(usageEvent.type).toBe('usage');

      const row = (await assistantRow(id))!;
      expect(row.status).toBe('partial');
      expect(row.content.length).toBeGreaterThan(0);
      expect(LONG_TEXT.startsWith(row.content)).toBe(true);
      expect(textOf(followed)).toBe(row.content);
      expect(row.metadata.error).toEqual({ code: 'interrupted', message: 'The server stopped while writing this reply.' });
      expect(await runState(id)).toBe('interrupted');

      // A second sweep changes nothing: settled exactly once.
      await b.handler.replies.sweep();
      await b.handler.replies.store.sweep(0);
      const usage = await usageRows(user);
      expect(usage).toHaveLength(1);
      expect(usage[0]).toMatchObject({ status: 'settled', completion_tokens: usageEvent.completionTokens, message_id: id });
      expect(usage[0]!.completion_tokens).toBeGreaterThan(0);
      expect(usage[0]!.prompt_tokens).toBeGreaterThan(0);
      await seen;
    }, 20_000);

    it('a Continue whose instance died carries the cut reply on with what it wrote: one reply, never a second one beside it', async () => {
      const user = await db.createUser();
      const doomed = openInstance(db.sql, openai, { staleReplySeconds: 1 });
      openai.script({ text: 'The answer starts here and', finishReason: 'length', usage: { promptTokens: 10, completionTokens: 5 } });
      const first = await readChatEvents(await doomed.post(user, { message: 'Tell me', maxTokens: 50 }));
      const { conversationId, assistantMessageId: cutId } = first[0] as Start;
      openai.script({ ...SLOW, delayMs: 60 });
      const response = await doomed.post(user, { conversationId, continueMessageId: cutId });
      const seen = readChatEvents(response).catch(() => []);
      const runId = (await eventually(async () => {
        const rows = await db.admin(
          `select e.run_id from public.ai_chat_reply_events e join public.ai_chat_reply_runs r on r.id = e.run_id where r.user_id = $1 and r.id <> $2`,
          [user, cutId],
        );
        expect(rows.length).toBeGreaterThanOrEqual(1);
        return rows[0]!.run_id;
      })) as string;
      doomed.kill();

      await eventually(async () => {
        await b.handler.replies.sweep();
        expect(await runState(runId)).toBe('interrupted');
      }, 10_000);
      const messages = (await db.admin(`select id, role, content, status, metadata from public.ai_chat_messages where conversation_id = $1 order by created_at`, [
        conversationId,
      ])) as { id: string; role: string; content: string; status: string; metadata: Record<string, unknown> }[];
      expect(messages.map((m) => [m.role, m.id === cutId])).toEqual([
        ['user', false],
        ['assistant', true],
      ]);
      const carried = messages[1]!;
      expect(carried.status).toBe('partial');
      expect(carried.content.startsWith('The answer starts here and')).toBe(true);
      expect(carried.content.length).toBeGreaterThan('The answer starts here and'.length);
      expect(carried.metadata.error).toMatchObject({ code: 'interrupted' });
      // Both turns billed once, each on the one reply.
      const usage = await usageRows(user);
      expect(usage.map((row) => [row.status, row.message_id])).toEqual([
        ['settled', cutId],
        ['settled', cutId],
      ]);
      await response.body?.cancel().catch(() => undefined);
      void seen;
    }, 20_000);

    it('a reply whose instance died in its first second still leaves a row saying so, and its prompt billed, not its whole hold', async () => {
      const user = await db.createUser();
      const doomed = openInstance(db.sql, openai, { staleReplySeconds: 1 });
      // The first word comes late: the instance dies before its first checkpoint.
      openai.script({ ...SLOW, delayMs: 3_000 });
      const response = await doomed.post(user, { message: 'Die at once' });
      const seen = readChatEvents(response).catch(() => []);
      const id = (await eventually(async () => {
        const rows = await db.admin(`select id from public.ai_chat_reply_runs where user_id = $1`, [user]);
        expect(rows).toHaveLength(1);
        return rows[0]!.id;
      })) as string;
      doomed.kill();

      await eventually(async () => {
        await b.handler.replies.sweep();
        expect(await runState(id)).toBe('interrupted');
      }, 10_000);
      const row = (await assistantRow(id))!;
      expect(row).toMatchObject({ status: 'partial', content: '' });
      expect(row.metadata.error).toMatchObject({ code: 'interrupted' });
      const usage = await usageRows(user);
      expect(usage).toHaveLength(1);
      expect(usage[0]).toMatchObject({ status: 'settled', message_id: id, completion_tokens: 0 });
      expect(usage[0]!.prompt_tokens).toBeGreaterThan(0);
      // The dead instance's reply would stream on for minutes (a word every 3 s): leave it.
      await response.body?.cancel().catch(() => undefined);
      void seen;
    }, 20_000);

    it('deleting the conversation mid-reply stops the reply: the bill stops at what streamed', async () => {
      const user = await db.createUser();
      openai.script(SLOW);
      const response = await a.post(user, { message: 'Delete me midway' });
      const { midReply, events: reading } = midReplyOf(response);
      const start = (await eventually(async () => {
        const rows = await db.admin(`select id, conversation_id from public.ai_chat_reply_runs where user_id = $1`, [user]);
        expect(rows).toHaveLength(1);
        return rows[0]!;
      })) as { id: string; conversation_id: string };
      await midReply;
      // Deleted through the other instance: the generating one learns it from its next tick.
      expect((await b.call(user, 'DELETE', `/conversations/${start.conversation_id}`)).status).toBe(204);
      const deletedAt = Date.now();
      const events = await reading;
      expect(Date.now() - deletedAt).toBeLessThan(1_000);
      expect(textOf(events).length).toBeLessThan(LONG_TEXT.length);
      await openai.waitForAborts(1, 2_000);
      const [usage] = await eventually(async () => {
        const rows = await usageRows(user);
        expect(rows[0]?.status).toBe('settled');
        return rows;
      });
      expect(usage!.completion_tokens).toBeLessThan(100);
    });

    it('a reply that ends after the person moved on to another branch does not take the conversation back to it', async () => {
      const user = await db.createUser();
      openai.script({ text: 'First answer.' });
      const first = (await readChatEvents(await a.post(user, { message: 'Question' })))[0] as Start;
      const conversationId = first.conversationId;

      // A regenerate runs long; meanwhile the person carries on under the first answer.
      openai.script(SLOW);
      const regenerate = readChatEvents(await a.post(user, { conversationId, parentMessageId: first.userMessageId }));
      await eventually(async () => expect(openai.requests).toHaveLength(2));
      openai.script({ text: 'Follow-up answer.' });
      const followUp = (await readChatEvents(
        await b.post(user, { conversationId, message: 'And then?', parentMessageId: first.assistantMessageId }),
      ))[0] as Start;
      await regenerate;

      const detail = conversationDetailSchema.parse(await (await a.call(user, 'GET', `/conversations/${conversationId}`)).json());
      expect(detail.messages.map((message) => message.id)).toEqual([
        first.userMessageId,
        first.assistantMessageId,
        followUp.userMessageId,
        followUp.assistantMessageId,
      ]);
    });

    it('maxReplySeconds ends a reply nobody stops as partial, saying it reached its time limit', async () => {
      const user = await db.createUser();
      const limited = openInstance(db.sql, openai, { maxReplySeconds: 1 });
      onTestFinished(() => limited.kill());
      openai.script({ ...SLOW, delayMs: 100 });
      const events = await readChatEvents(await limited.post(user, { message: 'Ramble' }));
      expect(events.at(-1)).toEqual({ type: 'error', code: 'aborted', message: 'The reply reached its time limit of 1 s.', reason: 'time_limit' });
      const start = events[0] as Start;
      const row = (await eventually(async () => {
        const found = await assistantRow(start.assistantMessageId);
        expect(found).toBeDefined();
        return found;
      }))!;
      expect(row.status).toBe('partial');
      expect(row.content).toBe(textOf(events));
      expect(row.metadata.error).toMatchObject({ code: 'aborted', message: 'The reply reached its time limit of 1 s.' });
    });

    it('checkpoint writes per reply are bounded by its duration (about one a second), never one per token', async () => {
      const user = await db.createUser();
      openai.script(SLOW);
      const began = Date.now();
      // The default cadence (one checkpoint a second), not the fast one the other tests here use.
      const paced = openInstance(db.sql, openai);
      onTestFinished(() => paced.kill());
      const events = await readChatEvents(await paced.post(user, { message: 'Count my checkpoints' }));
      const seconds = (Date.now() - began) / 1000;
      const start = events[0] as Start;
      const run = await eventually(async () => {
        const found = paced.handler.replies.get(start.assistantMessageId, user);
        expect(found?.settledInDb).toBe(true);
        return found!;
      });
      const chunks = (await db.admin(`select count(*)::int as n from public.ai_chat_reply_events where run_id = $1`, [start.assistantMessageId]))[0]!.n as number;
      expect(deltas(events)).toBe(60);
      expect(run.checkpointsWritten).toBeGreaterThanOrEqual(1);
      expect(run.checkpointsWritten).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      expect(chunks).toBeLessThanOrEqual(run.checkpointsWritten);
      console.info(`durable-replies (${kind}): ${run.checkpointsWritten} checkpoint writes (${chunks} chunk rows) for a ${seconds.toFixed(1)} s reply of ${deltas(events)} deltas`);
    });

    it('the conversation detail lists a reply still generating, and none once it ended', async () => {
      openai.script(SLOW);
      const response = await a.post(alice, { message: 'Detail' });
      let start: Start | undefined;
      let during: unknown;
      const done = readChatEventsWhile(response, (events) => {
        start ??= events[0] as Start;
      });
      await eventually(async () => {
        expect(start).toBeDefined();
        const detail = conversationDetailSchema.parse(await (await b.call(alice, 'GET', `/conversations/${start!.conversationId}`)).json());
        expect(detail.generating).toHaveLength(1);
        during = detail.generating[0];
      });
      expect(during).toMatchObject({ id: start!.assistantMessageId, parentId: start!.userMessageId, provider: 'openai', model: 'gpt-4o' });
      await done;
      await eventually(async () => {
        const detail = conversationDetailSchema.parse(await (await a.call(alice, 'GET', `/conversations/${start!.conversationId}`)).json());
        expect(detail.generating).toEqual([]);
      });
    });

    it('bad input to the reply routes is a 4xx JSON error, never a 500', async () => {
      const id = crypto.randomUUID();
      const cases: [string, string, string | undefined, number][] = [
        ['POST', `/replies/not-a-uuid/stop`, '{}', 404],
        ['GET', `/replies/not-a-uuid/stream`, undefined, 404],
        ['GET', `/replies/${id}/stop`, undefined, 405],
        ['POST', `/replies/${id}/stream`, '{}', 405],
        ['POST', `/replies/${id}/stop`, 'not json', 400],
        ['POST', `/replies/${id}/stop`, '[1,2]', 400],
        ['POST', `/replies/${id}/stop`, 'x'.repeat(5_000), 413],
        ['POST', `/replies/${id}/stop`, '{}', 404],
        ['GET', `/replies/${id}`, undefined, 404],
        ['GET', `/replies/${id}/stream/more`, undefined, 404],
        ['GET', `/replies`, undefined, 404],
      ];
      for (const [method, path, body, status] of cases) {
        const response = await a.call(alice, method, path, body);
        expect({ method, path, status: response.status }).toEqual({ method, path, status });
        expect(response.headers.get('content-type')).toContain('application/json');
        expect((await response.json()).error.code).toEqual(expect.any(String));
      }
    });
  });
}

/** Reads a whole SSE response, calling `onEvents` after each chunk with everything so far. */
async function readChatEventsWhile(response: Response, onEvents: (events: ChatEvent[]) => void): Promise<ChatEvent[]> {
  let all: ChatEvent[] = [];
  await readUntil(response, (events) => {
    all = events;
    onEvents(events);
    return false;
  });
  return all;
}
