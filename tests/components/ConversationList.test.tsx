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

const titleOf = async (id: string) =>
  (await backend.harness.sql<{ title: string }>('select title from public.ai_chat_conversations where id = $1', [id]))[0]?.title;

/** Captures what the list hands the browser to download (an object URL clicked on an <a download>). */
function captureDownloads() {
  const saved: { name: string; blob: Blob }[] = [];
  const blobs = new Map<string, Blob>();
  let next = 0;
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${next++}`;
    blobs.set(url, blob);
    return url;
  });
  URL.revokeObjectURL = vi.fn();
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
  return { saved, restore: () => click.mockRestore() };
}

describe('ConversationList', () => {
  it('is headed "Chats"; opens a conversation; its menu renames it in place and deletes it after confirming', async () => {
    const id = await seedConversation(backend, 2);
    const onSelect = vi.fn();
    const onDeleted = vi.fn();
    render(<ConversationList activeId={id} onSelect={onSelect} onDeleted={onDeleted} onNew={() => {}} />);
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    expect(within(nav).getByRole('heading', { level: 2, name: 'Chats' })).toBeTruthy();
    const item = await within(nav).findByRole('button', { name: 'Seeded 2' });
    expect(item.getAttribute('aria-current')).toBe('page');
    fireEvent.click(item);
    expect(onSelect).toHaveBeenCalledWith(id);

    fireEvent.click(within(nav).getByRole('button', { name: 'Options for Seeded 2' }));
    fireEvent.click(within(screen.getByRole('menu')).getByRole('menuitem', { name: 'Rename' }));
    const title = screen.getByRole('textbox', { name: 'Conversation title' });
    expect(document.activeElement).toBe(title);
    fireEvent.change(title, { target: { value: 'Renamed chat' } });
    fireEvent.submit(title);
    await within(nav).findByRole('button', { name: 'Renamed chat' });
    await waitFor(async () => expect(await titleOf(id)).toBe('Renamed chat'));
    expect(document.activeElement).toBe(within(nav).getByRole('button', { name: 'Options for Renamed chat' }));

    fireEvent.click(within(nav).getByRole('button', { name: 'Options for Renamed chat' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Delete' }));
    // The question names the chat; its button is one short word, not the whole title again.
    const confirm = screen.getByRole('button', { name: 'Delete “Renamed chat”' });
    expect(confirm.textContent).toBe('Delete');
    fireEvent.click(confirm);
    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith(id));
    expect(within(nav).queryByRole('button', { name: 'Renamed chat' })).toBeNull();
    expect(await backend.harness.sql('select id from public.ai_chat_conversations where id = $1', [id])).toEqual([]);
  });

  it('the menu works from the keyboard: arrows move, Esc closes it and gives focus back to its button', async () => {
    await seedConversation(backend, 3);
    render(<ConversationList onSelect={() => {}} />);
    const button = (await screen.findAllByRole('button', { name: 'Options for Seeded 3' }))[0]!;
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    button.focus();
    fireEvent.keyDown(button, { key: 'ArrowDown' });
    const menu = await screen.findByRole('menu');
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = within(menu).getAllByRole('menuitem');
    // "Instructions…" joins once the server's config says clients may set them (issue 20).
    expect(items.map((item) => item.textContent).filter((label) => label !== 'Instructions…')).toEqual([
      'Rename',
      'Pin',
      'Export as Markdown',
      'Export as JSON',
      'Archive',
      'Delete',
    ]);
    await waitFor(() => expect(document.activeElement).toBe(items[0]));
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(within(menu).getAllByRole('menuitem').at(-1));
    fireEvent.keyDown(menu, { key: 'Home' });
    expect(document.activeElement).toBe(items[0]);

    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    items[0]!.dispatchEvent(escape);
    expect(escape.defaultPrevented).toBe(true); // so Esc does not also stop a reply or close a dialog
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
    expect(document.activeElement).toBe(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
  });

  it('exports a conversation as Markdown and as JSON, and imports the JSON back as a new chat it opens', async () => {
    const id = await seedConversation(backend, 4);
    const downloads = captureDownloads();
    const onImported = vi.fn();
    try {
      render(<ConversationList onSelect={() => {}} onImported={onImported} />);
      const nav = screen.getByRole('navigation', { name: 'Conversations' });
      const options = () => within(nav).getAllByRole('button', { name: 'Options for Seeded 4' })[0]!;
      await waitFor(() => options());

      fireEvent.click(options());
      fireEvent.click(screen.getByRole('menuitem', { name: 'Export as Markdown' }));
      await waitFor(() => expect(downloads.saved).toHaveLength(1));
      expect(downloads.saved[0]!.name).toMatch(/\.md$/);
      expect(await downloads.saved[0]!.blob.text()).toContain('Question 2');

      fireEvent.click(options());
      fireEvent.click(screen.getByRole('menuitem', { name: 'Export as JSON' }));
      await waitFor(() => expect(downloads.saved).toHaveLength(2));
      expect(downloads.saved[1]!.name).toMatch(/\.json$/);
      const exported = await downloads.saved[1]!.blob.text();
      expect(JSON.parse(exported).messages).toHaveLength(4);

      const picker = screen.getByLabelText('Import chat file') as HTMLInputElement;
      expect(picker.type).toBe('file');
      expect(picker.accept).toContain('.json');
      expect(within(nav).getByRole('button', { name: 'Import chat' })).toBeTruthy();
      fireEvent.change(picker, { target: { files: [new File([exported], 'seeded.json', { type: 'application/json' })] } });
      await waitFor(() => expect(onImported).toHaveBeenCalled());
      const imported = onImported.mock.calls[0]![0] as { id: string; title: string };
      expect(imported.id).not.toBe(id);
      const rows = await backend.harness.sql<{ count: number }>('select count(*)::int as count from public.ai_chat_messages where conversation_id = $1', [imported.id]);
      expect(rows[0]!.count).toBe(4);
      await waitFor(() => expect(within(nav).getAllByRole('button', { name: imported.title }).length).toBe(imported.title === 'Seeded 4' ? 2 : 1));
    } finally {
      downloads.restore();
    }
  });

  it('a file that is not an export is refused in words, nothing is imported, and the note can be cleared', async () => {
    const onImported = vi.fn();
    render(<ConversationList onSelect={() => {}} onImported={onImported} />);
    const before = await backend.harness.sql<{ count: number }>('select count(*)::int as count from public.ai_chat_conversations');
    fireEvent.change(screen.getByLabelText('Import chat file'), { target: { files: [new File(['not json at all'], 'notes.json')] } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not import “notes.json”: .*not JSON/);

    fireEvent.change(screen.getByLabelText('Import chat file'), {
      target: { files: [new File([JSON.stringify({ format: 'something-else', messages: [] })], 'other.json')] },
    });
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toMatch(/Could not import “other.json”: This file is not a conversation exported from this app\. Choose a \.json file made with Export\./),
    );
    expect(screen.getByRole('alert').textContent).not.toMatch(/Invalid input|expected/);
    fireEvent.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(onImported).not.toHaveBeenCalled();
    expect(await backend.harness.sql('select count(*)::int as count from public.ai_chat_conversations')).toEqual(before);
  });
});
