// @vitest-environment jsdom
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { canRetry, RefusedChatError } from '@/features/ai-chat/client/http-error';
import { eventually } from '../support/chat-harness';
import { cutNextChatResponse, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/**
 * The session's state machine (issue 9 items 1, 2 and 5) against the real handler: a new chat, a
 * failed turn and a refused regenerate, and what the next message does after each.
 */

let backend: ChatBackend;
let sessions: ChatSession[] = [];
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});
beforeEach(() => {
  backend.server.resetHandlers();
  backend.harness.openai.reset();
  backend.harness.anthropic.reset();
});
afterEach(() => {
  for (const session of sessions) session.dispose();
  sessions = [];
});

function newSession(): ChatSession {
  const session = new ChatSession();
  sessions.push(session);
  return session;
}

type Row = { id: string; role: string; content: string; status: string; parent_id: string | null; tokens: number | null };
const rowsOf = (conversationId: string) =>
  backend.harness.sql<Row>(
    'select id, role, content, status, parent_id, tokens from public.ai_chat_messages where conversation_id = $1 order by created_at',
    [conversationId],
  );

/** The JSON bodies of the POST /api/chat requests the session makes from now on. */
function recordChatBodies(): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  backend.server.events.on('request:start', ({ request }) => {
    if (request.method === 'POST' && request.url === backend.base) void request.clone().json().then((body) => bodies.push(body as Record<string, unknown>));
  });
  return bodies;
}

const contents = (session: ChatSession) => session.messages.getMessages().map((m) => m.content);

function refuseNextChat(body: Record<string, unknown>, retryAfter = '3600') {
  backend.server.use(
    http.post(backend.base, () => HttpResponse.json({ error: body }, { status: 429, headers: { 'retry-after': retryAfter } }), { once: true }),
  );
}

describe('ChatSession: a new chat', () => {
  it('after a first chat, New chat shows nothing and the next message makes a second conversation', async () => {
    backend.harness.openai.script({ text: 'First answer.' }, { text: 'Second answer.' });
    const bodies = recordChatBodies();
    const session = newSession();
    await session.sendMessage('First question');
    const first = session.getState().conversationId!;
    expect(contents(session)).toEqual(['First question', 'First answer.']);

    session.startNewChat();
    expect(session.messages.getMessages()).toEqual([]);
    expect(session.getState()).toMatchObject({ conversationId: null, status: 'idle', error: null, conversationModel: null });

    await session.sendMessage('Second question');
    const second = session.getState().conversationId!;
    expect(second).not.toBe(first);
    expect(contents(session)).toEqual(['Second question', 'Second answer.']);
    await eventually(async () => expect(bodies).toHaveLength(2));
    expect(bodies[1]).not.toHaveProperty('conversationId');
    expect(bodies[1]).not.toHaveProperty('parentMessageId');
    expect((await rowsOf(first)).map((r) => r.content)).toEqual(['First question', 'First answer.']);
    expect((await rowsOf(second)).map((r) => r.content)).toEqual(['Second question', 'Second answer.']);
  });

  it('New chat while a reply streams: the old reply never comes back, and the next message starts afresh', async () => {
    backend.harness.openai.script({ text: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), delayMs: 25 }, { text: 'Fresh.' });
    const session = newSession();
    const streaming = session.sendMessage('Talk a lot');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));

    session.startNewChat();
    await streaming;
    // Long enough for a stopped reply's re-read to have come back, were it not dropped.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(session.messages.getMessages()).toEqual([]);
    expect(session.getState()).toMatchObject({ conversationId: null, status: 'idle' });

    await session.sendMessage('Something else');
    expect(contents(session)).toEqual(['Something else', 'Fresh.']);
    expect((await rowsOf(session.getState().conversationId!)).map((r) => r.content)).toEqual(['Something else', 'Fresh.']);
  });
});

