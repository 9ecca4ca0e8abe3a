'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARS } from '../protocol/chat-request';
import type { FilePart } from '../protocol/parts';
import { MessageAttachments } from './MessageAttachments';
import { isSubmitKey } from './submit-key';

export interface MessageEditorProps {
  initialText: string;
  /** The message's files: shown, and sent again with the new version. */
  files?: readonly FilePart[];
  /** Where the files are read. Default '/api/chat'. */
  api?: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}

const NO_FILES: readonly FilePart[] = [];

/**
 * Edits a sent message in place; saving sends it as a new version (a branch) with the same
 * files. A message of files only may be sent again with its text still empty.
 */
export function MessageEditor({ initialText, files = NO_FILES, api, onSave, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(initialText);
  const tooLong = text.length > MAX_MESSAGE_CHARS;
  const hasFiles = files.length > 0;
  const filesOnly = hasFiles && initialText.trim() === '';
  const canSave = !tooLong && (filesOnly || (text.trim() !== '' && text !== initialText));
  const noteId = useId();
  // Focus without the browser's minimal scroll (which left the first line under the top bar), the
  // caret at the end, then the whole editor brought into the middle of the list.
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const textarea = textareaRef.current;
    if (!textarea) return;
    textarea.focus({ preventScroll: true });
    // The caret after the last word, where a person goes on typing (focus alone leaves it first).
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    textarea.closest('form')?.scrollIntoView?.({ block: 'center' });
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      // Esc here cancels the edit; it must not also stop a streaming reply.
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    if (isSubmitKey(event)) {
      event.preventDefault();
      if (canSave) onSave(text);
    }
  };

  return (
    <form
      className="flex w-full flex-col gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSave) onSave(text);
      }}
    >
      <MessageAttachments files={files} api={api} />
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Edit message"
        aria-describedby={tooLong ? noteId : undefined}
        aria-invalid={tooLong || undefined}
        ref={textareaRef}
        rows={Math.min(10, text.split('\n').length + 1)}
        className="w-full resize-y rounded-lg border border-input bg-background p-2 text-sm text-foreground outline-none focus:border-ring"
      />
      {tooLong && (
        <p id={noteId} className="text-xs text-destructive">
          Your message is {text.length.toLocaleString('en-US')} characters; the limit is {MAX_MESSAGE_CHARS.toLocaleString('en-US')}.
        </p>
      )}
      <div className="flex justify-end gap-2">
        <button
          type="button"
          onClick={onCancel}
          className="rounded-md px-3 py-1 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
        >
          Cancel
        </button>
        <button
          type="submit"
          disabled={!canSave}
          className="rounded-md bg-primary px-3 py-1 text-sm text-primary-foreground hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:opacity-50"
        >
          Save and send
        </button>
      </div>
    </form>
  );
}
