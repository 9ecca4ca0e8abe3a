// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { installLayoutStubs, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';
import { scriptNextChat, startEvent, type ScriptedEvent } from '../hooks/support/scripted-chat';

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
});

const input = () => screen.getByRole('textbox', { name: 'Message' });
const reply = () => within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('article', { name: 'Assistant said' }).at(-1)!;

function send(text: string) {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
}

function turn(body: (start: Extract<ChatEvent, { type: 'start' }>) => ScriptedEvent[]): ScriptedEvent[] {
  const start = startEvent() as Extract<ChatEvent, { type: 'start' }>;
  return [start, ...body(start)];
}

const finish = (start: Extract<ChatEvent, { type: 'start' }>, finishReason: 'stop' | 'length' | 'content-filter' = 'stop'): ScriptedEvent => ({
  type: 'finish',
  messageId: start.assistantMessageId,
  finishReason,
});

describe('message parts in the chat', () => {
  it('shows "Thinking…" with the seconds while the model thinks, then a collapsed "Thought for 3 s" that opens to the reasoning, apart from the answer', async () => {
    scriptNextChat(
      backend,
      turn((start) => [
        { type: 'reasoning-start' },
        { type: 'reasoning-delta', delta: 'The user greets me. ' },
        { type: 'reasoning-delta', delta: 'I should **greet** back.', afterMs: 1500 },
        { type: 'reasoning-end', durationMs: 3200, afterMs: 1000 },
        { type: 'text-delta', delta: 'Hello there!' },
        { type: 'usage', promptTokens: 10, completionTokens: 20, totalTokens: 30, cost: '0.0001', reasoningTokens: 12 },
        finish(start),
      ]),
    );
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Hi [[think]]');

    await waitFor(() => expect(within(reply()).getByText('Thinking…')).toBeTruthy());
    // The live region says "Thinking…" once; the ticking seconds are hidden from it.
    expect(within(reply()).getByText('Thinking…').getAttribute('role')).toBe('status');
    await within(reply()).findByText('The user greets me.', { exact: false });
    await waitFor(() => expect(within(reply()).getByText(/^1 s$/)).toBeTruthy(), { timeout: 3000 });
    expect(within(reply()).getByText(/^1 s$/).getAttribute('aria-hidden')).toBe('true');

    const disclosure = await within(reply()).findByRole('button', { name: 'Thought for 3 s' }, { timeout: 5000 });
    await waitFor(() => expect(reply().textContent).toContain('Hello there!'));
    expect(disclosure.getAttribute('aria-expanded')).toBe('false');
    expect(within(reply()).queryByText('The user greets me.', { exact: false })).toBeNull();
    expect(within(reply()).queryByText('Thinking…')).toBeNull();

    fireEvent.click(disclosure);
    expect(disclosure.getAttribute('aria-expanded')).toBe('true');
    const region = within(reply()).getByRole('region', { name: 'Reasoning' });
    expect(region.querySelector('strong')?.textContent).toBe('greet');
    // The answer's copy is the answer alone.
    expect(region.textContent).not.toContain('Hello there!');
  }, 20_000);

  it('shows a refusal as a labelled notice, not as an answer', async () => {
    scriptNextChat(
      backend,
      turn((start) => [
        { type: 'refusal-delta', delta: 'I can’t help with that' },
        { type: 'refusal-delta', delta: ' request.' },
        finish(start, 'content-filter'),
      ]),
    );
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Do something bad [[refuse]]');

    const notice = await within(screen.getByRole('log', { name: 'Messages' })).findByRole('note', { name: 'The model declined to answer' });
    await waitFor(() => expect(notice.textContent).toContain('I can’t help with that request.'));
    expect(within(reply()).queryByRole('button', { name: 'Copy message' })).toBeNull();
  });

  it('text the server names a refusal after it streamed (Claude’s way) shows as a refusal', async () => {
    scriptNextChat(
      backend,
      turn((start) => [
        { type: 'text-delta', delta: 'I can’t help ' },
        { type: 'text-delta', delta: 'with that.' },
        { type: 'text-is-refusal' },
        finish(start, 'content-filter'),
      ]),
    );
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Something forbidden');

    const notice = await within(screen.getByRole('log', { name: 'Messages' })).findByRole('note', { name: 'The model declined to answer' });
    expect(notice.textContent).toContain('I can’t help with that.');
    expect(reply().querySelector('[aria-busy]')?.textContent ?? '').not.toContain('I can’t help');
  });

  it('says when a reply stopped at the length limit, and keeps its text', async () => {
    scriptNextChat(
      backend,
      turn((start) => [
        { type: 'text-delta', delta: 'A long story that goes on and' },
        { type: 'usage', promptTokens: 10, completionTokens: 64, totalTokens: 74, cost: '0.0002' },
        finish(start, 'length'),
      ]),
    );
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Tell me a story');

    await within(reply()).findByText(/reached the length limit/);
    expect(reply().textContent).toContain('A long story that goes on and');
  });

  it('says how many prompt tokens came from the cache', async () => {
    scriptNextChat(
      backend,
      turn((start) => [
        { type: 'text-delta', delta: 'Cached answer.' },
        { type: 'usage', promptTokens: 5200, completionTokens: 12, totalTokens: 5212, cost: '0.0021', cachedPromptTokens: 4800 },
        finish(start),
      ]),
    );
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Again');

    await within(reply()).findByText('4,800 prompt tokens from cache');
  });

  it('a reopened conversation shows its saved reasoning collapsed with the saved duration, its refusal and its images', async () => {
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'Saved parts', provider: 'anthropic', model: 'claude-sonnet-5-5' });
    const attachmentId = crypto.randomUUID();
    const question = await user.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'user',
      content: 'What is in this picture?',
      parts: [
        { type: 'file', attachmentId, mediaType: 'image/png', name: 'cat.png', size: 1234 },
        { type: 'text', text: 'What is in this picture?' },
      ],
    });
    await user.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'A cat.',
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      tokens: 3,
      cost: '0.0001',
      parts: [
        { type: 'reasoning', text: 'It has whiskers.', provider: 'anthropic', signature: 'sig', durationMs: 12_400 },
        { type: 'text', text: 'A cat.' },
      ],
    });

    render(<ChatInterface conversationId={conversation.id} showUsage={false} showModelPicker={false} />);

    const disclosure = await screen.findByRole('button', { name: 'Thought for 12 s' });
    expect(disclosure.getAttribute('aria-expanded')).toBe('false');
    expect(reply().textContent).not.toContain('whiskers');
    const image = screen.getByRole('img', { name: 'cat.png' });
    expect(image.getAttribute('src')).toBe(new URL(`/api/chat/attachments/${attachmentId}`, window.location.href).toString());
  });
});