describe('ChatSession: a failed turn', () => {
  it('the failed reply shows its error in its row, and the next message goes under what the server has', async () => {
    // The SDK retries a 500 twice; the third one fails the turn before any text.
    const down = { httpError: { status: 500, message: 'The server had an error' } };
    backend.harness.openai.script(down, down, down, { text: 'All good now.' });
    const session = newSession();
    await session.sendMessage('First question');

    const [question, failed] = session.messages.getMessages();
    expect(session.getState().status).toBe('error');
    expect(failed).toMatchObject({ role: 'assistant', state: 'error', error: expect.objectContaining({ retryable: true }) });
    expect(failed!.error!.message).not.toBe('');
    expect(session.getState().failedReplyKey).toBe(failed!.key);

    await session.sendMessage('Second question');

    expect(session.getState()).toMatchObject({ status: 'idle', error: null });
    expect(session.messages.getMessages().map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'First question', 'complete'],
      ['assistant', '', 'error'],
      ['user', 'Second question', 'complete'],
      ['assistant', 'All good now.', 'complete'],
    ]);
    const rows = await rowsOf(session.getState().conversationId!);
    const second = rows.find((r) => r.content === 'Second question')!;
    // Under the saved failed reply (a server that saves failed turns), else under the question.
    const savedFailed = rows.find((r) => r.role === 'assistant' && r.status === 'error');
    expect(second.parent_id).toBe(savedFailed?.id ?? question!.id);
  });

  it('Retry of a failed reply answers the same question again, without sending it twice', async () => {
    backend.harness.openai.script(
      { text: 'Half an answer', chunks: 3, streamError: { afterChunks: 1, type: 'server_error', message: 'The server had an error' } },
      { text: 'Second try.' },
    );
    const session = newSession();
    await session.sendMessage('Tell me');
    const failed = session.messages.getMessages()[1]!;
    expect(failed).toMatchObject({ state: 'error', content: expect.stringMatching(/^Half/) });

    await session.regenerate(failed.id);

    expect(session.getState()).toMatchObject({ status: 'idle', error: null, failedReplyKey: null });
    expect(contents(session)).toEqual(['Tell me', 'Second try.']);
    const rows = await rowsOf(session.getState().conversationId!);
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(1);
  });

  it('a reply saved as failed (after a reload) shows its error, and the next message goes under it', async () => {
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'Failed once', provider: 'openai', model: 'gpt-4o' });
    const question = await user.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Hello?' });
    // What a server that saves failed turns writes (CONTRACT section 2).
    const failed = await user.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: '',
      status: 'error',
      provider: 'openai',
      model: 'gpt-4o',
      metadata: { error: { code: 'provider_error', message: 'OpenAI had a problem answering. Try again.' } },
    });
    backend.harness.openai.script({ text: 'Now it works.' });
    const session = newSession();
    await session.load(conversation.id);

    expect(session.messages.getMessages()[1]).toMatchObject({
      id: failed.id,
      state: 'error',
      error: { code: 'provider_error', message: 'OpenAI had a problem answering. Try again.', retryable: true },
    });

    await session.sendMessage('Anyone there?');
    const rows = await rowsOf(conversation.id);
    expect(rows.find((r) => r.content === 'Anyone there?')!.parent_id).toBe(failed.id);
    expect(contents(session).at(-1)).toBe('Now it works.');
  });

  it('a message refused before it started is "Not sent", and the next one goes under the last saved reply', async () => {
    backend.harness.openai.script({ text: 'One.' }, { text: 'Two.' });
    const session = newSession();
    await session.sendMessage('First');
    const reply = session.messages.getMessages()[1]!;
    refuseNextChat({ code: 'rate_limited', message: 'Too many requests; wait a minute.', limit: 'requests_per_minute', retryable: true }, '30');

    await session.sendMessage('Refused');
    expect(session.messages.getMessages()[2]).toMatchObject({ content: 'Refused', state: 'error' });
    session.dismissError();
    await session.sendMessage('Second');

    const rows = await rowsOf(session.getState().conversationId!);
    expect(rows.find((r) => r.content === 'Second')!.parent_id).toBe(reply.id);
    expect(rows.some((r) => r.content === 'Refused')).toBe(false);
  });
});

