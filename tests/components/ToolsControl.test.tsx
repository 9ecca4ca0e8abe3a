// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { ToolsList } from '@/features/ai-chat/components/ToolsControl';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import { startTestMcpServer, type TestMcpServer } from '../support/mcp-server';
import { installLayoutStubs, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/**
 * Issue 22: "the chat's UI can list which tools a conversation may use and turn a server off for
 * it". The real UI, handler, store and a real MCP server: the Tools dialog lists the app's tools
 * and the server's, its switch turns the server off for this chat (the model is then not offered
 * its tools) and back on.
 */

afterEach(cleanup);

let mcp: TestMcpServer;
let backend: ChatBackend;
beforeAll(async () => {
  installLayoutStubs();
  // jsdom has no modal dialogs (the browser journeys use the real one): open and close by attribute.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
  mcp = await startTestMcpServer();
  const weather = defineTool({
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: ({ city }) => ({ city, sky: 'clear' }),
  });
  backend = await startChatBackend({
    tools: [weather],
    mcpServers: [{ name: 'mail', url: mcp.url, allowPrivateNetwork: true, tools: { allow: ['send_email', 'lookup'] } }],
  });
});
afterAll(async () => {
  await backend?.close();
  await mcp?.close();
});

const input = () => screen.getByRole('textbox', { name: 'Message' });
const offered = () => ((backend.harness.openai.requests.at(-1)!.body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

async function ask(text: string) {
  const before = backend.harness.openai.requests.length;
  backend.harness.openai.script({ text: `Answer to ${text}` });
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
  await screen.findByText(`Answer to ${text}`, undefined, { timeout: 10_000 });
  expect(backend.harness.openai.requests.length).toBe(before + 1);
}

describe('the Tools control', () => {
  it('lists the chat\'s tools by server and turns a server off for this chat, then on again', async () => {
    render(<ChatInterface />);
    // A new chat has nothing to switch yet.
    expect(screen.queryByRole('button', { name: 'Tools' })).toBeNull();
    await ask('Hello');
    expect(offered()).toEqual(expect.arrayContaining(['get_weather', 'mail__lookup', 'mail__send_email']));

    fireEvent.click(await screen.findByRole('button', { name: 'Tools' }));
    const dialog = await screen.findByRole('dialog', { name: 'Tools in this chat' });
    const app = await within(dialog).findByRole('region', { name: 'This app' });
    expect(within(app).getByText('get_weather')).toBeTruthy();
    expect(within(app).queryByRole('switch')).toBeNull();
    const mail = within(dialog).getByRole('region', { name: 'mail' });
    expect(within(mail).getByText('mail__lookup')).toBeTruthy();
    expect(within(mail).getByText('mail__send_email')).toBeTruthy();
    expect(within(mail).getAllByText('Asks first')).toHaveLength(1);

    const toggle = within(mail).getByRole('switch', { name: 'Use mail in this chat' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    expect(within(mail).getByText('Off in this chat')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));

    await ask('Email Bob');
    expect(offered()).toContain('get_weather');
    expect(offered().filter((name) => name.startsWith('mail__'))).toEqual([]);

    // Opened again, the dialog reads the setting back from the server.
    fireEvent.click(screen.getByRole('button', { name: 'Tools' }));
    const again = await screen.findByRole('switch', { name: 'Use mail in this chat' });
    expect(again.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(again);
    await waitFor(() => expect((again as HTMLButtonElement).disabled).toBe(false));
    expect(again.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));

    await ask('And now?');
    expect(offered()).toEqual(expect.arrayContaining(['get_weather', 'mail__lookup', 'mail__send_email']));
  });

  it('a switch the server refuses goes back to what is stored, and says why', async () => {
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'Soon gone', provider: 'openai', model: 'gpt-4o' });
    render(<ToolsList conversationId={conversation.id} />);
    const toggle = await screen.findByRole('switch', { name: 'Use mail in this chat' });
    // Deleted in another tab meanwhile: the server answers 404.
    await user.deleteConversation(conversation.id);
    fireEvent.click(toggle);
    expect((await screen.findByRole('alert')).textContent).toContain('Conversation not found.');
    await waitFor(() => expect((toggle as HTMLButtonElement).disabled).toBe(false));
    expect(toggle.getAttribute('aria-checked')).toBe('true');
  });
});
