'use client';

import { type ClipboardEvent, type FormEvent, type KeyboardEvent, type Ref, useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import { type AttachmentRecord, DEFAULT_CHAT_API } from '../client/server-api';
import { useAttachmentDrafts } from '../hooks/useAttachmentDrafts';
import { inputNote } from './input-note';
import { useFileDrop } from '../hooks/useFileDrop';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../protocol/parts';
import { acceptAttribute } from './model-file-types';
import { MAX_MESSAGE_CHARS } from '../protocol/chat-request';
import { AttachmentDrafts } from './AttachmentDrafts';
import { ArrowUpIcon, PaperclipIcon, StopIcon } from './icons';
import { isSubmitKey } from './submit-key';

export interface ChatInputProps {
  /** Called with the text and the files uploaded for it (none unless `attachments` is on). */
  onSend: (message: string, attachments?: AttachmentRecord[]) => void | Promise<void>;
  /**
   * ArrowUp in the empty box: edit the last message sent. Returns whether there was one to edit
   * (if not, the key does what it always does).
   */
  onEditLast?: () => boolean;
  /**
   * Lets the reader attach images and PDFs (paste, drop, or the paperclip): each is uploaded at
   * once to POST {api}/attachments. Off by default; `true` uses '/api/chat'. `accept` narrows the
   * types offered to what the chosen model reads (default: every type the server takes);
   * `maxFiles` is the most one message may carry (the server's /config): files past it are not added.
   */
  attachments?: boolean | { api: string; accept?: readonly AttachmentMediaType[]; maxFiles?: number };
  /**
   * The chat the text and files being written belong to. When it changes (another chat is shown)
   * they are dropped, and files uploaded for them deleted: nothing goes to a chat it was not written in.
   */
  draftKey?: string | number;
  /** Nothing can be sent (and, unless a reply is streaming, nothing typed). */
  disabled?: boolean;
  /** Why the input is disabled, in words, shown under it (e.g. a usage limit and when it resets). */
  disabledReason?: string | null;
  placeholder?: string;
  /** Offered while `isStreaming`: the send button becomes a stop button, Esc stops too. */
  onStop?: () => void;
  isStreaming?: boolean;
  /** Default MAX_MESSAGE_CHARS, the server's limit. Longer text is kept, explained and not sent. */
  maxLength?: number;
  autoFocus?: boolean;
  className?: string;
  /** The textarea's id, for a skip link that points at it. */
  id?: string;
  /** The textarea, for callers that move focus to it. */
  textareaRef?: Ref<HTMLTextAreaElement>;
}

const MAX_HEIGHT_PX = 240;

/** The message box: grows with its text, Enter sends, Shift+Enter breaks the line. */
export function ChatInput({
  onSend,
  disabled = false,
  disabledReason = null,
  placeholder = 'Type your message…',
  onStop,
  isStreaming = false,
  maxLength = MAX_MESSAGE_CHARS,
  autoFocus = false,
  className = '',
  id,
  textareaRef,
  attachments = false,
  draftKey,
  onEditLast,
}: ChatInputProps) {
  const [value, setValue] = useState('');
  const ownRef = useRef<HTMLTextAreaElement | null>(null);
  const pickerRef = useRef<HTMLInputElement | null>(null);
  const noteId = useId();
  const canAttach = attachments !== false;
  const accept = (typeof attachments === 'object' ? attachments.accept : undefined) ?? ATTACHMENT_MEDIA_TYPES;
  const maxFiles = typeof attachments === 'object' ? attachments.maxFiles : undefined;
  const files = useAttachmentDrafts(typeof attachments === 'object' ? attachments.api : DEFAULT_CHAT_API);
  /** Files left out of the last add, over `maxFiles`: said by the input until the next change. */
  const [notAdded, setNotAdded] = useState(0);
  /** Enter was pressed while files upload: said while they still are (until the next file is added). */
  const [sendWaiting, setSendWaiting] = useState(false);
  const canStop = isStreaming && onStop !== undefined;
  const tooLong = value.length > maxLength;
  const hasContent = value.trim() !== '' || files.ready.length > 0;
  const uploadingCount = files.drafts.filter((draft) => draft.status === 'uploading').length;
  const overFileLimit = maxFiles !== undefined && files.ready.length > maxFiles;
  const canSend = !disabled && !isStreaming && !tooLong && hasContent && !files.uploading && !overFileLimit;
  const failedUpload = files.drafts.find((draft) => draft.status === 'failed');
  const nearLimit = value.length >= maxLength * 0.9;
  const reason = disabled && !isStreaming ? disabledReason : null;

  useLayoutEffect(() => {
    const textarea = ownRef.current;
    if (!textarea) return;
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [value]);

  useImperativeHandle(textareaRef, () => ownRef.current as HTMLTextAreaElement, []);

  // Another chat is shown: what was written for the last one stays out of it.
  const { discardAll } = files;
  const draftsFor = useRef(draftKey);
  useEffect(() => {
    if (draftsFor.current === draftKey) return;
    draftsFor.current = draftKey;
    discardAll();
    setValue('');
    setNotAdded(0);
    setSendWaiting(false);
  }, [draftKey, discardAll]);

  const send = () => {
    if (!canSend) {
      if (files.uploading && !disabled && !isStreaming) setSendWaiting(true);
      return;
    }
    const message = value;
    const sent = files.ready;
    setValue('');
    setNotAdded(0);
    files.clearSent();
    // Without attachments the callback gets the text alone, as it always did.
    void (canAttach ? onSend(message, sent) : onSend(message));
    ownRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && canStop) {
      event.preventDefault();
      onStop();
      return;
    }
    const plainArrowUp = event.key === 'ArrowUp' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
    if (plainArrowUp && value === '' && files.ready.length === 0 && !event.nativeEvent.isComposing && onEditLast?.()) {
      event.preventDefault();
      return;
    }
    if (!isSubmitKey(event)) return;
    event.preventDefault();
    send();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (canStop) onStop();
    else send();
  };

  const attach = (list: FileList | null | undefined) => {
    if (!canAttach || (disabled && !isStreaming) || !list || list.length === 0) return;
    const picked = Array.from(list);
    setSendWaiting(false);
    // Refused files do not count: they are not sent.
    const held = files.drafts.filter((draft) => draft.status !== 'failed').length;
    const room = maxFiles === undefined ? picked.length : Math.max(0, maxFiles - held);
    setNotAdded(Math.max(0, picked.length - room));
    files.add(picked.slice(0, room), accept);
  };

  const removeFile = (key: string) => {
    setNotAdded(0);
    files.remove(key);
  };

  // A pasted screenshot arrives as a file; text pasted alongside it (a name, HTML) still goes in.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (!canAttach || event.clipboardData.files.length === 0) return;
    attach(event.clipboardData.files);
    if (event.clipboardData.getData('text/plain') === '') event.preventDefault();
  };

  const drop = useFileDrop(canAttach, attach);

  // No `maxLength` on the textarea: the browser would cut a long paste without a word. The text
  // stays whole, the note says by how much it is over, and Send waits until it fits.
  const note = inputNote({
    id: noteId,
    maxFiles,
    notAdded,
    overBy: overFileLimit && maxFiles !== undefined ? files.ready.length - maxFiles : 0,
    failedUpload,
    waitingFor: sendWaiting ? uploadingCount : 0,
    reason,
    length: tooLong ? value.length : null,
    maxLength,
  });
  // The character count is short: it shares the row with the keyboard hint; any other note takes the row.
  const counter = !note && nearLimit ? (
    <span id={noteId}>
      {value.length.toLocaleString('en-US')} / {maxLength.toLocaleString('en-US')}
    </span>
  ) : null;

  return (
    <form
      onSubmit={onSubmit}
      onDragEnter={drop.onDragEnter}
      onDragOver={drop.onDragOver}
      onDragLeave={drop.onDragLeave}
      onDrop={drop.onDrop}
      className={`relative flex flex-col gap-1 ${className}`}
    >
      {drop.dragging && (
        <div
          aria-hidden="true"
          data-testid="drop-zone"
          className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center rounded-2xl border-2 border-dashed border-ring bg-background/90 text-sm font-medium text-foreground"
        >
          Drop images or PDFs to attach
        </div>
      )}
      <div
        className={`flex flex-col rounded-2xl border bg-background p-2 focus-within:border-ring ${
          tooLong ? 'border-destructive' : 'border-input'
        }`}
      >
        {canAttach && <AttachmentDrafts drafts={files.drafts} onRemove={removeFile} onEmptied={() => ownRef.current?.focus()} />}
        <div className="flex items-end gap-2">
          {canAttach && (
            <>
              <button
                type="button"
                onClick={() => pickerRef.current?.click()}
                aria-label="Attach files"
                title="Attach images or PDFs"
                disabled={disabled && !isStreaming}
                className="inline-flex size-9 shrink-0 items-center justify-center rounded-full text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-60"
              >
                <PaperclipIcon />
              </button>
              <input
                ref={pickerRef}
                type="file"
                multiple
                accept={acceptAttribute(accept)}
                hidden
                data-testid="attach-files-input"
                onChange={(event) => {
                  attach(event.target.files);
                  event.target.value = '';
                }}
              />
            </>
          )}
          <textarea
            ref={ownRef}
            id={id}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            placeholder={placeholder}
            aria-label="Message"
            aria-describedby={note || counter ? noteId : undefined}
            aria-invalid={tooLong || undefined}
            rows={1}
            disabled={disabled && !isStreaming}
            autoFocus={autoFocus}
            className="max-h-60 min-h-9 flex-1 resize-none bg-transparent px-2 py-1.5 text-base text-foreground outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed disabled:opacity-60 sm:text-sm"
          />
          {canStop ? (
            <button
              type="submit"
              aria-label="Stop"
              title="Stop (Esc)"
              className="inline-flex size-9 shrink-0 items-center justify-center rounded-full bg-foreground text-background hover:bg-foreground/80 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            >
              <StopIcon />
            </button>
          ) : (
            <button
              type="submit"
              aria-label="Send"
              title="Send (Enter)"
              disabled={!canSend}
              className="inline-flex size-9 shrink-0 items-center justify-center rounded-full bg-primary text-primary-foreground hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:bg-muted disabled:text-muted-foreground"
            >
              <ArrowUpIcon />
            </button>
          )}
        </div>
      </div>
      <div className="flex justify-between gap-2 px-2 text-xs text-muted-foreground" aria-live="polite">
        {/* A note that matters (a refused file, a limit) takes the whole row; the keyboard hint yields. */}
        {note ?? (
          <>
            <span className="max-sm:hidden">Enter to send, Shift+Enter for a new line</span>
            {counter}
          </>
        )}
      </div>
    </form>
  );
}
