'use client';

import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { DEFAULT_CHAT_API } from '../client/server-api';
import { isAbortError } from '../client/http-error';
import { searchChats, showMessageBranch } from '../client/search-share-feedback-api';
import { MAX_SEARCH_QUERY_CHARS, type SearchHit, snippetRuns } from '../protocol/search';
import { SearchIcon } from './icons';

export interface SearchDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /**
   * A result was chosen: open this conversation (at `messageId` when the result is a message, whose
   * branch is already the one on show). Call `revealMessage(messageId)` once the chat is open.
   */
  onSelect: (conversationId: string, messageId: string | null) => void;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
}

/** Typing settles for this long before a search is sent. */
const SETTLE_MS = 150;

type Found = { query: string; results: SearchHit[] } | { query: string; error: string };

/**
 * Search across chats in a modal dialog: titles and words of any message of any branch, best
 * first, matching words marked. The browser's modal <dialog> traps focus and closes on Esc;
 * ArrowDown moves from the box into the results, Enter opens one.
 */
export function SearchDialog({ open, onOpenChange, onSelect, api = DEFAULT_CHAT_API }: SearchDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const headingId = useId();
  const listId = useId();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Found | null>(null);
  const [opening, setOpening] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      inputRef.current?.select();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  useEffect(() => {
    const text = query.trim();
    if (!open || text === '') return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searchChats(api, text, controller.signal).then(
        (results) => setFound({ query: text, results }),
        (error: unknown) => {
          if (!isAbortError(error)) setFound({ query: text, error: error instanceof Error ? error.message : 'Search failed.' });
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, open, query]);

  const shown = query.trim() === '' ? null : found;
  const results = shown && 'results' in shown ? shown.results : [];

  const choose = async (hit: SearchHit) => {
    if (opening) return;
    setOpening(true);
    try {
      if (hit.messageId) await showMessageBranch(api, hit.conversationId, hit.messageId);
      onOpenChange(false);
      onSelect(hit.conversationId, hit.messageId);
    } catch (error) {
      setFound({ query: query.trim(), error: error instanceof Error ? error.message : 'Could not open that chat.' });
    } finally {
      setOpening(false);
    }
  };

  const buttons = () => Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      buttons()[0]?.focus();
    } else if (event.key === 'Enter' && results[0]) {
      event.preventDefault();
      void choose(results[0]);
    } else if (event.key === 'Escape') {
      // A search field's own Esc only clears it: one Esc closes the search, as everywhere else.
      event.preventDefault();
      onOpenChange(false);
    }
  };
  const onListKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const list = buttons();
    const index = list.indexOf(document.activeElement as HTMLButtonElement);
    const next = index + (event.key === 'ArrowDown' ? 1 : -1);
    if (next < 0) inputRef.current?.focus();
    else list[Math.min(next, list.length - 1)]?.focus();
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={headingId}
      onClose={() => onOpenChange(false)}
      onClick={(event) => {
        if (event.target === event.currentTarget) onOpenChange(false);
      }}
      className="mx-auto mt-[10vh] w-[min(40rem,calc(100vw-1.5rem))] max-w-none flex-col overflow-hidden rounded-xl border border-border bg-background p-0 text-foreground shadow-xl open:flex backdrop:bg-black/50"
    >
      <h2 id={headingId} className="sr-only">
        Search chats
      </h2>
      <div className="flex items-center gap-2 border-b border-border px-3">
        <SearchIcon />
        <input
          ref={inputRef}
          type="search"
          aria-label="Search chats"
          aria-controls={listId}
          placeholder="Search chats"
          maxLength={MAX_SEARCH_QUERY_CHARS}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onInputKeyDown}
          className="min-w-0 flex-1 bg-transparent py-3 text-base outline-none placeholder:text-muted-foreground [&::-webkit-search-cancel-button]:appearance-none"
        />
      </div>
      <p role="status" className="px-4 pt-2 text-xs text-muted-foreground">
        {shown === null
          ? query.trim() === ''
            ? 'Type to search titles and messages of every chat.'
            : ''
          : 'error' in shown
            ? shown.error
            : results.length === 0
              ? 'No chats match.'
              : `${results.length} ${results.length === 1 ? 'result' : 'results'}`}
      </p>
      <ul id={listId} ref={listRef} aria-label="Search results" onKeyDown={onListKeyDown} className="max-h-[60vh] overflow-y-auto p-2">
        {results.map((hit) => (
          <li key={`${hit.kind}:${hit.conversationId}:${hit.messageId ?? ''}`}>
            <button
              type="button"
              disabled={opening}
              onClick={() => void choose(hit)}
              className="flex w-full flex-col gap-0.5 rounded-md px-3 py-2 text-left hover:bg-accent focus-visible:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
            >
              <span className="truncate text-sm font-medium">{hit.conversationTitle}</span>
              {hit.kind === 'message' && (
                <span className="line-clamp-2 text-sm text-foreground">
                  <span className="text-muted-foreground">{hit.role === 'user' ? 'You: ' : 'Assistant: '}</span>
                  <Snippet text={hit.snippet} />
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </dialog>
  );
}

/** The snippet as text nodes, matching words in <mark>: the text is never parsed as HTML. */
function Snippet({ text }: { text: string }) {
  return (
    <>
      {snippetRuns(text).map((run, index) =>
        run.marked ? (
          <mark key={index} className="rounded-sm bg-primary px-0.5 text-primary-foreground">
            {run.text}
          </mark>
        ) : (
          <span key={index}>{run.text}</span>
        ),
      )}
    </>
  );
}

/** The sidebar's search box: a button that looks like one and opens the search dialog. */
export function SearchButton({ onClick, className = '' }: { onClick: () => void; className?: string }) {
  return (
    <button
      type="button"
      aria-haspopup="dialog"
      onClick={onClick}
      className={`flex w-full items-center gap-2 rounded-md border border-border bg-background px-3 py-2 text-left text-sm text-muted-foreground hover:border-ring focus-visible:outline-2 focus-visible:outline-ring ${className}`}
    >
      <SearchIcon />
      <span>Search chats</span>
    </button>
  );
}
