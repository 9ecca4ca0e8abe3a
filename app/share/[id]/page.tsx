import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ChatTranscript } from '@/features/ai-chat';
import { getDefaultChatHandler } from '@/features/ai-chat/api/chat-handler';

// A share link is read on every request: a revoked link must be 404 at once, never served from a cache.
export const dynamic = 'force-dynamic';

// One read per request, shared by the metadata and the page.
const readShare = cache((id: string) => getDefaultChatHandler().readShare(id));

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const shared = await readShare((await params).id);
  return {
    title: shared ? `${shared.title} · Shared chat` : 'Not found',
    // A link is for whom it was given to: never indexed, never followed, never sent on as a referrer.
    robots: { index: false, follow: false, nocache: true, googleBot: { index: false, follow: false } },
    referrer: 'no-referrer',
  };
}

/** A shared chat, read-only and without sign-in: the snapshot its owner shared, nothing else. */
export default async function SharedChatPage({ params }: { params: Promise<{ id: string }> }) {
  const shared = await readShare((await params).id);
  if (!shared) notFound();
  return (
    <div className="mx-auto flex min-h-dvh max-w-3xl flex-col px-4">
      <header className="border-b border-zinc-200 py-4 dark:border-zinc-800">
        <h1 className="text-lg font-semibold text-zinc-900 dark:text-zinc-100">{shared.title}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          A read-only copy of a chat, shared on <time dateTime={shared.sharedAt}>{shared.sharedAt.slice(0, 10)}</time>.
        </p>
      </header>
      <main className="flex-1 py-2">
        <ChatTranscript messages={shared.messages} />
      </main>
    </div>
  );
}
