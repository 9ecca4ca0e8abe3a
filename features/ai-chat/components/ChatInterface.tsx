'use client';

import { type ReactNode, useEffect, useRef, useState } from 'react';
import { DEFAULT_CHAT_API } from '../client/server-api';
import type { ChatMessageView } from '../client/chat-message-view';
import { useChatConfig } from '../hooks/useChatConfig';
import { useChatController } from '../hooks/useChatController';
import { useMessageKeys } from '../hooks/useChatMessage';
import { useRefreshOnChange } from '../hooks/useRefreshOnChange';
import { useStopOnEscape } from '../hooks/useStopOnEscape';
import { useTokenUsage } from '../hooks/useTokenUsage';
import type { ProviderName } from '../protocol/chat-request';
import { ChatErrorBanner } from './ChatErrorBanner';
import { LimitNotice } from './LimitNotice';
import { ShowCostContext } from './show-cost';
import { ChatInput } from './ChatInput';
import { MessageList } from './MessageList';
import { fileTypesTheModelReads } from './model-file-types';
import { initialModelChoice, ModelPicker, usableModelChoice } from './ModelPicker';
import { UsageMeter } from './UsageMeter';
import { useKeyboardShortcuts } from './keyboard-shortcuts';
import { SettingsDialog, useDefaultModel } from './SettingsDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { SettingsIcon } from './icons';
import { ToolsControl } from './ToolsControl';
import { usageExhaustion } from './usage-exhaustion';

export interface ChatInterfaceProps {
  /** The conversation to open; omit for a new one (the server names it on the first message). */
  conversationId?: string | null;
  /** The conversation's title, shown as the page's heading ("New chat" when there is no conversation). */
  title?: string | null;
  systemPrompt?: string;
  /** The starting provider and model, if the server allows them; the reader may pick another. */
  provider?: ProviderName;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Called once the server has saved a message the user sent. */
  onMessageSent?: (message: ChatMessageView) => void;
  onConversationCreated?: (conversationId: string) => void;
  /**
   * A new chat's first reply ended. Its title, written by a model on the server, arrives a moment
   * later: pass `{ conversationId, key }` to ConversationList's `awaitTitle` to show it as it does.
   */
  onFirstReply?: (conversationId: string) => void;
  /** "Start a new chat" on a conversation that does not exist: a link to `newChatHref`, or this. */
  onNewChat?: () => void;
  /** Default '/'. */
  newChatHref?: string;
  /**
   * @deprecated The seed's prop, still accepted so its examples compile; ignored: the server
   * decides who is signed in, never the client.
   */
  userId?: string;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
  placeholder?: string;
  /** Default true. */
  showModelPicker?: boolean;
  /** Default true. */
  showUsage?: boolean;
  /** Show each reply's cost under it (operator detail; the usage meter shows spend). Default false. */
  showCost?: boolean;
  /** Images and PDFs in the message box (paste, drop, pick), uploaded under `api`. Default true. */
  allowAttachments?: boolean;
  /** Shown before and after the heading in the chat's top bar (e.g. the app's navigation on a phone). */
  headerStart?: ReactNode;
  headerEnd?: ReactNode;
  /** The message box's id, for a skip link. Default 'chat-message-input'. */
  inputId?: string;
  /**
   * Ctrl/⌘+K: open the app's search (e.g. a SearchDialog). Unset, the keys are left alone.
   * Ctrl/⌘+Shift+O starts a new chat (`onNewChat`); Ctrl/⌘+/ lists the shortcuts.
   */
  onSearch?: () => void;
  /** Ctrl/⌘ shortcuts on the page (see keyboard-shortcuts). Default true. */
  shortcuts?: boolean;
  /** A Settings button in the top bar (theme, default model). Default true. */
  showSettings?: boolean;
  className?: string;
}

