'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
import { ChatSession } from '../client/chat-session';
import type { ChatSessionOptions, ChatSessionState } from '../client/session-types';

export interface UseChatOptions extends ChatSessionOptions {
  /** The conversation to show; omitted or null for a new one (the server names it on the first message). */
  conversationId?: string | null;
  /** Accepted for compatibility with the original API and ignored: the server knows who is signed in. */
  userId?: string;
}

export interface ChatController extends ChatSessionState {
  /** The chat outside React: rows subscribe to `session.messages` one message each. */
  session: ChatSession;
  /** True while a message is being sent or its reply streams. */
  loading: boolean;
  sendMessage: ChatSession['sendMessage'];
  editMessage: ChatSession['editMessage'];
  regenerate: ChatSession['regenerate'];
  retryLastMessage: ChatSession['retryLastMessage'];
  switchBranch: ChatSession['switchBranch'];
  stop: ChatSession['stop'];
  /** Holds the chat on a provider and model: the next message goes there. */
  selectModel: ChatSession['selectModel'];
  /** A new chat: empty, and the next message makes a new conversation. */
  startNewChat: ChatSession['startNewChat'];
  /** The seed's name for `startNewChat`. */
  clearMessages: ChatSession['clearMessages'];
  dismissError: ChatSession['dismissError'];
}

/**
 * A chat without its message list: re-renders when the status, error or conversation changes,
 * never per token. ChatInterface uses this; `useChat` adds the live `messages` array.
 */
export function useChatController(options: UseChatOptions = {}): ChatController {
  const { conversationId: requestedId = null, ...rest } = options;
  const sessionOptions: ChatSessionOptions = omitUserId(rest);
  const [session] = useState(() => new ChatSession(sessionOptions));

  // Latest callbacks and model settings, read at send time: a re-render restarts nothing.
  useEffect(() => {
    session.setOptions(sessionOptions);
  });

  useEffect(() => {
    // The id this session was given by the server (and handed back as a prop) needs no reload.
    if (requestedId === session.getState().conversationId) return;
    if (requestedId) void session.load(requestedId);
    else session.startNewChat();
  }, [session, requestedId]);

  // Leaving the page stops reading the reply, not the reply: the server goes on writing and
  // saving it, and opening the conversation again reads it again.
  useEffect(() => () => session.detach(), [session]);

  const state = useSyncExternalStore(session.subscribe, session.getState, session.getState);
  return {
    ...state,
    session,
    loading: state.status === 'submitted' || state.status === 'streaming',
    sendMessage: session.sendMessage,
    editMessage: session.editMessage,
    regenerate: session.regenerate,
    retryLastMessage: session.retryLastMessage,
    switchBranch: session.switchBranch,
    stop: session.stop,
    selectModel: session.selectModel,
    startNewChat: session.startNewChat,
    clearMessages: session.clearMessages,
    dismissError: session.dismissError,
  };
}

function omitUserId(options: Omit<UseChatOptions, 'conversationId'>): ChatSessionOptions {
  const copy = { ...options };
  delete copy.userId;
  return copy;
}
