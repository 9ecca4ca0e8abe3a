// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConversationList } from '@/features/ai-chat/components/ConversationList';
import { seedConversation, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});

describe('ConversationList', () => {
  it('opens, renames and deletes (after confirming) a conversation', async () => {
    const id = await seedConversation(backend, 2);
    const onSelect = vi.fn();
    const onDeleted = vi.fn();
    render(<ConversationList activeId={id} onSelect={onSelect} onDeleted={onDeleted} onNew={() => {}} />);
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    const item = await within(nav).findByRole('button', { name: 'Seeded 2' });
    expect(item.getAttribute('aria-current')).toBe('page');

    fireEvent.click(item);
    expect(onSelect).toHaveBeenCalledWith(id);

    fireEvent.click(screen.getByRole('button', { name: 'Rename “Seeded 2”' }));
    const title = screen.getByRole('textbox', { name: 'Conversation title' });
    fireEvent.change(title, { target: { value: 'Renamed chat' } });
    fireEvent.submit(title);
    await within(nav).findByRole('button', { name: 'Renamed chat' });
    const saved = await backend.harness.sql<{ title: string }>('select title from public.conversations where id = $1', [id]);
    await waitFor(async () => expect((await backend.harness.sql<{ title: string }>('select title from public.conversations where id = $1', [id]))[0]?.title).toBe('Renamed chat'));
    expect(saved).toHaveLength(1);

    fireEvent.click(screen.getByRole('button', { name: 'Delete “Renamed chat”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Renamed chat”' }));
    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith(id));
    expect(within(nav).queryByRole('button', { name: 'Renamed chat' })).toBeNull();
    expect(await backend.harness.sql('select id from public.conversations where id = $1', [id])).toEqual([]);
  });
});
