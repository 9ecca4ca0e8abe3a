// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import { installLayoutStubs, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/**
 * Issue 22: a person sees a tool call waiting for them (the tool, its arguments readable, a long
 * one folded), approves it and sees its result; denies another and sees that it did not run.
 * The real handler and store behind the real UI.
 */

afterEach(cleanup);

const written: { path: string; text: string }[] = [];
let backend: ChatBackend;
beforeAll(async () => {
  installLayoutStubs();
  const writeFile = defineTool({
    name: 'write_file',
    description: 'Writes a file',
    parameters: z.object({ path: z.string(), text: z.string() }),
    approval: 'always',
    execute: ({ path, text }) => {
      written.push({ path, text });
      return { written: path, bytes: text.length };
    },
  });
  backend = await startChatBackend({ tools: [writeFile] });
});
afterAll(async () => {
  await backend?.close();
});

const input = () => screen.getByRole('textbox', { name: 'Message' });
const lastReply = () => within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('article', { name: 'Assistant said' }).at(-1)!;

function send(text: string) {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
}

describe('approving a tool call', () => {
  it('shows the call with its arguments, runs it on Approve and shows the answer; on Deny it does not run', async () => {
    const longText = 'Dear diary,\n' + 'today was long. '.repeat(40);
    backend.harness.openai.script({ toolCalls: [{ name: 'write_file', args: { path: 'diary.txt', text: longText } }] }, { text: 'Saved your diary.' });
    render(<ChatInterface />);
    send('Save my diary');

    const prompt = await screen.findByRole('group', { name: 'Approve write_file?' }, { timeout: 10_000 });
    expect(within(prompt).getByText('diary.txt')).toBeTruthy();
    // The long text is folded behind its first line.
    expect(within(prompt).getByText(/\(\d+ characters\)/)).toBeTruthy();
    expect(written).toEqual([]);
    fireEvent.click(within(prompt).getByRole('button', { name: 'Approve' }));

    await waitFor(() => expect(within(lastReply()).getByText('Saved your diary.')).toBeTruthy(), { timeout: 10_000 });
    expect(written).toEqual([{ path: 'diary.txt', text: longText }]);
    expect(within(lastReply()).getByText('Approved.')).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Approve write_file?' })).toBeNull();

    backend.harness.openai.script({ toolCalls: [{ name: 'write_file', args: { path: '/etc/hosts', text: 'evil' } }] }, { text: 'Alright, I left it.' });
    send('Now overwrite /etc/hosts');
    const second = await screen.findByRole('group', { name: 'Approve write_file?' }, { timeout: 10_000 });
    expect(within(second).getByText('/etc/hosts')).toBeTruthy();
    fireEvent.click(within(second).getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(within(lastReply()).getByText('Alright, I left it.')).toBeTruthy(), { timeout: 10_000 });
    expect(within(lastReply()).getByText('You declined this.')).toBeTruthy();
    expect(written).toHaveLength(1);
  });
});
