'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { ConversationList } from '@/features/ai-chat/components/ConversationList';

interface ChatAppProps {
  conversationId?: string;
  /** Shown above the chat when the server still needs configuring. */
  notice?: string | null;
  /** Signed-in email (Supabase mode), with a sign-out link. */
  account?: string | null;
}

/** The product around the module: conversations on the left, the chat on the right. */
export function ChatApp({ conversationId, notice, account }: ChatAppProps) {
  const router = useRouter();
  const [activeId, setActiveId] = useState<string | null>(conversationId ?? null);
  const [listVersion, setListVersion] = useState(0);

  // A new chat from any state: the chat empties at once, whatever the URL or the router think.
  const startNewChat = () => {
    setActiveId(null);
    // On a conversation's page, go to the home page; on the home page (its URL only replaced
    // with /c/<id> after the first message) the router sees no navigation, so set the URL here.
    if (conversationId) router.push('/');
    else if (window.location.pathname !== '/') window.history.pushState(null, '', '/');
  };

  return (
    <div className="flex h-dvh">
      <aside className="hidden w-72 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 md:flex dark:border-zinc-800 dark:bg-zinc-900">
        <ConversationList
          className="min-h-0 flex-1 p-2"
          activeId={activeId}
          refreshKey={listVersion}
          onSelect={(id) => router.push(`/c/${id}`)}
          onNew={startNewChat}
          onDeleted={(id) => {
            if (id === activeId) startNewChat();
          }}
        />
        {account ? (
          <div className="flex items-center justify-between gap-2 border-t border-zinc-200 p-3 text-sm dark:border-zinc-800">
            <span className="truncate text-zinc-600 dark:text-zinc-400">{account}</span>
            <form action="/auth/sign-out" method="post">
              <button className="rounded-md px-2 py-1 text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800">Sign out</button>
            </form>
          </div>
        ) : null}
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        {notice ? (
          <p role="status" className="border-b border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            {notice}
          </p>
        ) : null}
        <ChatInterface
          className="min-h-0 flex-1"
          // The chat follows activeId: New chat clears it, a created conversation sets it.
          conversationId={activeId}
          systemPrompt="You are a helpful assistant. Answer clearly; use Markdown where it helps."
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
