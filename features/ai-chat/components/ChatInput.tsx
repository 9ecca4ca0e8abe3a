'use client';

import { useId, useImperativeHandle, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { MAX_MESSAGE_CHARS } from '../protocol/chat-request';
import { ArrowUpIcon, StopIcon } from './icons';
import { isSubmitKey } from './submit-key';

export interface ChatInputProps {
  onSend: (message: string) => void | Promise<void>;
  /** Nothing can be sent (and, unless a reply is streaming, nothing typed). */
  disabled?: boolean;
  placeholder?: string;
  /** Offered while `isStreaming`: the send button becomes a stop button, Esc stops too. */
  onStop?: () => void;
  isStreaming?: boolean;
  /** Default MAX_MESSAGE_CHARS, the server's limit. A counter shows near it. */
  maxLength?: number;
  autoFocus?: boolean;
  className?: string;
  /** The textarea, for callers that move focus to it. */
  textareaRef?: Ref<HTMLTextAreaElement>;
}

const MAX_HEIGHT_PX = 240;

/** The message box: grows with its text, Enter sends, Shift+Enter breaks the line. */
export function ChatInput({
  onSend,
  disabled = false,
  placeholder = 'Type your message…',
  onStop,
  isStreaming = false,
  maxLength = MAX_MESSAGE_CHARS,
  autoFocus = false,
  className = '',
  textareaRef,
}: ChatInputProps) {
  const [value, setValue] = useState('');
  const ownRef = useRef<HTMLTextAreaElement | null>(null);
  const counterId = useId();
  const canStop = isStreaming && onStop !== undefined;
  const canSend = !disabled && !isStreaming && value.trim() !== '';
  const nearLimit = value.length >= maxLength * 0.9;

  useLayoutEffect(() => {
    const textarea = ownRef.current;
    if (!textarea) return;
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [value]);

  useImperativeHandle(textareaRef, () => ownRef.current as HTMLTextAreaElement, []);

  const send = () => {
    if (!canSend) return;
    const message = value;
    setValue('');
    void onSend(message);
    ownRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && canStop) {
      event.preventDefault();
      onStop();
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

  return (
    <form onSubmit={onSubmit} className={`flex flex-col gap-1 ${className}`}>
      <div className="flex items-end gap-2 rounded-2xl border border-zinc-300 bg-white p-2 focus-within:border-blue-500 dark:border-zinc-700 dark:bg-zinc-900">
        <textarea
          ref={ownRef}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          aria-label="Message"
          aria-describedby={nearLimit ? counterId : undefined}
          maxLength={maxLength}
          rows={1}
          disabled={disabled && !isStreaming}
          autoFocus={autoFocus}
          className="max-h-60 min-h-9 flex-1 resize-none bg-transparent px-2 py-1.5 text-sm text-zinc-900 outline-none placeholder:text-zinc-400 disabled:cursor-not-allowed disabled:opacity-60 dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
        {canStop ? (
          <button
            type="submit"
            aria-label="Stop generating"
            title="Stop (Esc)"
            className="inline-flex size-9 shrink-0 items-center justify-center rounded-full bg-zinc-900 text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
          >
            <StopIcon />
          </button>
        ) : (
          <button
            type="submit"
            aria-label="Send message"
            title="Send (Enter)"
            disabled={!canSend}
            className="inline-flex size-9 shrink-0 items-center justify-center rounded-full bg-blue-600 text-white hover:bg-blue-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:bg-zinc-300 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-500"
          >
            <ArrowUpIcon />
          </button>
        )}
      </div>
      <div className="flex justify-between px-2 text-xs text-zinc-500 dark:text-zinc-400">
        <span className="max-sm:hidden">Enter to send, Shift+Enter for a new line</span>
        {nearLimit && (
          <span id={counterId} aria-live="polite" className={value.length >= maxLength ? 'text-red-600 dark:text-red-400' : ''}>
            {value.length.toLocaleString()} / {maxLength.toLocaleString()}
          </span>
        )}
      </div>
    </form>
  );
}
