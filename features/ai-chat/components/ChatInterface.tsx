'use client';

import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ChatMessageView } from '../client/chat-message-view';
import { useChatConfig } from '../hooks/useChatConfig';
import { useChatController } from '../hooks/useChatController';
import type { ProviderName } from '../protocol/chat-request';
import { ChatErrorBanner } from './ChatErrorBanner';
import { ChatInput } from './ChatInput';
import { ChatUsage } from './ChatUsage';
import { MessageList } from './MessageList';
import { initialModelChoice, ModelPicker, usableModelChoice } from './ModelPicker';

export interface ChatInterfaceProps {
  /** The conversation to open; omit for a new one (the server names it on the first message). */
  conversationId?: string | null;
  systemPrompt?: string;
  /** The starting provider and model, if the server allows them; the reader may pick another. */
  provider?: ProviderName;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Called once the server has saved a message the user sent. */
  onMessageSent?: (message: ChatMessageView) => void;
  onConversationCreated?: (conversationId: string) => void;
  /** Accepted for compatibility with the original API and ignored: the server knows who is signed in. */
  userId?: string;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
  placeholder?: string;
  /** Default true. */
  showModelPicker?: boolean;
  /** Default true. */
  showUsage?: boolean;
  className?: string;
  /** Called each time a message row renders (profiling, tests). */
  onRowRender?: (messageKey: string) => void;
}

/** The whole chat: messages, input, model picker and usage, talking to the routes under `api`. */
export function ChatInterface({
  conversationId,
  systemPrompt,
  provider,
  model,
  temperature,
  maxTokens,
  onMessageSent,
  onConversationCreated,
  api,
  placeholder,
  showModelPicker = true,
  showUsage = true,
  className = '',
  onRowRender,
}: ChatInterfaceProps) {
  const { config } = useChatConfig({ api });
  const [replies, setReplies] = useState(0);
  const initial = config ? initialModelChoice(config, { provider, model }) : null;

  const chat = useChatController({
    api,
    conversationId,
    systemPrompt,
    provider: initial?.provider ?? provider,
    model: initial?.model ?? model,
    temperature,
    maxTokens,
    onMessageSent,
    onConversationCreated,
    onFinish: () => setReplies((count) => count + 1),
  });
  const streaming = chat.status === 'submitted' || chat.status === 'streaming';
  // The picker follows the conversation (the model it is held on), else starts from the default.
  const held = config && chat.conversationModel ? usableModelChoice(config, chat.conversationModel) : null;
  const choice = held ?? initial;
  const { conversationModel, selectModel } = chat;
  useEffect(() => {
    // Held on a model this server no longer offers: the next message goes to what the picker shows.
    if (conversationModel && !held && initial) selectModel(initial);
  }, [conversationModel, held, initial, selectModel]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && streaming && !event.defaultPrevented) chat.stop();
  };

  return (
    <section
      aria-label="Chat"
      onKeyDown={onKeyDown}
      className={`flex h-full min-h-0 flex-col bg-white text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100 ${className}`}
    >
      {(showModelPicker || showUsage) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
          {showModelPicker && config && choice ? (
            <ModelPicker config={config} value={choice} onChange={chat.selectModel} disabled={streaming} />
          ) : (
            <span />
          )}
          {showUsage && <ChatUsage api={api} refreshKey={replies} />}
        </header>
      )}

      <MessageList
        session={chat.session}
        onRowRender={onRowRender}
        empty={
          chat.historyLoading ? (
            <p role="status" className="py-8 text-center text-sm text-zinc-500">
              Loading conversation…
            </p>
          ) : (
            <p className="py-16 text-center text-lg text-zinc-500 dark:text-zinc-400">How can I help?</p>
          )
        }
      />

      <div className="mx-auto flex w-full max-w-3xl flex-col gap-2 px-4 pb-4">
        {/* A reply that failed shows its error (and Retry) in its own row. */}
        {chat.error && !chat.failedReplyKey && (
          <ChatErrorBanner error={chat.error} onRetry={() => void chat.retryLastMessage()} onDismiss={chat.dismissError} />
        )}
        <ChatInput
          onSend={chat.sendMessage}
          onStop={chat.stop}
          isStreaming={streaming}
          disabled={chat.historyLoading || (config !== null && choice === null)}
          placeholder={config !== null && choice === null ? 'No model provider is configured on the server' : placeholder}
          maxLength={config?.maxMessageChars}
          autoFocus
        />
      </div>
    </section>
  );
}
