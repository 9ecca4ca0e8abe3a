'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { DEFAULT_CHAT_API } from '../client/server-api';
import { createShareLink, getShareLink, revokeShareLink, shareUrl } from '../client/search-share-feedback-api';
import type { ShareLink } from '../protocol/share';
import { CopyButton } from './CopyButton';
import { ShareIcon } from './icons';

export interface ShareButtonProps {
  /** The conversation to share; nothing renders without one. */
  conversationId: string | null;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
  className?: string;
}

const BUTTON =
  'inline-flex h-9 shrink-0 items-center justify-center gap-1.5 rounded-md px-2 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring';

/** "Share" for the open chat: opens the share dialog. */
export function ShareButton({ conversationId, api = DEFAULT_CHAT_API, className = '' }: ShareButtonProps) {
  const [open, setOpen] = useState(false);
  if (!conversationId) return null;
  return (
    <>
      <button type="button" aria-haspopup="dialog" className={`${BUTTON} ${className}`} onClick={() => setOpen(true)}>
        <ShareIcon />
        {/* The name stays "Share" on a phone, where the header keeps only the icon. */}
        <span className="sr-only sm:not-sr-only">Share</span>
      </button>
      {open && <ShareDialog conversationId={conversationId} api={api} onClose={() => setOpen(false)} />}
    </>
  );
}

type Status = { state: 'loading' } | { state: 'ready'; share: ShareLink | null } | { state: 'error'; message: string; share: ShareLink | null };

/**
 * The owner's view of a chat's share link: whether there is one, its address, and to create,
 * refresh or revoke it. A link shows the chat as it stands when created (or refreshed): its shown
 * branch, without model names, costs or files unless chosen here.
 */
export function ShareDialog({ conversationId, api = DEFAULT_CHAT_API, onClose }: { conversationId: string; api?: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [status, setStatus] = useState<Status>({ state: 'loading' });
  const [showModels, setShowModels] = useState(false);
  const [showFiles, setShowFiles] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    const controller = new AbortController();
    getShareLink(api, conversationId, controller.signal).then(
      (share) => {
        setStatus({ state: 'ready', share });
        if (share) {
          setShowModels(share.showModels);
          setShowFiles(share.showFiles);
        }
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setStatus({ state: 'error', message: messageOf(error), share: null });
      },
    );
    return () => controller.abort();
  }, [api, conversationId]);

  const share = status.state === 'loading' ? null : status.share;
  const act = async (work: () => Promise<ShareLink | null>) => {
    setBusy(true);
    try {
      setStatus({ state: 'ready', share: await work() });
    } catch (error) {
      setStatus({ state: 'error', message: messageOf(error), share });
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={headingId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      className="m-auto w-[min(32rem,calc(100vw-1.5rem))] max-w-none rounded-xl border border-border bg-background p-5 text-foreground shadow-xl backdrop:bg-black/50"
    >
      <h2 id={headingId} className="text-base font-semibold">
        Share this chat
      </h2>
      <p className="mt-1 text-sm text-foreground">
        Anyone with the link can read the chat as it is now, without signing in. Later messages are not shared until you update the link.
      </p>
      <p role="status" className="mt-3 text-sm">
        {status.state === 'loading'
          ? 'Checking for a link…'
          : status.state === 'error'
            ? status.message
            : share
              ? `Shared on ${new Date(share.createdAt).toLocaleString()}.`
              : 'Not shared.'}
      </p>
      {share && (
        <div className="mt-2 flex items-center gap-2">
          <input
            readOnly
            aria-label="Share link"
            value={shareUrl(share.id)}
            onFocus={(event) => event.currentTarget.select()}
            className="min-w-0 flex-1 rounded-md border border-border bg-muted px-2 py-1.5 text-sm"
          />
          <CopyButton text={shareUrl(share.id)} label="Copy link" />
        </div>
      )}
      <fieldset className="mt-4 flex flex-col gap-2 text-sm">
        <legend className="sr-only">What the link shows</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={showModels} onChange={(event) => setShowModels(event.target.checked)} />
          Show model names, tokens and costs
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={showFiles} onChange={(event) => setShowFiles(event.target.checked)} />
          Include attached files (their names)
        </label>
      </fieldset>
      <div className="mt-5 flex flex-wrap justify-end gap-2">
        {share && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(async () => (await revokeShareLink(api, conversationId), null))}
            className="rounded-md px-3 py-1.5 text-sm text-destructive hover:bg-destructive/10 focus-visible:outline-2 focus-visible:outline-destructive"
          >
            Revoke link
          </button>
        )}
        <button type="button" onClick={onClose} className="rounded-md px-3 py-1.5 text-sm hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring">
          Close
        </button>
        <button
          type="button"
          disabled={busy || status.state === 'loading'}
          onClick={() => void act(() => createShareLink(api, conversationId, { showModels, showFiles }))}
          className="rounded-md bg-primary px-3 py-1.5 text-sm text-primary-foreground hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:opacity-60"
        >
          {share ? 'Update link' : 'Create link'}
        </button>
      </div>
    </dialog>
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}
