'use client';

import { useId, useState, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARS } from '../protocol/chat-request';
import { isSubmitKey } from './submit-key';

export interface MessageEditorProps {
  initialText: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}

/** Edits a sent message in place; saving sends it as a new version (a branch). */
export function MessageEditor({ initialText, onSave, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(initialText);
  const tooLong = text.length > MAX_MESSAGE_CHARS;
  const canSave = text.trim() !== '' && text !== initialText && !tooLong;
  const noteId = useId();

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
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Edit message"
        aria-describedby={tooLong ? noteId : undefined}
        aria-invalid={tooLong || undefined}
        rows={Math.min(10, text.split('\n').length + 1)}
        autoFocus
        className="w-full resize-y rounded-lg border border-zinc-300 bg-white p-2 text-sm text-zinc-900 outline-none focus:border-blue-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      />
      {tooLong && (
        <p id={noteId} className="text-xs text-red-700 dark:text-red-300">
          Your message is {text.length.toLocaleString('en-US')} characters; the limit is {MAX_MESSAGE_CHARS.toLocaleString('en-US')}.
        </p>
      )}
      <div className="flex justify-end gap-2">
        <button
          type="button"
          onClick={onCancel}
          className="rounded-md px-3 py-1 text-sm text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          Cancel
        </button>
        <button
          type="submit"
          disabled={!canSave}
          className="rounded-md bg-blue-600 px-3 py-1 text-sm text-white hover:bg-blue-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:opacity-50"
        >
          Save and send
        </button>
      </div>
    </form>
  );
}
