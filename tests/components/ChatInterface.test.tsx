// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { rowRenderProbe } from '@/features/ai-chat/components/row-render-probe';
import { cutNextChatResponse, installLayoutStubs, seedConversation, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  installLayoutStubs();
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

const input = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Messages' });

function type(text: string) {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
}

describe('ChatInterface', () => {
  it('sends with Enter, streams the reply into the log, shows its cost, and keeps focus in the input', async () => {
    backend.harness.openai.script({ text: 'Hello **there**.', usage: { promptTokens: 8, completionTokens: 4 } });
    render(<ChatInterface userId="ignored" systemPrompt="You are helpful." />);
    await screen.findByRole('combobox', { name: 'Model' });
    input().focus();

    type('Hi');

    expect(within(log()).getByRole('article', { name: 'You said' }).textContent).toContain('Hi');
    await waitFor(() => expect(within(log()).getByRole('article', { name: 'Assistant said' }).querySelector('strong')?.textContent).toBe('there'));
    await waitFor(() => expect(within(log()).getByText(/4 tokens/)).toBeTruthy());
    expect(document.activeElement).toBe(input());
    expect(backend.harness.openai.requests[0]!.body.messages).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'system', content: 'You are helpful.' })]),
    );
  });

  it('Esc stops a streaming reply and the partial text stays', async () => {
    backend.harness.openai.script({ text: Array.from({ length: 80 }, (_, i) => `w${i}`).join(' '), delayMs: 25 });
    render(<ChatInterface showUsage={false} />);
    type('Go on');
    await screen.findByRole('button', { name: 'Stop' });
    await waitFor(() => expect(log().textContent).toMatch(/w3/));

    fireEvent.keyDown(input(), { key: 'Escape' });

    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull(), { timeout: 10_000 });
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(log().textContent).toMatch(/w0 w1 w2 w3/);
    expect(log().textContent).toContain('Stopped');
    expect(log().textContent).not.toMatch(/w79/);
  });

  it('the usage meter shows a reply "in progress" as soon as it starts, and spent once it ends', async () => {
    backend.harness.openai.script({ text: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), delayMs: 30 });
    render(<ChatInterface showModelPicker={false} />);
    type('Tell me a lot');

    const usage = await screen.findByRole('region', { name: 'Usage' });
    await waitFor(() => expect(usage.textContent).toMatch(/tokens today · up to [\d.,K]+ in progress/), { timeout: 10_000 });
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull(), { timeout: 10_000 });
    await waitFor(() => expect(usage.textContent).not.toContain('in progress'));
  });

  it('a failed reply leaves nothing "in progress" on the meter: what it held is let go', async () => {
    const down = { httpError: { status: 500, message: 'The server had an error' } };
    backend.harness.openai.script(down, down, down);
    render(<ChatInterface showModelPicker={false} />);
    type('Will this work?');
    const usage = await screen.findByRole('region', { name: 'Usage' });
    const reply = await screen.findByRole('article', { name: 'Assistant said' });
    await within(reply).findByRole('alert', {}, { timeout: 10_000 });
    await waitFor(() => expect(usage.textContent).toMatch(/tokens today/));
    await waitFor(() => expect(usage.textContent).not.toContain('in progress'));
  });

  it('a lost connection says it is reconnecting, and the reply then ends whole with no error', async () => {
    backend.harness.openai.script({ text: 'alpha beta gamma delta epsilon zeta eta theta', delayMs: 40 });
    cutNextChatResponse(backend, 3);
    render(<ChatInterface showUsage={false} />);
    type('Question');

    await screen.findByText('Connection lost; reconnecting…');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull(), { timeout: 10_000 });
    await waitFor(() => expect(log().textContent).toContain('alpha beta gamma delta epsilon zeta eta theta'));
    expect(log().textContent).not.toMatch(/alpha.*alpha/);
    expect(screen.queryByText('Connection lost; reconnecting…')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('edits a message into a new branch and pages back with the version picker', async () => {
    backend.harness.openai.script({ text: 'Paris.' }, { text: 'Rome.' });
    render(<ChatInterface showUsage={false} />);
    type('Capital of France?');
    await waitFor(() => expect(log().textContent).toContain('Paris.'));

    fireEvent.click(within(log()).getByRole('button', { name: 'Edit message' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Edit message' }), { target: { value: 'Capital of Italy?' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Edit message' }), { key: 'Enter' });

    await waitFor(() => expect(log().textContent).toContain('Rome.'));
    expect(log().textContent).not.toContain('Paris.');
    fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
    await waitFor(() => expect(log().textContent).toContain('Paris.'));
    expect(screen.getByRole('group', { name: 'Versions' }).textContent).toMatch(/1.*2/);
  });

  it('while a reply streams into a 200-message conversation, no finished row re-renders', async () => {
    const conversationId = await seedConversation(backend, 200);
    backend.harness.openai.script({ text: Array.from({ length: 30 }, (_, i) => `t${i}`).join(' '), delayMs: 5 });
    const renders = new Map<string, number>();
    const count = (key: string) => renders.set(key, (renders.get(key) ?? 0) + 1);
    rowRenderProbe.current = count;
    onTestFinished(() => {
      rowRenderProbe.current = null;
    });
    render(<ChatInterface conversationId={conversationId} showUsage={false} />);
    await waitFor(() => expect(within(log()).getAllByRole('article')).toHaveLength(200), { timeout: 10_000 });
    const finishedKeys = [...renders.keys()];
    expect(finishedKeys).toHaveLength(200);
    // The load may render the rows once more as it settles (its last state updates land after
    // the rows appear; on a slow machine, after this point): what counts is streaming.
    let lastTotal = -1;
    await waitFor(
      () => {
        const total = [...renders.values()].reduce((sum, n) => sum + n, 0);
        const settled = total === lastTotal;
        lastTotal = total;
        expect(settled).toBe(true);
      },
      { interval: 150, timeout: 10_000 },
    );
    const before = new Map(renders);

    // Looked up once, and the Stop button only within the message box: a role query over the whole
    // page computes styles for its 200 rows (jsdom), and waitFor runs it on every streamed
    // mutation. Those checks kept the event loop so busy that the reply's end showed 8 s late.
    const messages = log();
    const composer = input().closest('form')!;
    type('One more');
    await waitFor(() => expect(messages.textContent).toContain('t29'), { timeout: 10_000 });
    await waitFor(() => expect(within(composer).queryByRole('button', { name: 'Stop' })).toBeNull(), { timeout: 10_000 });

    const rerendered = finishedKeys.filter((key) => renders.get(key) !== before.get(key));
    expect(rerendered).toEqual([]);
    // The two new rows did render (more than once for the streamed one).
    const newKeys = [...renders.keys()].filter((key) => !before.has(key));
    expect(newKeys).toHaveLength(2);
  });

  it('lists only the models the server allows', async () => {
    render(<ChatInterface showUsage={false} />);
    const picker = await screen.findByRole('combobox', { name: 'Model' });
    const options = within(picker).getAllByRole('option').map((o) => (o as HTMLOptionElement).value);
    expect(options).toEqual(['openai:gpt-4o', 'openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', 'anthropic:claude-haiku-4-5']);
    await act(async () => {
      fireEvent.change(picker, { target: { value: 'anthropic:claude-haiku-4-5' } });
    });
    backend.harness.anthropic.script({ text: 'From Claude.' });
    type('Who are you?');
    await waitFor(() => expect(log().textContent).toContain('From Claude.'));
    expect(backend.harness.anthropic.requests[0]!.body.model).toBe('claude-haiku-4-5');
  });

  it('the picker shows the model a reopened conversation is held on, and the next message goes there', async () => {
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
      model: 'claude-haiku-4-5',
      tokens: 4,
      cost: '0.0001',
    });
    backend.harness.anthropic.script({ text: 'Still Claude.' });
    render(<ChatInterface conversationId={conversation.id} showUsage={false} />);

    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Model' }) as HTMLSelectElement).value).toBe('anthropic:claude-haiku-4-5'));
    // Each reply names the model that wrote it.
    expect(within(log()).getByRole('article', { name: 'Assistant said' }).textContent).toContain('claude-haiku-4-5');

    type('And now?');
    await waitFor(() => expect(log().textContent).toContain('Still Claude.'));
    expect(backend.harness.anthropic.requests[0]!.body.model).toBe('claude-haiku-4-5');
    expect(backend.harness.openai.requests).toHaveLength(0);
    // A handler without tools shows no Tools control, even in a chat that exists.
    expect(screen.queryByRole('button', { name: 'Tools' })).toBeNull();
  });

  it('a failed reply shows its error with Retry in its own row; Retry answers the question', async () => {
    const down = { httpError: { status: 500, message: 'The server had an error' } };
    backend.harness.openai.script(down, down, down, { text: 'Answered after all.' });
    render(<ChatInterface showUsage={false} />);
    type('Will this work?');

    const reply = await screen.findByRole('article', { name: 'Assistant said' });
    const alert = await within(reply).findByRole('alert', {}, { timeout: 10_000 });
    expect(alert.textContent).not.toBe('');
    // One place says it, with one Retry.
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: 'Retry' })).toHaveLength(1);

    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(log().textContent).toContain('Answered after all.'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a usage-limit refusal shows the server’s words and no Retry when waiting would not help', async () => {
    const message = 'This reply could need up to 4,096 tokens but only 1,520 are left today. Your limit resets at midnight UTC, in 17 h.';
    backend.server.use(
      http.post(
        backend.base,
        () =>
          HttpResponse.json(
            { error: { code: 'usage_limit', message, limit: 'tokens_per_day', resetsAt: '2026-12-02T00:00:00.000Z', retryable: false } },
            { status: 429, headers: { 'retry-after': '63148' } },
          ),
        { once: true },
      ),
    );
    render(<ChatInterface showUsage={false} />);
    type('Hello');

    const alert = await screen.findByRole('alert');
    expect(alert.querySelector('p')!.textContent).toBe(message);
    expect(within(alert).queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(alert.textContent).not.toMatch(/63148/);
  });
});
