'use client';

import { useEffect, useState } from 'react';
import {
  ChatInterface,
  ConversationList,
  revealMessage,
  SearchButton,
  SearchDialog,
  ShareButton,
  type ConversationListProps,
  type ConversationRecord,
} from '@/features/ai-chat';
import { MenuIcon, PlusIcon } from './icons';
import { ChatsDialog } from './chats-dialog';
import { SkipLink } from './skip-link';

interface ChatAppProps {
  conversationId?: string;
  /** Shown above the chat when the server still needs configuring. */
  notice?: string | null;
  /** Signed-in email (Supabase mode), with a sign-out link. */
  account?: string | null;
}

const INPUT_ID = 'chat-message-input';

function conversationIdInPath(pathname: string): string | null {
  const match = /^\/c\/([^/]+)$/.exec(pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

const PHONE_BUTTON =
  'inline-flex size-9 shrink-0 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 md:hidden dark:text-zinc-300 dark:hover:bg-zinc-800';

/**
 * The product around the module: conversations on the left (in a dialog on a phone, opened from
 * the chat's top bar), the chat on the right.
 */
export function ChatApp({ conversationId, notice, account }: ChatAppProps) {
  const [activeId, setActiveId] = useState<string | null>(conversationId ?? null);
  const [listVersion, setListVersion] = useState(0);
  const [conversations, setConversations] = useState<readonly ConversationRecord[]>([]);
  const [chatsOpen, setChatsOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  // Bumped when a search result opens a chat: the chat reloads on the branch the result is on.
  const [chatLoad, setChatLoad] = useState(0);
  // A new chat's first reply ended: the list looks for the title a model writes for it.
  const [awaitTitle, setAwaitTitle] = useState<{ conversationId: string; key: number } | null>(null);
  const title = activeId ? (conversations.find((c) => c.id === activeId)?.title ?? null) : null;

  useEffect(() => {
    document.title = title ? `${title} · AI Chat` : 'AI Chat';
  }, [title]);

  // Back and Forward move the chat with the address: chats open in place, so the page itself
  // does not change on those.
  useEffect(() => {
    const followAddress = () => setActiveId(conversationIdInPath(window.location.pathname));
    window.addEventListener('popstate', followAddress);
    return () => window.removeEventListener('popstate', followAddress);
  }, []);

  // Opening a chat and starting a new one happen in place, never as a router navigation: one
  // still loading when the person has already typed into the chat shown would land later and
  // swap the page under them (a new chat's first message vanished that way on a slow network).
  const openConversation = (id: string) => {
    setChatsOpen(false);
    setActiveId(id);
    if (window.location.pathname !== `/c/${id}`) window.history.pushState(null, '', `/c/${id}`);
  };
  // The open chat was deleted or archived from the list: the chat empties, the list stays open.
  const leaveChat = () => {
    setActiveId(null);
    if (window.location.pathname !== '/') window.history.pushState(null, '', '/');
  };
  const startNewChat = () => {
    setChatsOpen(false);
    leaveChat();
  };

  const openSearchResult = (id: string, messageId: string | null) => {
    setChatLoad((count) => count + 1);
    openConversation(id);
    if (messageId) void revealMessage(messageId);
  };
  // Padded by its own box: the button is full width, and margins on it ran past the sidebar's edge.
  const searchBox = (
    <div className="px-2 pt-2">
      <SearchButton onClick={() => setSearchOpen(true)} />
    </div>
  );

  const listProps: ConversationListProps = {
    activeId,
    refreshKey: listVersion,
    onSelect: openConversation,
    onNew: startNewChat,
    onImported: (conversation) => openConversation(conversation.id),
    onConversationsChange: setConversations,
    onDeleted: (id) => {
      if (id === activeId) leaveChat();
    },
    onArchived: (id) => {
      if (id === activeId) leaveChat();
    },
    awaitTitle,
  };

  const accountBar = account ? (
    <div className="flex items-center justify-between gap-2 border-t border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <span className="truncate text-zinc-700 dark:text-zinc-300">{account}</span>
      <form action="/auth/sign-out" method="post">
        <button className="rounded-md px-2 py-1 text-zinc-800 hover:bg-zinc-200 dark:text-zinc-200 dark:hover:bg-zinc-800">Sign out</button>
      </form>
    </div>
  ) : null;

  return (
    <div className="flex h-dvh">
      <SkipLink targetId={INPUT_ID}>Skip to message input</SkipLink>
      <aside className="hidden w-72 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 md:flex dark:border-zinc-800 dark:bg-zinc-900">
        {searchBox}
        <ConversationList className="min-h-0 flex-1 p-2" {...listProps} />
        {accountBar}
      </aside>
      <ChatsDialog open={chatsOpen} onClose={() => setChatsOpen(false)}>
        {(closeButton, headingId) => (
          <>
            {searchBox}
            <ConversationList className="min-h-0 flex-1 p-2" headingId={headingId} headerAction={closeButton} {...listProps} />
            {accountBar}
          </>
        )}
      </ChatsDialog>
      <SearchDialog open={searchOpen} onOpenChange={setSearchOpen} onSelect={openSearchResult} />
      <main className="flex min-w-0 flex-1 flex-col">
        {notice ? (
          <p role="status" className="border-b border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            {notice}
          </p>
        ) : null}
        <ChatInterface
          key={chatLoad}
          className="min-h-0 flex-1"
          // The chat follows activeId: New chat clears it, a created conversation sets it.
          conversationId={activeId}
          title={title}
          inputId={INPUT_ID}
          systemPrompt="You are a helpful assistant. Answer clearly; use Markdown where it helps."
          onNewChat={startNewChat}
          onSearch={() => setSearchOpen(true)}
          onFirstReply={(id) => setAwaitTitle((previous) => ({ conversationId: id, key: (previous?.key ?? 0) + 1 }))}
          headerStart={
            <button type="button" className={PHONE_BUTTON} aria-label="Open chats" aria-haspopup="dialog" onClick={() => setChatsOpen(true)}>
              <MenuIcon />
            </button>
          }
          headerEnd={
            <>
              <ShareButton conversationId={activeId} />
              <button type="button" className={PHONE_BUTTON} aria-label="New chat" onClick={startNewChat}>
                <PlusIcon />
              </button>
            </>
          }
          onConversationCreated={(id) => {
            setActiveId(id);
            setListVersion((version) => version + 1);
            // Keep the URL shareable without remounting the chat that is streaming.
            window.history.replaceState(null, '', `/c/${id}`);
          }}
          onMessageSent={() => setListVersion((version) => version + 1)}
        />
      </main>
    </div>
  );
}