/** The whole chat: messages, input, model picker and usage, talking to the routes under `api`. */
export function ChatInterface({
  conversationId,
  title,
  systemPrompt,
  provider,
  model,
  temperature,
  maxTokens,
  onMessageSent,
  onConversationCreated,
  onFirstReply,
  onNewChat,
  newChatHref = '/',
  api,
  placeholder,
  showModelPicker = true,
  showUsage = true,
  showCost = false,
  allowAttachments = true,
  headerStart,
  headerEnd,
  inputId = 'chat-message-input',
  onSearch,
  shortcuts = true,
  showSettings = true,
  className = '',
}: ChatInterfaceProps) {
  const { config } = useChatConfig({ api });
  const [dialog, setDialog] = useState<'settings' | 'shortcuts' | null>(null);
  useKeyboardShortcuts(
    { search: onSearch, 'new-chat': onNewChat, shortcuts: () => setDialog((open) => (open === 'shortcuts' ? null : 'shortcuts')) },
    shortcuts,
  );
  // New chats start on the browser's default model (Settings) unless the app names one.
  const savedModel = useDefaultModel();
  // The conversation this chat's turn under way created, until its reply ends.
  const createdNow = useRef<string | null>(null);
  // A reply that starts holds its most against the limits: the meter shows it "in progress" at once.
  const [repliesStarted, setRepliesStarted] = useState(0);
  const initial = config
    ? initialModelChoice(config, provider || model ? { provider, model } : { provider: savedModel?.provider, model: savedModel?.model })
    : null;
  const usage = useTokenUsage(undefined, { api });
  useRefreshOnChange(repliesStarted, usage.refresh);
  const exhausted = usageExhaustion(usage);

  const chat = useChatController({
    api,
    conversationId,
    systemPrompt,
    provider: initial?.provider ?? provider,
    model: initial?.model ?? model,
    temperature,
    maxTokens,
    onMessageSent: (message) => {
      setRepliesStarted((count) => count + 1);
      onMessageSent?.(message);
    },
    onConversationCreated: (id) => {
      createdNow.current = id;
      onConversationCreated?.(id);
    },
    onFinish: () => {
      const created = createdNow.current;
      createdNow.current = null;
      if (created) onFirstReply?.(created);
    },
  });
  const streaming = chat.status === 'submitted' || chat.status === 'streaming';
  // Every turn's end (finished, stopped, failed) settles its hold: the meter reads it again.
  useRefreshOnChange(streaming, usage.refresh);
  const messageCount = useMessageKeys(chat.session.messages).length;
  const notFound = Boolean(conversationId) && !chat.historyLoading && chat.error?.code === 'not_found' && messageCount === 0;
  useStopOnEscape(streaming, chat.stop);
  // The picker follows the conversation (the model it is held on), else starts from the default.
  const held = config && chat.conversationModel ? usableModelChoice(config, chat.conversationModel) : null;
  const choice = held ?? initial;
  const fileTypes = fileTypesTheModelReads(config, choice);
  const { conversationModel, selectModel } = chat;
  useEffect(() => {
    // Held on a model this server no longer offers: the next message goes to what the picker shows.
    if (conversationModel && !held && initial) selectModel(initial);
  }, [conversationModel, held, initial, selectModel]);

  // Opening a chat (a new one, one from the list, once its messages have loaded) puts the cursor
  // in the message box.
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const inputDisabled = chat.historyLoading || (config !== null && choice === null) || exhausted !== null;
  const focusKey = `${conversationId ?? 'new'}:${chat.conversationId === null ? 'cleared' : 'open'}`;
  const focusedFor = useRef<string | null>(null);
  useEffect(() => {
    if (focusedFor.current === focusKey || inputDisabled || notFound || !inputRef.current) return;
    focusedFor.current = focusKey;
    inputRef.current.focus();
  }, [focusKey, inputDisabled, notFound]);

  // The chat the message box writes for. A conversationId that is the one this chat just created
  // (handed back by onConversationCreated) is the same chat; any other is leaving it.
  const requestedId = conversationId ?? null;
  const [draftChat, setDraftChat] = useState({ requestedId, key: 0 });
  if (draftChat.requestedId !== requestedId) {
    const sameChat = requestedId !== null && requestedId === chat.conversationId;
    setDraftChat({ requestedId, key: sameChat ? draftChat.key : draftChat.key + 1 });
  }

  const heading = notFound ? 'Chat not found' : title?.trim() || (conversationId || chat.conversationId ? 'Chat' : 'New chat');

  return (
    <section
      ref={sectionRef}
      aria-label="Chat"
      className={`flex h-full min-h-0 flex-col bg-background text-foreground ${className}`}
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-border px-3 py-2">
        <div className="flex min-w-0 flex-1 basis-full items-center gap-1 md:min-w-48 md:basis-0">
          {headerStart}
          <h1 className="min-w-0 flex-1 truncate px-1 text-base font-semibold">{heading}</h1>
          {/* Once the chat exists, and only where the model may be offered tools. */}
          {config?.tools && chat.conversationId && !notFound && <ToolsControl key={chat.conversationId} conversationId={chat.conversationId} api={api} />}
          {showSettings && (
            <button
              type="button"
              aria-label="Settings"
              aria-haspopup="dialog"
              onClick={() => setDialog('settings')}
              className="inline-flex size-9 shrink-0 items-center justify-center rounded-md text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
            >
              <SettingsIcon />
            </button>
          )}
          {headerEnd}
        </div>
        {(showModelPicker || showUsage) && (
          // Its height is held before the picker and the meter load, so the bar never jumps.
          <div className="flex min-h-9 min-w-0 basis-full items-center justify-between gap-3 md:basis-auto">
            {showModelPicker && config && choice && !notFound ? (
              <ModelPicker config={config} value={choice} onChange={chat.selectModel} disabled={streaming} />
            ) : (
              <span />
            )}
            {/* Its two lines stacked: a reply's hold ("up to … in progress") never squeezes the title. */}
            {showUsage && <UsageMeter usage={usage} stacked />}
          </div>
        )}
      </header>

      {notFound ? (
        <div className="flex flex-1 flex-col items-center justify-center gap-3 px-4 text-center">
          <p className="text-lg text-foreground">This chat doesn&apos;t exist or was deleted.</p>
          <a
            href={newChatHref}
            onClick={(event) => {
              if (!onNewChat) return;
              event.preventDefault();
              onNewChat();
            }}
            className="rounded-md bg-primary px-4 py-2 text-sm font-medium text-primary-foreground hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
          >
            Start a new chat
          </a>
        </div>
      ) : (
        <>
          <ShowCostContext.Provider value={showCost}>
            <MessageList
              session={chat.session}
              empty={
                chat.historyLoading ? (
                  <p role="status" className="py-8 text-center text-sm text-muted-foreground">
                    Loading conversation…
                  </p>
                ) : (
                  <p className="py-16 text-center text-lg text-muted-foreground">How can I help?</p>
                )
              }
            />
          </ShowCostContext.Provider>

          <div className="mx-auto flex w-full max-w-3xl flex-col gap-2 px-4 pb-4">
            {/* A reply that failed shows its error (and Retry) in its own row. */}
            {exhausted && <LimitNotice exhaustion={exhausted} />}
            {chat.error && !chat.failedReplyKey && !(exhausted && chat.error.code === 'usage_limit') && (
              <ChatErrorBanner error={chat.error} onRetry={() => void chat.retryLastMessage()} onDismiss={chat.dismissError} />
            )}
            <ChatInput
              id={inputId}
              textareaRef={inputRef}
              onSend={(text, attachments) => void chat.sendMessage(text, { attachments })}
              onEditLast={() => editLastMessage(sectionRef.current)}
              draftKey={draftChat.key}
              attachments={
                allowAttachments && fileTypes.length > 0 && config?.maxFilesPerMessage !== 0
                  ? { api: api ?? DEFAULT_CHAT_API, accept: fileTypes, maxFiles: config?.maxFilesPerMessage }
                  : false
              }
              onStop={chat.stop}
              isStreaming={streaming}
              disabled={inputDisabled}
              disabledReason={exhausted ? 'Writing is paused until the limit resets.' : null}
              // The operator's part (which key to set) is in the server log and the dev banner, not here.
              placeholder={config !== null && choice === null ? 'Chat is not available yet.' : placeholder}
              maxLength={config?.maxMessageChars}
            />
          </div>
        </>
      )}
      {showSettings && (
        <SettingsDialog
          open={dialog === 'settings'}
          onOpenChange={(open) => setDialog(open ? 'settings' : null)}
          config={config}
          onShowShortcuts={() => setDialog('shortcuts')}
        />
      )}
      <ShortcutsDialog open={dialog === 'shortcuts'} onOpenChange={(open) => setDialog(open ? 'shortcuts' : null)} />
    </section>
  );
}

/** Opens the editor of the last message the reader sent, if it can be edited; false when none. */
function editLastMessage(chat: HTMLElement | null): boolean {
  const mine = chat?.querySelectorAll<HTMLElement>('[role="log"] article[aria-label="You said"]');
  const edit = mine?.[mine.length - 1]?.querySelector<HTMLButtonElement>('button[aria-label="Edit message"]');
  if (!edit) return false;
  edit.click();
  return true;
}
