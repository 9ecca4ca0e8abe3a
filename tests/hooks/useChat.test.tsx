// @vitest-environment jsdom
import { cleanup, act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useChat } from '@/features/ai-chat/hooks/useChat';
import { eventually } from '../support/chat-harness';
import { cutNextChatResponse, seedConversation, startChatBackend, type ChatBackend } from './support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
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

type Row = { id: string; role: string; content: string; status: string; parent_id: string | null };
const rowsOf = (conversationId: string) =>
  backend.harness.sql<Row>('select id, role, content, status, parent_id from public.ai_chat_messages where conversation_id = $1 order by created_at', [
    conversationId,
  ]);

describe('useChat', () => {
  it('sends a message, streams the reply and names the new conversation', async () => {
    backend.harness.openai.script({ text: 'Hello there, friend.', chunks: 4, usage: { promptTokens: 10, completionTokens: 5 } });
    const created: string[] = [];
    const sent: string[] = [];
    const { result } = renderHook(() =>
      useChat({ onConversationCreated: (id) => created.push(id), onMessageSent: (m) => sent.push(m.content) }),
    );

    await act(() => result.current.sendMessage('Say hello'));

    expect(result.current.status).toBe('idle');
    expect(result.current.error).toBeNull();
    const [user, assistant] = result.current.messages;
    expect(user).toMatchObject({ role: 'user', content: 'Say hello', state: 'complete' });
    expect(assistant).toMatchObject({ role: 'assistant', content: 'Hello there, friend.', state: 'complete', tokens: 5 });
    expect(user!.id).not.toMatch(/^local-/);
    expect(result.current.conversationId).toBe(created[0]);
    expect(sent).toEqual(['Say hello']);
  });

  it('shows the user message at once and the reply growing while it streams', async () => {
    backend.harness.openai.script({ text: 'one two three four five six', delayMs: 40 });
    const { result } = renderHook(() => useChat());

    let done!: Promise<void>;
    act(() => {
      done = result.current.sendMessage('Count');
    });
    expect(result.current.messages[0]).toMatchObject({ role: 'user', content: 'Count', state: 'pending' });
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.status).toBe('streaming'));
    await waitFor(() => expect(result.current.messages[1]!.content).toMatch(/^one two/));
    expect(result.current.messages[1]!.state).toBe('streaming');
    await act(() => done);
    expect(result.current.messages[1]).toMatchObject({ content: 'one two three four five six', state: 'complete' });
  });

  it('stop() ends the reply, keeps the partial text, and the server keeps it too', async () => {
    backend.harness.openai.script({ text: Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '), delayMs: 30 });
    const { result } = renderHook(() => useChat());
    let done!: Promise<void>;
    act(() => {
      done = result.current.sendMessage('Talk a lot');
    });
    await waitFor(() => expect(result.current.messages[1]?.content).toMatch(/w2/));

    act(() => result.current.stop());
    await act(() => done);

    const reply = result.current.messages[1]!;
    expect(result.current.status).toBe('idle');
    expect(result.current.error).toBeNull();
    expect(reply.state).toBe('partial');
    expect(reply.content).toMatch(/^w0 w1 w2/);
    expect(reply.content).not.toMatch(/w59/);
    const rows = await eventually(async () => {
      const saved = await rowsOf(result.current.conversationId!);
      expect(saved[1]).toMatchObject({ role: 'assistant', status: 'partial' });
      return saved;
    });
    expect(reply.content.startsWith(rows[1]!.content.slice(0, 5))).toBe(true);
    // Then the row becomes the saved reply: the same text, and its tokens without a reload.
    await waitFor(() => expect(result.current.messages[1]!.tokens).not.toBeNull(), { timeout: 5_000 });
    const saved = (await rowsOf(result.current.conversationId!))[1]!;
    expect(result.current.messages[1]).toMatchObject({ content: saved.content, state: 'partial' });
  });

  it('a connection that stays lost keeps the partial reply, shows a network error once reconnecting gives up, and retry answers again', async () => {
    backend.harness.openai.script({ text: 'alpha beta gamma delta epsilon', delayMs: 10 }, { text: 'Second try.' });
    cutNextChatResponse(backend, 3);
    // Every attempt to read the reply again fails as the network does.
    backend.server.use(http.get(`${backend.base}/replies/:id/stream`, () => HttpResponse.error()));
    const { result } = renderHook(() => useChat({ reconnectDelaysMs: [10, 10] }));

    await act(() => result.current.sendMessage('Tell me'));

    expect(result.current.status).toBe('error');
    expect(result.current.error?.code).toBe('network');
    const broken = result.current.messages[1]!;
    expect(broken).toMatchObject({ state: 'error', reconnecting: false });
    expect(broken.content).not.toBe('');
    expect('alpha beta gamma delta epsilon'.startsWith(broken.content)).toBe(true);

    await act(() => result.current.retryLastMessage());

    expect(result.current.status).toBe('idle');
    expect(result.current.error).toBeNull();
    expect(result.current.messages.map((m) => m.content)).toEqual(['Tell me', 'Second try.']);
    // Retrying after the server saved the turn is a regenerate: a second version of the reply,
    // never a duplicate of the question.
    expect(result.current.messages[0]!.siblingIds).toEqual([]);
    expect(result.current.messages[1]!.siblingIds).toHaveLength(2);
    const rows = await rowsOf(result.current.conversationId!);
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(1);
  });

  it('shows the server error when the provider fails, and the message can be retried', async () => {
    backend.harness.openai.script({ httpError: { status: 401, message: 'Incorrect API key provided: sk-test' } }, { text: 'Better now.' });
    const { result } = renderHook(() => useChat());

    await act(() => result.current.sendMessage('Hello?'));

    expect(result.current.status).toBe('error');
    expect(result.current.error).not.toBeNull();
    expect(result.current.error!.message).not.toMatch(/sk-test/);

    await act(() => result.current.retryLastMessage());
    expect(result.current.error).toBeNull();
    expect(result.current.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Better now.', state: 'complete' });
  });

  it('an error response before streaming marks the message unsent; retry sends the same request again', async () => {
    backend.server.use(
      http.post(backend.base, () => HttpResponse.json({ error: { code: 'usage_limit', message: 'You have used today’s tokens.' } }, { status: 429, headers: { 'retry-after': '30' } }), {
        once: true,
      }),
    );
    backend.harness.openai.script({ text: 'Made it.' });
    const { result } = renderHook(() => useChat());

    await act(() => result.current.sendMessage('Once more'));
    expect(result.current.error).toMatchObject({ code: 'usage_limit', message: 'You have used today’s tokens.', retryAfterSeconds: 30 });
    expect(result.current.messages).toHaveLength(1);
    expect(result.current.messages[0]).toMatchObject({ content: 'Once more', state: 'error' });

    await act(() => result.current.retryLastMessage());
    expect(result.current.messages.map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'Once more', 'complete'],
      ['assistant', 'Made it.', 'complete'],
    ]);
    expect(backend.harness.openai.requests).toHaveLength(1);
  });

  it('editing a user message creates a branch, and switchBranch pages between the versions', async () => {
    backend.harness.openai.script({ text: 'Paris.' }, { text: 'Rome.' });
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('Capital of France?'));
    const original = result.current.messages[0]!;

    await act(() => result.current.editMessage(original.id, 'Capital of Italy?'));

    expect(result.current.messages.map((m) => m.content)).toEqual(['Capital of Italy?', 'Rome.']);
    const edited = result.current.messages[0]!;
    expect(edited.parentId).toBeNull();
    expect(edited.siblingIds).toEqual([original.id, edited.id]);
    const rows = await rowsOf(result.current.conversationId!);
    expect(rows.filter((r) => r.role === 'user').map((r) => r.parent_id)).toEqual([null, null]);

    await act(() => result.current.switchBranch(edited.id, 'previous'));
    expect(result.current.messages.map((m) => m.content)).toEqual(['Capital of France?', 'Paris.']);
    expect(result.current.messages[0]!.siblingIds).toEqual([original.id, edited.id]);

    await act(() => result.current.switchBranch(original.id, 'next'));
    expect(result.current.messages.map((m) => m.content)).toEqual(['Capital of Italy?', 'Rome.']);
  });

  it('regenerate answers the same question again, keeping the old reply as the previous version', async () => {
    backend.harness.openai.script({ text: 'First.' }, { text: 'Second.' }, { text: 'Another.' });
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('One'));
    await act(() => result.current.sendMessage('Two'));
    const [, firstReply, secondQuestion, secondReply] = result.current.messages;

    await act(() => result.current.regenerate());

    expect(result.current.messages.map((m) => m.content)).toEqual(['One', 'First.', 'Two', 'Another.']);
    const regenerated = result.current.messages[3]!;
    expect(regenerated.parentId).toBe(secondQuestion!.id);
    expect(regenerated.siblingIds).toEqual([secondReply!.id, regenerated.id]);
    // The question was not sent twice.
    const rows = await rowsOf(result.current.conversationId!);
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(2);
    // Finished rows before the branch point are the same objects: their rows did not re-render.
    expect(result.current.messages[1]).toBe(firstReply);
    expect(result.current.messages[2]).toBe(secondQuestion);

    await act(() => result.current.switchBranch(regenerated.id, 'previous'));
    expect(result.current.messages.map((m) => m.content)).toEqual(['One', 'First.', 'Two', 'Second.']);
  });

  it('loads an existing conversation and continues it', async () => {
    const conversationId = await seedConversation(backend, 4);
    backend.harness.openai.script({ text: 'Continuing.' });
    const { result } = renderHook(() => useChat({ conversationId }));

    await waitFor(() => expect(result.current.messages).toHaveLength(4));
    expect(result.current.historyLoading).toBe(false);
    expect(result.current.messages[3]).toMatchObject({ role: 'assistant', content: 'Answer **3**', tokens: 7, cost: '0.0001' });

    await act(() => result.current.sendMessage('And then?'));
    expect(result.current.messages).toHaveLength(6);
    expect(result.current.conversationId).toBe(conversationId);
    const sent = backend.harness.openai.requests[0]!.body.messages as { content: unknown }[];
    expect(JSON.stringify(sent)).toContain('Question 2');
  });

  it('shows not_found for a conversation that does not exist, and clearMessages starts afresh', async () => {
    const { result } = renderHook(() => useChat({ conversationId: '6f1c0a4e-2b1d-4c3e-9f00-000000000000' }));
    await waitFor(() => expect(result.current.error?.code).toBe('not_found'));
    act(() => result.current.clearMessages());
    expect(result.current.error).toBeNull();
    expect(result.current.conversationId).toBeNull();
    expect(result.current.messages).toEqual([]);
  });

  it('New chat after a first chat (the app clears its conversationId): the next message makes a second conversation', async () => {
    backend.harness.openai.script({ text: 'One.' }, { text: 'Two.' });
    let conversationId: string | null = null;
    const { result, rerender } = renderHook(() => useChat({ conversationId, onConversationCreated: (id) => (conversationId = id) }));
    await act(() => result.current.sendMessage('First'));
    const first = result.current.conversationId!;
    rerender();
    expect(result.current.messages).toHaveLength(2);

    conversationId = null;
    rerender();
    expect(result.current.messages).toEqual([]);
    expect(result.current.conversationId).toBeNull();

    await act(() => result.current.sendMessage('Second'));
    expect(result.current.conversationId).not.toBe(first);
    expect((await rowsOf(result.current.conversationId!)).map((r) => r.content)).toEqual(['Second', 'Two.']);
    expect((await rowsOf(first)).map((r) => r.content)).toEqual(['First', 'One.']);
  });

  it('startNewChat empties the chat even when the conversationId prop never changed', async () => {
    backend.harness.openai.script({ text: 'One.' }, { text: 'Two.' });
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('First'));
    const first = result.current.conversationId!;

    act(() => result.current.startNewChat());
    expect(result.current.messages).toEqual([]);

    await act(() => result.current.sendMessage('Second'));
    expect(result.current.conversationId).not.toBe(first);
    expect(result.current.messages.map((m) => m.content)).toEqual(['Second', 'Two.']);
  });

  it('after a reply fails, the next message is sent and answered, not lost as "Message not found"', async () => {
    const down = { httpError: { status: 500, message: 'The server had an error' } };
    backend.harness.openai.script(down, down, down, { text: 'Answer to the second.' });
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('First'));
    expect(result.current.messages[1]).toMatchObject({ role: 'assistant', state: 'error', error: expect.objectContaining({ retryable: true }) });

    await act(() => result.current.sendMessage('Second'));

    expect(result.current.error).toBeNull();
    expect(result.current.messages.slice(2).map((m) => [m.content, m.state])).toEqual([
      ['Second', 'complete'],
      ['Answer to the second.', 'complete'],
    ]);
    const rows = await rowsOf(result.current.conversationId!);
    expect(rows.map((r) => r.content)).toContain('Second');
  });

  it('a regenerate refused over a limit leaves the previous reply shown and says why', async () => {
    backend.harness.openai.script({ text: 'Keep me.' });
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('Question'));
    backend.server.use(
      http.post(
        backend.base,
        () =>
          HttpResponse.json(
            { error: { code: 'usage_limit', message: 'Your limit resets at midnight UTC, in 17 h.', limit: 'tokens_per_day', resetsAt: '2026-12-02T00:00:00.000Z', retryable: false } },
            { status: 429, headers: { 'retry-after': '63148' } },
          ),
        { once: true },
      ),
    );

    await act(() => result.current.regenerate());

    expect(result.current.messages.map((m) => [m.content, m.state])).toEqual([
      ['Question', 'complete'],
      ['Keep me.', 'complete'],
    ]);
    expect(result.current.error).toMatchObject({ code: 'usage_limit', limit: 'tokens_per_day', retryable: false });
  });

  it('unmounting mid-reply leaves it generating; mounting again on the conversation shows it streaming until it ends whole', async () => {
    const text = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    backend.harness.openai.script({ text, delayMs: 25, usage: { promptTokens: 10, completionTokens: 50 } });
    const first = renderHook(() => useChat());
    act(() => {
      void first.result.current.sendMessage('Talk a lot');
    });
    await waitFor(() => expect(first.result.current.messages[1]?.content).toMatch(/w2/));
    const conversationId = first.result.current.conversationId!;
    first.unmount();

    const finished: string[] = [];
    const { result } = renderHook(() => useChat({ conversationId, onFinish: (message) => finished.push(message.content) }));
    await waitFor(() => expect(result.current.messages[1]).toMatchObject({ role: 'assistant', state: 'streaming' }));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.status).toBe('idle'), { timeout: 10_000 });

    expect(result.current.messages[1]).toMatchObject({ content: text, state: 'complete', tokens: 50 });
    expect(finished).toEqual([text]);
    expect((await rowsOf(conversationId)).map((r) => [r.content, r.status])).toEqual([
      ['Talk a lot', 'complete'],
      [text, 'complete'],
    ]);
  });

  it('a second chat on the same conversation follows the reply live, and Stop there stops it for both', async () => {
    const text = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    backend.harness.openai.script({ text, delayMs: 30 });
    const first = renderHook(() => useChat());
    let done!: Promise<void>;
    act(() => {
      done = first.result.current.sendMessage('Talk a lot');
    });
    await waitFor(() => expect(first.result.current.messages[1]?.content).toMatch(/w2/));
    const conversationId = first.result.current.conversationId!;

    const second = renderHook(() => useChat({ conversationId }));
    await waitFor(() => expect(second.result.current.messages[1]).toMatchObject({ state: 'streaming' }));
    const followed = second.result.current.messages[1]!.content;
    await waitFor(() => expect(second.result.current.messages[1]!.content.length).toBeGreaterThan(followed.length));

    act(() => second.result.current.stop());
    await act(() => done);

    await waitFor(
      () => {
        for (const chat of [first, second]) {
          expect(chat.result.current.status).toBe('idle');
          expect(chat.result.current.messages[1]).toMatchObject({ state: 'partial' });
          expect(chat.result.current.messages[1]!.tokens).not.toBeNull();
        }
      },
      { timeout: 5_000 },
    );
    const saved = (await rowsOf(conversationId))[1]!;
    expect(saved.status).toBe('partial');
    expect(saved.content).not.toBe(text);
    expect(first.result.current.messages[1]!.content).toBe(saved.content);
    expect(second.result.current.messages[1]!.content).toBe(saved.content);
    expect(first.result.current.error).toBeNull();
    expect(second.result.current.error).toBeNull();
  });
});
