'use client';

import type { MessagePart } from '../protocol/parts';
import type { SharedMessage } from '../protocol/share';
import { ChatMessage } from './ChatMessage';

export interface ChatTranscriptProps {
  /** The messages to show, root first (a share link's snapshot). */
  messages: readonly SharedMessage[];
  className?: string;
}

/**
 * A conversation to read, not to continue: the module's message rendering with no input and no
 * actions (a share link's page). Files show by name only: their bytes stay behind the owner's
 * sign-in.
 */
export function ChatTranscript({ messages, className = '' }: ChatTranscriptProps) {
  return (
    <div role="log" aria-label="Conversation" className={`flex flex-col ${className}`}>
      {messages.map((message, index) => {
        const files = message.parts.flatMap((part) => (part.type === 'file' ? [part.name] : []));
        const parts: MessagePart[] = message.parts.filter((part) => part.type !== 'file');
        return (
          <div key={index} className="py-3">
            {files.length > 0 && (
              <ul aria-label="Attached files" className={`mb-1 flex flex-wrap gap-1 text-xs text-foreground ${message.role === 'user' ? 'justify-end' : ''}`}>
                {files.map((name, fileIndex) => (
                  <li key={fileIndex} className="rounded-md border border-border px-2 py-0.5">
                    {name}
                  </li>
                ))}
              </ul>
            )}
            <ChatMessage
              role={message.role}
              content={message.content}
              timestamp={message.createdAt}
              state={message.status}
              parts={parts}
              model={message.model}
              tokens={message.tokens}
              cost={message.cost}
            />
          </div>
        );
      })}
    </div>
  );
}
