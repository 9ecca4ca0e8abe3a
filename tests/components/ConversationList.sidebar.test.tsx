// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConversationList } from '@/features/ai-chat/components/ConversationList';
import { TITLE_LOOKS_MS } from '@/features/ai-chat/hooks/useTitleWatch';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/**
 * Issue 20, point 3, through the real handler and store: the list grouped by date with the pinned
 * first, pin and unpin, archive into the Archived view and restore, more chats as the list is
 * scrolled to its end; and point 1's title arriving in the list after a first reply.
 */
afterEach(cleanup);

let backend: ChatBackend;
let user: UserChatStore;
beforeAll(async () => {
  // jsdom has no modal dialogs (the browser journeys use the real one): open and close by attribute.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
  backend = await startChatBackend({ allowClientSystemPrompt: true });
  const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
  user = await backend.harness.store.forUser(LOCAL_USER.id);
});
afterAll(async () => {
  await backend?.close();
});

/** IntersectionObserver, which jsdom lacks: `reachEnd()` tells the list its end came into view. */
function installIntersection() {
  const observers: { callback: IntersectionObserverCallback; targets: Element[] }[] = [];
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      private entry: { callback: IntersectionObserverCallback; targets: Element[] };
      constructor(callback: IntersectionObserverCallback) {
        this.entry = { callback, targets: [] };
        observers.push(this.entry);
      }
      observe(target: Element) {
        this.entry.targets.push(target);
      }
      disconnect() {
        observers.splice(observers.indexOf(this.entry), 1);
      }
    },
  );
  return {
    /** How many elements are watched: the list creates its observer in an effect, after the rows show. */
    watching: () => observers.reduce((count, { targets }) => count + targets.length, 0),
    reachEnd() {
      for (const { callback, targets } of [...observers]) {
        callback(targets.map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry), {} as IntersectionObserver);
      }
    },
  };
}

const titlesIn = (scope: HTMLElement) =>
  within(scope)
    .queryAllByRole('button', { name: /^Options for / })
    .map((button) => button.getAttribute('aria-label')!.replace(/^Options for /, ''));

async function choose(nav: HTMLElement, title: string, item: string) {
  fireEvent.click(within(nav).getByRole('button', { name: `Options for ${title}` }));
  fireEvent.click(within(screen.getByRole('menu')).getByRole('menuitem', { name: item }));
}

describe('the organised chat list', () => {
  it('pins a chat under Pinned, archives one into the Archived view, restores it, and unpins', async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    await user.createConversation({ title: `Older ${tag}`, provider: 'openai', model: 'gpt-4o' });
    await user.createConversation({ title: `Newer ${tag}`, provider: 'openai', model: 'gpt-4o' });
    render(<ConversationList onSelect={() => {}} />);
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    await within(nav).findByRole('button', { name: `Newer ${tag}` });
    expect(within(nav).getByRole('region', { name: 'Today' })).toBeTruthy();

    await choose(nav, `Older ${tag}`, 'Pin');
    const pinned = await within(nav).findByRole('region', { name: 'Pinned' });
    expect(titlesIn(pinned)).toEqual([`Older ${tag}`]);
    expect(titlesIn(nav)[0]).toBe(`Older ${tag}`);
    await waitFor(async () => expect((await user.getConversation((await user.listConversations())[0]!.id))?.pinnedAt).toBeTruthy());

    await choose(nav, `Newer ${tag}`, 'Archive');
    await waitFor(() => expect(titlesIn(nav)).not.toContain(`Newer ${tag}`));
    fireEvent.click(within(nav).getByRole('button', { name: 'Archived chats' }));
    await within(nav).findByRole('button', { name: `Newer ${tag}` });
    expect(titlesIn(nav)).not.toContain(`Older ${tag}`);
    await choose(nav, `Newer ${tag}`, 'Restore');
    await waitFor(() => expect(titlesIn(nav)).not.toContain(`Newer ${tag}`));
    fireEvent.click(within(nav).getByRole('button', { name: 'Back to chats' }));
    await within(nav).findByRole('button', { name: `Newer ${tag}` });

    await choose(nav, `Older ${tag}`, 'Unpin');
    await waitFor(() => expect(within(nav).queryByRole('region', { name: 'Pinned' })).toBeNull());
    expect((await user.listConversations()).every((c) => c.pinnedAt === null)).toBe(true);
  });

  it('loads the next page when the end of the list comes into view, without repeating a chat', async () => {
    const io = installIntersection();
    try {
      for (let index = 0; index < 55; index += 1) {
        await user.createConversation({ title: `Paged ${String(index).padStart(2, '0')}`, provider: 'openai', model: 'gpt-4o' });
      }
      render(<ConversationList onSelect={() => {}} />);
      const nav = screen.getByRole('navigation', { name: 'Conversations' });
      await within(nav).findByRole('button', { name: 'Paged 54' });
      expect(titlesIn(nav)).toHaveLength(50);
      // The rows can show before the effect that watches the list's end has run (a busy machine):
      // reaching the end then would reach nothing.
      await waitFor(() => expect(io.watching()).toBeGreaterThan(0));
      act(() => io.reachEnd());
      await waitFor(() => expect(titlesIn(nav).length).toBeGreaterThan(50), { timeout: 10_000 });
      const titles = titlesIn(nav);
      expect(new Set(titles).size).toBe(titles.length);
      expect(titles).toContain('Paged 00');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("offers a chat's instructions where the server allows them, and saves them", async () => {
    const chat = await user.createConversation({ title: 'Instructed', provider: 'openai', model: 'gpt-4o' });
    render(<ConversationList onSelect={() => {}} />);
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    await within(nav).findByRole('button', { name: 'Instructed' });
    fireEvent.click(within(nav).getByRole('button', { name: 'Options for Instructed' }));
    // Offered once the server's config (allowSystemPrompt) has arrived: the open menu gains it.
    const item = await within(screen.getByRole('menu')).findByRole('menuitem', { name: 'Instructions…' }, { timeout: 10_000 });
    fireEvent.click(item);
    const field = await screen.findByRole('textbox', { name: /How the assistant should answer/ });
    fireEvent.change(field, { target: { value: 'Answer in French.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save instructions' }));
    await waitFor(async () => expect((await user.getConversation(chat.id))?.systemPrompt).toBe('Answer in French.'));
  });

  it("shows a new chat's model title once it arrives, reading again only until it has", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const chat = await user.createConversation({ title: 'First words', provider: 'openai', model: 'gpt-4o' });
      const view = render(<ConversationList onSelect={() => {}} awaitTitle={null} />);
      const nav = screen.getByRole('navigation', { name: 'Conversations' });
      await within(nav).findByRole('button', { name: 'First words' });
      view.rerender(<ConversationList onSelect={() => {}} awaitTitle={{ conversationId: chat.id, key: 1 }} />);
      // The model writes it a moment after the reply ended.
      await user.setModelTitle(chat.id, 'A model title');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(TITLE_LOOKS_MS[0]!);
      });
      await within(nav).findByRole('button', { name: 'A model title' });
    } finally {
      vi.useRealTimers();
    }
  });
});