describe('ChatSession: a refused regenerate', () => {
  it('puts the previous reply back and shows why, with no Retry when waiting would not help', async () => {
    backend.harness.openai.script({ text: 'The first answer.' });
    const session = newSession();
    await session.sendMessage('A question');
    const before = session.messages.getMessages();
    refuseNextChat({
      code: 'usage_limit',
      message: 'This reply could need up to 4,096 tokens but only 1,520 are left today. Your limit resets at midnight UTC, in 17 h.',
      limit: 'tokens_per_day',
      resetsAt: '2026-12-02T00:00:00.000Z',
      retryable: false,
    });

    await session.regenerate();

    expect(session.messages.getMessages()).toEqual(before);
    expect(session.messages.getMessages()[1]).toBe(before[1]);
    const { error, status } = session.getState();
    expect(status).toBe('error');
    expect(error).toBeInstanceOf(RefusedChatError);
    expect(error).toMatchObject({
      code: 'usage_limit',
      message: expect.stringContaining('resets at midnight UTC, in 17 h'),
      limit: 'tokens_per_day',
      resetsAt: '2026-12-02T00:00:00.000Z',
      retryable: false,
    });
    expect(canRetry(error!)).toBe(false);
  });
});

describe('ChatSession: stop', () => {
  it('after Stop the row is the saved reply: same text, and its tokens at once', async () => {
    backend.harness.openai.script({ text: Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '), delayMs: 30 });
    const session = newSession();
    const done = session.sendMessage('Talk a lot');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));

    session.stop();
    await done;
    expect(session.getState().status).toBe('idle');

    const reply = await eventually(async () => {
      const shown = session.messages.getMessages()[1]!;
      expect(shown.tokens).not.toBeNull();
      return shown;
    });
    const saved = (await rowsOf(session.getState().conversationId!))[1]!;
    expect(reply).toMatchObject({ id: saved.id, state: 'partial', content: saved.content, tokens: saved.tokens });
    expect(reply.content).toMatch(/^w0 w1 w2/);
  });
});

describe('ChatSession: the conversation’s model', () => {
  it('a loaded conversation names the model of its last reply; a send names the one it went to', async () => {
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'On Claude', provider: 'anthropic', model: 'claude-haiku-4-5' });
    const question = await user.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Hi' });
    await user.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Hello from Claude.',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
    const session = newSession();
    await session.load(conversation.id);
    expect(session.getState().conversationModel).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });

    backend.harness.openai.script({ text: 'Now OpenAI.' });
    session.selectModel({ provider: 'openai', model: 'gpt-4o-mini' });
    await session.sendMessage('Switch');
    expect(session.getState().conversationModel).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(session.messages.getMessages().at(-1)).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });

    session.startNewChat();
    expect(session.getState().conversationModel).toBeNull();
  });
});

describe('ChatSession: the provider backing off', () => {
  // The `retrying` event (CONTRACT section 1) is the server's to send (H1); until it does, a
  // scripted stream stands in for the handler in this one test.
  it('a `retrying` event is shown on the reply until its first text arrives', async () => {
    const ids = { conversationId: crypto.randomUUID(), userMessageId: crypto.randomUUID(), assistantMessageId: crypto.randomUUID() };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    backend.server.use(
      http.post(
        backend.base,
        () => {
          const encoder = new TextEncoder();
          const frame = (event: unknown) => encoder.encode(`data: ${JSON.stringify(event)}\n\n`);
          const body = new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(frame({ type: 'start', ...ids, provider: 'openai', model: 'gpt-4o' }));
              controller.enqueue(frame({ type: 'retrying', attempt: 1, retryAfterSeconds: 20, reason: 'rate_limited' }));
              await released;
              controller.enqueue(frame({ type: 'text-delta', delta: 'Finally.' }));
              controller.enqueue(frame({ type: 'finish', messageId: ids.assistantMessageId, finishReason: 'stop' }));
              controller.close();
            },
          });
          return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
        },
        { once: true },
      ),
    );
    const session = newSession();
    const done = session.sendMessage('Busy?');
    await eventually(async () =>
      expect(session.messages.getMessages()[1]?.retrying).toMatchObject({ attempt: 1, retryAfterSeconds: 20, reason: 'rate_limited' }),
    );
    expect(session.getState().status).toBe('streaming');

    release();
    await done;
    expect(session.messages.getMessages()[1]).toMatchObject({ content: 'Finally.', state: 'complete', retrying: null });
  });
});

