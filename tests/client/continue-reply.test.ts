// @vitest-environment jsdom
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { cutNextChatResponse, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';
import { eventually } from '../support/chat-harness';

/**
 * Issue 20, point 8, in the session against the real handler: Continue carries a cut reply on in
 * the same row (its id kept), sends only where to continue, and a refused Continue leaves the reply
 * as it was, still cut.
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
});
afterEach(() => {
  for (const session of sessions) session.dispose();
  sessions = [];
});

function newSession(options: ConstructorParameters<typeof ChatSession>[0] = {}): ChatSession {
  const session = new ChatSession(options);
  sessions.push(session);
  return session;
}

function recordChatBodies(): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  backend.server.events.on('request:start', ({ request }) => {
    if (request.method === 'POST' && request.url === backend.base) void request.clone().json().then((body) => bodies.push(body as Record<string, unknown>));
  });
  return bodies;
}

describe('Continue in the chat session', () => {
  it('carries a reply cut by its length limit on in the same row, which keeps its id', async () => {
    backend.harness.openai.script(
      { text: 'Roses are red, violets', finishReason: 'length', usage: { promptTokens: 9, completionTokens: 5 } },
      { text: ' are blue.', usage: { promptTokens: 30, completionTokens: 3 } },
    );
    const session = newSession({ systemPrompt: 'Be a poet.' });
    const bodies = recordChatBodies();
    await session.sendMessage('A poem');
    const [, cut] = session.messages.getMessages();
    expect(cut).toMatchObject({ role: 'assistant', content: 'Roses are red, violets', finishReason: 'length' });

    await session.continueReply(cut!.id);
    const rows = session.messages.getMessages();
    expect(rows.map((row) => row.role)).toEqual(['user', 'assistant']);
    expect(rows[1]).toMatchObject({ id: cut!.id, key: cut!.key, content: 'Roses are red, violets are blue.', state: 'complete', finishReason: 'stop' });
    // Only where to continue: no message, no parent, and the chat's own instructions stand.
    expect(bodies.at(-1)).toEqual({ conversationId: session.getState().conversationId, continueMessageId: cut!.id, provider: 'openai', model: 'gpt-4o' });
    expect(bodies[0]).toMatchObject({ systemPrompt: 'Be a poet.' });
    await session.sendMessage('Another');
    expect(bodies.at(-1)).not.toHaveProperty('systemPrompt');
  });

  it('a refused Continue leaves the reply as it was, still cut', async () => {
    backend.harness.openai.script({ text: 'Half a', finishReason: 'length' });
    const session = newSession();
    await session.sendMessage('Say something');
    const [, cut] = session.messages.getMessages();
    backend.server.use(
      http.post(backend.base, () => HttpResponse.json({ error: { code: 'usage_limit', message: 'Your daily limit is reached.' } }, { status: 429 }), {
        once: true,
      }),
    );
    await session.continueReply(cut!.id);
    const rows = session.messages.getMessages();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ id: cut!.id, content: 'Half a', state: 'complete', finishReason: 'length' });
    expect(session.getState().error?.code).toBe('usage_limit');
  });

  it('a Continue whose stream the network cuts reconnects and the reply keeps its first words: the replay joins them, not replaces them', async () => {
    const more = Array.from({ length: 40 }, (_, index) => ` m${index}`).join('');
    backend.harness.openai.script({ text: 'Roses are red,', finishReason: 'length' }, { text: more, delayMs: 25 });
    const session = newSession();
    await session.sendMessage('A poem');
    const [, cut] = session.messages.getMessages();
    const shown: string[] = [];
    session.messages.subscribeAll(() => shown.push(session.messages.getMessages()[1]?.content ?? ''));
    // The start event and a few words, then the connection drops; the server writes on.
    cutNextChatResponse(backend, 4);
    await session.continueReply(cut!.id);
    expect(session.messages.getMessages()[1]).toMatchObject({ id: cut!.id, content: `Roses are red,${more}`, state: 'complete', error: null });
    // Never shown without the words it carries on, not even while the replay began.
    expect(shown.filter((content) => !content.startsWith('Roses are red,'))).toEqual([]);
  });

  it('a reload mid-Continue follows the continuation live in the same row, which ends whole and keeps its id', async () => {
    const more = Array.from({ length: 40 }, (_, index) => ` m${index}`).join('');
    backend.harness.openai.script({ text: 'Roses are red,', finishReason: 'length' }, { text: more, delayMs: 25 });
    const first = newSession();
    await first.sendMessage('A poem');
    const [, cut] = first.messages.getMessages();
    const continuing = first.continueReply(cut!.id);
    await eventually(async () => expect(first.messages.getMessages()[1]?.content).toMatch(/m2/));
    const conversationId = first.getState().conversationId!;
    // A reload: the page that pressed Continue is gone; the server goes on.
    first.dispose();
    await continuing;

    const reopened = newSession();
    void reopened.load(conversationId);
    await eventually(async () => {
      expect(reopened.messages.getMessages()).toHaveLength(2);
      expect(reopened.messages.getMessages()[1]).toMatchObject({ id: cut!.id, state: 'streaming' });
      expect(reopened.getState().status).toBe('streaming');
    });
    await eventually(async () => expect(reopened.getState().status).toBe('idle'), 10_000);
    const rows = reopened.messages.getMessages();
    expect(rows.map((row) => row.role)).toEqual(['user', 'assistant']);
    expect(rows[1]).toMatchObject({ id: cut!.id, content: `Roses are red,${more}`, state: 'complete' });
  });
});