describe('a reply’s token count', () => {
  it('is the billed output, the same live and after a reload; a row saved before that was recorded shows its own size', async () => {
    const start = startEvent() as Extract<ChatEvent, { type: 'start' }>;
    scriptNextChat(backend, [
      start,
      { type: 'reasoning-start' },
      { type: 'reasoning-delta', delta: 'Short.' },
      { type: 'reasoning-end', durationMs: 1000 },
      { type: 'text-delta', delta: 'Hi!' },
      { type: 'usage', promptTokens: 10, completionTokens: 20, totalTokens: 30, cost: '0.0001', reasoningTokens: 18 },
      finish(start),
    ]);
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    send('Hello');
    await within(reply()).findByText(/^20 tokens/);
    cleanup();

    // The same reply as the server saves it: `tokens` the answer's size, the billed output in metadata.
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'Tokens', provider: 'anthropic', model: 'claude-sonnet-5-5' });
    const question = await user.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Hello' });
    const answer = await user.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Hi!',
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      tokens: 2,
      cost: '0.0001',
      metadata: { finishReason: 'stop', promptTokens: 10, completionTokens: 20, reasoningTokens: 18 },
    });
    const older = await user.appendMessage({ conversationId: conversation.id, parentId: answer.id, role: 'user', content: 'Again' });
    await user.appendMessage({
      conversationId: conversation.id,
      parentId: older.id,
      role: 'assistant',
      content: 'Hi again!',
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      tokens: 3,
      cost: '0.0001',
    });
    render(<ChatInterface conversationId={conversation.id} showUsage={false} showModelPicker={false} />);
    await waitFor(() => expect(within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('article')).toHaveLength(4));
    const [first, second] = within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('article', { name: 'Assistant said' });
    expect(within(first!).getByText(/^20 tokens/)).toBeTruthy();
    expect(within(second!).getByText(/^3 tokens/)).toBeTruthy();
  });
});

describe('the image dialog', () => {
  it('a click on an image in a message enlarges it in a dialog; Esc and the close button close it and focus returns', async () => {
    const { MessageAttachments } = await import('@/features/ai-chat/components/MessageAttachments');
    const id = crypto.randomUUID();
    render(<MessageAttachments files={[{ type: 'file', attachmentId: id, mediaType: 'image/png', name: 'chart.png', size: 10 }]} api="/api/chat" />);
    const opener = screen.getByRole('button', { name: 'Enlarge chart.png' });
    opener.focus();
    fireEvent.click(opener);

    const dialog = screen.getByRole('dialog', { name: 'chart.png' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close image' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);

    fireEvent.click(opener);
    fireEvent.click(within(screen.getByRole('dialog', { name: 'chart.png' })).getByRole('button', { name: 'Close image' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('a PDF in a message is a named chip linking to the file', async () => {
    const { MessageAttachments } = await import('@/features/ai-chat/components/MessageAttachments');
    const id = crypto.randomUUID();
    render(<MessageAttachments files={[{ type: 'file', attachmentId: id, mediaType: 'application/pdf', name: 'report.pdf', size: 10 }]} api="/api/chat" />);
    const link = screen.getByRole('link', { name: 'report.pdf' });
    expect(link.getAttribute('href')).toContain(`/api/chat/attachments/${id}`);
  });
});
