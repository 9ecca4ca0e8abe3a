'use client';

import { useEffect, useId, useState } from 'react';
import { DEFAULT_CHAT_API } from '../client/server-api';
import { conversationFeedback, rateReply } from '../client/search-share-feedback-api';
import { type FeedbackRating, MAX_FEEDBACK_COMMENT_CHARS } from '../protocol/feedback';
import { ThumbDownIcon, ThumbUpIcon } from './icons';

export interface FeedbackButtonsProps {
  conversationId: string;
  /** A saved assistant reply. */
  messageId: string;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
}

const ACTION =
  'inline-flex size-7 shrink-0 items-center justify-center rounded-md text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring aria-pressed:bg-accent aria-pressed:text-accent-foreground';

/**
 * Thumbs up or down on a reply, pressed again to take back; once rated, an optional short comment.
 * The rating is saved at once and kept across reloads.
 */
export function FeedbackButtons({ conversationId, messageId, api = DEFAULT_CHAT_API }: FeedbackButtonsProps) {
  const [rating, setRating] = useState<FeedbackRating | null>(null);
  const [comment, setComment] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const commentId = useId();

  useEffect(() => {
    let live = true;
    conversationFeedback(api, conversationId).then(
      (byMessage) => {
        const given = byMessage.get(messageId);
        if (live && given) {
          setRating(given.rating);
          setComment(given.comment);
        }
      },
      () => undefined, // no feedback shown is better than an error on every reply
    );
    return () => {
      live = false;
    };
  }, [api, conversationId, messageId]);

  const save = async (next: FeedbackRating | null, nextComment: string | null) => {
    const before = { rating, comment };
    setRating(next);
    setComment(nextComment);
    setError(null);
    try {
      const saved = await rateReply(api, conversationId, messageId, next, nextComment);
      setRating(saved.rating);
      setComment(saved.comment);
    } catch (cause) {
      setRating(before.rating);
      setComment(before.comment);
      setError(cause instanceof Error ? cause.message : 'Feedback not saved.');
    }
  };

  const press = (pressed: FeedbackRating) => {
    const next = rating === pressed ? null : pressed;
    setEditing(false);
    void save(next, next === null ? null : comment);
  };

  return (
    <>
      <button type="button" className={ACTION} aria-pressed={rating === 'up'} aria-label="Good reply" title="Good reply" onClick={() => press('up')}>
        <ThumbUpIcon />
      </button>
      <button type="button" className={ACTION} aria-pressed={rating === 'down'} aria-label="Bad reply" title="Bad reply" onClick={() => press('down')}>
        <ThumbDownIcon />
      </button>
      {rating && !editing && (
        <button
          type="button"
          className="rounded-md px-1.5 py-0.5 text-xs text-muted-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
          onClick={() => {
            setDraft(comment ?? '');
            setEditing(true);
          }}
        >
          {comment ? 'Edit comment' : 'Add a comment'}
        </button>
      )}
      {error && <span role="alert" className="text-destructive">{error}</span>}
      {editing && rating && (
        <form
          className="flex w-full items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            setEditing(false);
            void save(rating, draft.trim() === '' ? null : draft.trim());
          }}
        >
          <label htmlFor={commentId} className="sr-only">
            Comment on this reply
          </label>
          <input
            id={commentId}
            autoFocus
            value={draft}
            maxLength={MAX_FEEDBACK_COMMENT_CHARS}
            placeholder="What was good or bad? (optional)"
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.stopPropagation();
                setEditing(false);
              }
            }}
            className="min-w-0 flex-1 rounded-md border border-border bg-background px-2 py-1 text-sm text-foreground"
          />
          <button type="submit" className="rounded-md bg-primary px-2 py-1 text-xs text-primary-foreground hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring">
            Save
          </button>
        </form>
      )}
    </>
  );
}
