// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { installLayoutStubs, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

// The parts UI against the real handler and the fake providers' own reasoning, refusals and
// files (the markers of tests/support/fake-providers/markers.ts): the whole path, in jsdom.
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
const lastReply = () => within(log()).getAllByRole('article', { name: 'Assistant said' }).at(-1)!;

function send(text: string) {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
}

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf,
  0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
  0x82,
]);

// The harness offers OpenAI's gpt-4o over Chat Completions, which has no reasoning to show; the
// browser journeys see OpenAI's reasoning summaries (Responses API, gpt-5-mini).
describe('through the real handler, with Claude', () => {
  it('a [[think]] reply shows its thinking folded as "Thought for N s", apart from the answer', async () => {
    render(<ChatInterface provider="anthropic" model="claude-sonnet-4-5" showUsage={false} showModelPicker={false} />);
    send('Why is the sky blue? [[think]]');
    const thought = await within(log()).findByRole('button', { name: /^Thought for / }, { timeout: 20_000 });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy(), { timeout: 20_000 });
    expect(thought.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(thought);
    const reasoning = within(lastReply()).getByRole('region', { name: 'Reasoning' }).textContent ?? '';
    expect(reasoning.trim()).not.toBe('');
    expect(lastReply().querySelector('[aria-busy]')?.textContent).not.toContain(reasoning.trim().slice(0, 30));
  }, 40_000);

});

describe.each([
  { provider: 'anthropic' as const, model: 'claude-sonnet-4-5' },
  { provider: 'openai' as const, model: 'gpt-4o' },
])('through the real handler, with $provider', ({ provider, model }) => {
  it('a [[refuse]] reply shows the refusal notice', async () => {
    render(<ChatInterface provider={provider} model={model} showUsage={false} showModelPicker={false} />);
    send('Do the forbidden thing [[refuse]]');
    await within(log()).findByRole('note', { name: 'The model declined to answer' }, { timeout: 20_000 });
  }, 40_000);

  it('a pasted image is uploaded to the attachments route and reaches the provider with the question', async () => {
    render(<ChatInterface provider={provider} model={model} showUsage={false} showModelPicker={false} />);
    fireEvent.change(input(), { target: { value: 'What is in this picture?' } });
    fireEvent.paste(input(), { clipboardData: { files: [new File([PNG], 'dot.png', { type: 'image/png' })], getData: () => '' } });
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull(), { timeout: 10_000 });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(lastReply().textContent).toContain('What is in this picture?'), { timeout: 20_000 });
    const fake = provider === 'openai' ? backend.harness.openai : backend.harness.anthropic;
    const body = JSON.stringify(fake.requests.at(-1)!.body);
    expect(body).toMatch(/"type":"(image|input_image|image_url)"/);
    const question = within(log()).getByRole('article', { name: 'You said' });
    expect(within(question).getByRole('img').getAttribute('src')).toMatch(/\/api\/chat\/attachments\/[0-9a-f-]{36}$/);
  }, 40_000);
});