describe('ChatSession: a reply the server goes on writing', () => {
  const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');

  /** `METHOD /path` of every request the sessions make from now on. */
  function recordRequests(): string[] {
    const seen: string[] = [];
    backend.server.events.on('request:start', ({ request }) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
    });
    return seen;
  }

  it('reopening a conversation whose reply is still generating shows it streaming and it ends whole', async () => {
    const text = words(50);
    backend.harness.openai.script({ text, delayMs: 25 });
    const first = newSession();
    const sending = first.sendMessage('Talk a lot');
    await eventually(async () => expect(first.messages.getMessages()[1]?.content).toMatch(/w2/));
    const conversationId = first.getState().conversationId!;
    // A reload: the page that sent it is gone.
    first.dispose();
    await sending;

    const finished: string[] = [];
    const reopened = newSession();
    reopened.setOptions({ onFinish: (message) => finished.push(message.content) });
    void reopened.load(conversationId);
    await eventually(async () => {
      expect(reopened.messages.getMessages()[1]).toMatchObject({ role: 'assistant', state: 'streaming' });
      expect(reopened.getState().status).toBe('streaming');
    });
    await eventually(async () => expect(reopened.getState().status).toBe('idle'), 10_000);

    const [question, reply] = reopened.messages.getMessages();
    const saved = await rowsOf(conversationId);
    expect(saved.map((row) => [row.content, row.status])).toEqual([
      ['Talk a lot', 'complete'],
      [text, 'complete'],
    ]);
    expect(reply).toMatchObject({ id: saved[1]!.id, parentId: question!.id, content: text, state: 'complete', error: null });
    expect(reply!.tokens).not.toBeNull();
    expect(finished).toEqual([text]);
    expect(reopened.getState().error).toBeNull();
  });

  it('Stop sends a stop request and the reply ends as stopped with what it had', async () => {
    const text = words(60);
    backend.harness.openai.script({ text, delayMs: 30 });
    const requests = recordRequests();
    const session = newSession();
    const done = session.sendMessage('Talk a lot');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));
    const replyId = session.messages.getMessages()[1]!.id;

    session.stop();
    await done;

    expect(requests).toContain(`POST /api/chat/replies/${replyId}/stop`);
    const reply = await eventually(async () => {
      const shown = session.messages.getMessages()[1]!;
      expect(shown).toMatchObject({ state: 'partial' });
      expect(shown.tokens).not.toBeNull();
      return shown;
    });
    const saved = (await rowsOf(session.getState().conversationId!))[1]!;
    expect(saved.status).toBe('partial');
    expect(reply).toMatchObject({ id: replyId, content: saved.content, error: null });
    expect(reply.content).toMatch(/^w0 w1 w2/);
    expect(reply.content).not.toBe(text);
    expect(session.getState()).toMatchObject({ status: 'idle', error: null });
  });

  it('New chat while a reply streams leaves the reply generating on the server', async () => {
    const text = words(40);
    backend.harness.openai.script({ text, delayMs: 25 });
    const requests = recordRequests();
    const session = newSession();
    const sending = session.sendMessage('Talk a lot');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));
    const conversationId = session.getState().conversationId!;

    session.startNewChat();
    await sending;

    expect(session.messages.getMessages()).toEqual([]);
    const saved = await eventually(async () => {
      const rows = await rowsOf(conversationId);
      expect(rows[1]).toMatchObject({ role: 'assistant', status: 'complete' });
      return rows;
    }, 10_000);
    expect(saved[1]!.content).toBe(text);
    expect(requests.filter((request) => request.includes('/replies/'))).toEqual([]);
  });

  it('a stream cut by the network mid-reply reconnects to the same reply and it ends whole, complete, with no error', async () => {
    const text = words(40);
    backend.harness.openai.script({ text, delayMs: 25 });
    const requests = recordRequests();
    const session = newSession();
    // The start event and a few words, then the connection drops; the server writes on.
    cutNextChatResponse(backend, 4);
    const reconnecting: boolean[] = [];
    session.messages.subscribeAll(() => reconnecting.push(session.messages.getMessages()[1]?.reconnecting === true));
    await session.sendMessage('Talk a lot');

    const [, reply] = session.messages.getMessages();
    const saved = await rowsOf(session.getState().conversationId!);
    expect(saved.map((row) => [row.content, row.status])).toEqual([
      ['Talk a lot', 'complete'],
      [text, 'complete'],
    ]);
    expect(reply).toMatchObject({ id: saved[1]!.id, content: text, state: 'complete', error: null, reconnecting: false });
    expect(session.getState()).toMatchObject({ status: 'idle', error: null, failedReplyKey: null });
    expect(reconnecting).toContain(true);
    expect(requests).toContain(`GET /api/chat/replies/${saved[1]!.id}/stream`);
  });

  it('the browser going offline mid-reply counts as a broken stream: back online, the reply ends whole', async () => {
    const text = words(40);
    backend.harness.openai.script({ text, delayMs: 25 });
    const session = newSession();
    const done = session.sendMessage('Talk a lot');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));

    // A lost network may stall the stream without an error: the browser's word is enough.
    window.dispatchEvent(new Event('offline'));
    await eventually(async () => expect(session.messages.getMessages()[1]?.reconnecting).toBe(true));
    expect(session.getState().status).toBe('streaming');
    window.dispatchEvent(new Event('online'));
    await done;

    expect(session.messages.getMessages()[1]).toMatchObject({ content: text, state: 'complete', error: null, reconnecting: false });
    expect(session.getState()).toMatchObject({ status: 'idle', error: null });
  });

  it('a reply the server ends with a lost provider connection shows its error at once, with no reconnecting', async () => {
    backend.harness.openai.script({ text: words(20), delayMs: 10, failAfterChunks: 4 });
    const requests = recordRequests();
    const session = newSession();
    await session.sendMessage('Talk a lot');

    expect(session.messages.getMessages()[1]).toMatchObject({ state: 'error', reconnecting: false });
    expect(session.getState().status).toBe('error');
    expect(requests.filter((request) => request.includes('/replies/'))).toEqual([]);
  });

  it('a cut stream whose reply has ended by the time it reconnects shows the saved reply, complete', async () => {
    const text = words(12);
    backend.harness.openai.script({ text, delayMs: 5 });
    const session = newSession();
    cutNextChatResponse(backend, 2);
    // By the time the client re-attaches, the server keeps no stream of it any more.
    backend.server.use(
      http.get(`${backend.base}/replies/:id/stream`, () => HttpResponse.json({ error: { code: 'not_found', message: 'Not found.' } }, { status: 404 }), {
        once: true,
      }),
    );
    await session.sendMessage('Quick one');

    const reply = await eventually(async () => {
      const shown = session.messages.getMessages()[1]!;
      expect(shown).toMatchObject({ content: text, state: 'complete', error: null });
      return shown;
    }, 8_000);
    expect(reply.tokens).not.toBeNull();
    expect(session.getState()).toMatchObject({ status: 'idle', error: null, failedReplyKey: null });
  });

  it('a regenerated reply followed after a reload shows its versions (2/2) once it ends, as a sent one does', async () => {
    backend.harness.openai.script({ text: 'First version.' }, { text: words(40), delayMs: 25 });
    const first = newSession();
    await first.sendMessage('Say something');
    const conversationId = first.getState().conversationId!;
    const original = first.messages.getMessages()[1]!;
    const regenerating = first.regenerate(original.id);
    await eventually(async () => expect(first.messages.getMessages()[1]?.content).toMatch(/w2/));
    const sentVersions = first.messages.getMessages()[1]!.siblingIds;
    expect(sentVersions).toHaveLength(2);
    first.dispose();
    await regenerating;

    const reopened = newSession();
    void reopened.load(conversationId);
    await eventually(async () => expect(reopened.messages.getMessages()[1]).toMatchObject({ state: 'streaming' }));
    await eventually(async () => expect(reopened.getState().status).toBe('idle'), 10_000);

    const reply = await eventually(async () => {
      const shown = reopened.messages.getMessages()[1]!;
      expect(shown.siblingIds).toHaveLength(2);
      return shown;
    });
    expect(reply).toMatchObject({ content: words(40), state: 'complete' });
    expect(reply.siblingIds).toEqual([original.id, reply.id]);
    expect(reply.siblingIds).toEqual(sentVersions);
  });
});
