// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { act } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatApp } from '@/app/chat-app';
import { installLayoutStubs, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';


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
  window.history.replaceState(null, '', '/');
});

const input = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Messages' });

function type(text: string) {
  fireEvent.change(input(), { target: { value: text } });
  fireEvent.keyDown(input(), { key: 'Enter' });
}

describe('ChatApp: New chat', () => {
  it('after a first chat on the home page, New chat empties the chat and the next message makes a new conversation', async () => {
    backend.harness.openai.script({ text: 'First answer.' }, { text: 'Second answer.' });
    render(<ChatApp />);
    await screen.findByRole('combobox', { name: 'Model' });

    type('First question');
    await waitFor(() => expect(log().textContent).toContain('First answer.'));
    await waitFor(() => expect(window.location.pathname).toMatch(/^\/c\//));

    // The sidebar's New chat (the phone top bar has one too).
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Conversations' })).getByRole('button', { name: /New chat/ }));
    await waitFor(() => expect(within(log()).queryAllByRole('article')).toHaveLength(0));
    expect(window.location.pathname).toBe('/');

    type('Second question');
    await waitFor(() => expect(log().textContent).toContain('Second answer.'));
    expect(log().textContent).not.toContain('First answer.');
    const conversations = await backend.harness.sql<{ title: string; n: number }>(
      `select c.title, (select count(*)::int from public.ai_chat_messages m where m.conversation_id = c.id) as n
         from public.ai_chat_conversations c order by c.created_at`,
    );
    expect(conversations.map((c) => c.n)).toEqual([2, 2]);
  });

  it('opens chats in place, and Back and Forward move the chat with the address', async () => {
    backend.harness.openai.script({ text: 'First answer.' }, { text: 'Second answer.' });
    render(<ChatApp />);
    await screen.findByRole('combobox', { name: 'Model' });
    const sidebar = () => within(screen.getByRole('navigation', { name: 'Conversations' }));

    type('Opening question');
    await waitFor(() => expect(log().textContent).toContain('First answer.'));
    await waitFor(() => expect(window.location.pathname).toMatch(/^\/c\//));
    const firstPath = window.location.pathname;
    fireEvent.click(sidebar().getByRole('button', { name: /New chat/ }));
    type('Later question');
    await waitFor(() => expect(log().textContent).toContain('Second answer.'));
    await waitFor(() => expect(window.location.pathname).not.toBe('/'));

    fireEvent.click(await sidebar().findByRole('button', { name: 'Opening question' }));
    await waitFor(() => expect(log().textContent).toContain('First answer.'));
    expect(window.location.pathname).toBe(firstPath);

    // Back: the second chat again, as the address says.
    act(() => {
      window.history.back();
    });
    await waitFor(() => expect(log().textContent).toContain('Second answer.'));
    expect(log().textContent).not.toContain('First answer.');
  });
});
